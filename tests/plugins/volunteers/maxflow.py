"""The max-flow upper bound for auto-fill: how many places could be filled ignoring overlaps.

A small Dinic's algorithm, enough for a few hundred thousand edges; used by tests and the
benchmark to judge the auto-fill's quality, not by the pages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from plugins.volunteers.autofill import Person, Slot, candidate_lists


class MaxFlow:
    """Dinic's algorithm on an adjacency list of edge indexes."""

    def __init__(self, nodes: int):
        self.graph: list[list[int]] = [[] for _ in range(nodes)]
        self.to: list[int] = []
        self.cap: list[int] = []

    def add_edge(self, u: int, v: int, capacity: int) -> None:
        self.graph[u].append(len(self.to))
        self.to.append(v)
        self.cap.append(capacity)
        self.graph[v].append(len(self.to))
        self.to.append(u)
        self.cap.append(0)

    def _levels(self, source: int, sink: int) -> list[int] | None:
        level = [-1] * len(self.graph)
        level[source] = 0
        queue = deque([source])
        while queue:
            u = queue.popleft()
            for e in self.graph[u]:
                if self.cap[e] > 0 and level[self.to[e]] < 0:
                    level[self.to[e]] = level[u] + 1
                    queue.append(self.to[e])
        return level if level[sink] >= 0 else None

    def run(self, source: int, sink: int) -> int:
        total = 0
        while (level := self._levels(source, sink)) is not None:
            pointer = [0] * len(self.graph)
            while pushed := self._push(source, sink, 1 << 30, level, pointer):
                total += pushed
        return total

    def _push(self, source, sink, limit, level, pointer) -> int:
        # Iterative DFS along the level graph; returns the flow pushed on one path.
        path: list[int] = []
        u = source
        while True:
            if u == sink:
                flow = min([limit, *(self.cap[e] for e in path)])
                for e in path:
                    self.cap[e] -= flow
                    self.cap[e ^ 1] += flow
                return flow
            edges = self.graph[u]
            while pointer[u] < len(edges):
                e = edges[pointer[u]]
                v = self.to[e]
                if self.cap[e] > 0 and level[v] == level[u] + 1:
                    break
                pointer[u] += 1
            else:
                if not path:
                    return 0
                level[u] = -1  # dead end: never visit again in this phase
                e = path.pop()
                u = self.to[e ^ 1]
                pointer[u] += 1
                continue
            path.append(edges[pointer[u]])
            u = self.to[edges[pointer[u]]]


def upper_bound(people: Iterable[Person], slots: Iterable[Slot]) -> int:
    """Most places fillable under skills, places, availability and monthly maxima, no overlaps."""
    people = {p.id: p for p in people}
    slots = {s.role_id: s for s in slots}
    candidates = candidate_lists(people.values(), slots.values())
    index: dict[object, int] = {}

    def node(key) -> int:
        return index.setdefault(key, len(index))

    source, sink = node("source"), node("sink")
    edges: list[tuple[int, int, int]] = []
    for rid, slot in slots.items():
        edges.append((node(("r", rid)), sink, slot.needed))
        for pid in candidates[rid]:
            person = people[pid]
            month_node = ("pm", pid, slot.month)
            if month_node not in index:
                room = person.month_left.get(slot.month, person.default_month_left)
                edges.append((source, node(month_node), room))
            edges.append((index[month_node], node(("r", rid)), 1))
    flow = MaxFlow(len(index))
    for u, v, c in edges:
        flow.add_edge(u, v, c)
    return flow.run(source, sink)
