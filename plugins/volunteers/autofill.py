"""Auto-fill: propose volunteers for many shift roles at once, on plain dataclasses.

Works without the database so the benchmark can run it on generated instances. Every proposal
respects skills, the villages a person serves, weekly availability and blackout days, overlaps
with what they already do and with each other, and the monthly maximum. Load is balanced by
always giving a place to the least-loaded eligible person.

Algorithm: greedy by scarcity (roles with the fewest candidates per open place first), then a
repair pass that looks for augmenting paths of length two: an unfilled role takes a person who
is blocked by one of their proposed places, and another free person takes that place over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Slot:
    """A shift role with ``needed`` open places; times are local and naive."""

    role_id: int
    shift_id: int
    start: datetime
    end: datetime
    needed: int
    skills: frozenset[int] = frozenset()
    village_id: int | None = None  # None: held at town level, anyone may serve

    @property
    def month(self) -> tuple[int, int]:
        return (self.start.year, self.start.month)


@dataclass
class Person:
    """A volunteer as the algorithm sees them."""

    id: int
    skills: frozenset[int]
    villages: frozenset[int] | None  # None: serves anywhere
    windows: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute)
    blackout: frozenset[date] = frozenset()
    busy: tuple[tuple[datetime, datetime], ...] = ()
    month_left: dict[tuple[int, int], int] = field(default_factory=dict)
    default_month_left: int = 4
    load: float = 0.0  # shifts (or hours) already served this month, for fairness
    on_roles: frozenset[int] = frozenset()  # roles they already hold or were invited to


@dataclass
class Proposal:
    pairs: list[tuple[int, int]]  # (role_id, person_id)
    unfilled: dict[int, int]  # role_id → places still open
    candidates: dict[int, list[int]]

    @property
    def filled(self) -> int:
        return len(self.pairs)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def available(person: Person, start: datetime, end: datetime) -> bool:
    """Is [start, end) inside one weekly window and not on a blackout day?"""
    if start.date() != end.date() and not (end.hour == 0 and end.minute == 0):
        return False
    if start.date() in person.blackout:
        return False
    weekday, first = start.weekday(), _minutes(start)
    last = _minutes(end) or 24 * 60
    return any(w == weekday and s <= first and last <= e for w, s, e in person.windows)


def candidate_lists(people: Iterable[Person], slots: Iterable[Slot]) -> dict[int, list[int]]:
    """role_id → ids of eligible people, using set indexes so 2,000 × 3,000 stays fast."""
    people = list(people)
    by_id = {p.id: p for p in people}
    everyone = set(by_id)
    anywhere = {p.id for p in people if p.villages is None}
    by_village: dict[int, set[int]] = defaultdict(set)
    by_skill: dict[int, set[int]] = defaultdict(set)
    by_weekday: dict[int, set[int]] = defaultdict(set)
    for p in people:
        for v in p.villages or ():
            by_village[v].add(p.id)
        for s in p.skills:
            by_skill[s].add(p.id)
        for w, _s, _e in p.windows:
            by_weekday[w].add(p.id)
    shift_cache: dict[tuple, set[int]] = {}
    result: dict[int, list[int]] = {}
    for slot in slots:
        key = (slot.shift_id, slot.start, slot.end, slot.village_id)
        base = shift_cache.get(key)
        if base is None:
            pool = everyone if slot.village_id is None else by_village[slot.village_id] | anywhere
            pool = pool & by_weekday[slot.start.weekday()]
            base = {
                pid
                for pid in pool
                if available(by_id[pid], slot.start, slot.end)
                and not any(overlaps(slot.start, slot.end, s, e) for s, e in by_id[pid].busy)
            }
            shift_cache[key] = base
        pool = base
        for skill in slot.skills:
            pool = pool & by_skill[skill]
        result[slot.role_id] = sorted(
            pid
            for pid in pool
            if slot.role_id not in by_id[pid].on_roles
            and by_id[pid].month_left.get(slot.month, by_id[pid].default_month_left) > 0
        )
    return result


class _State:
    """What has been proposed so far: per person their places, per role its people."""

    def __init__(self, people: dict[int, Person], slots: dict[int, Slot]):
        self.people, self.slots = people, slots
        self.taken: dict[int, list[int]] = defaultdict(list)  # person → role ids
        self.members: dict[int, set[int]] = defaultdict(set)  # role → person ids
        self.used: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
        self.load = {pid: p.load for pid, p in people.items()}

    def month_room(self, pid: int, month: tuple[int, int]) -> int:
        person = self.people[pid]
        return person.month_left.get(month, person.default_month_left) - self.used[(pid, month)]

    def clashes(self, pid: int, slot: Slot) -> list[int]:
        return [
            rid
            for rid in self.taken[pid]
            if overlaps(slot.start, slot.end, self.slots[rid].start, self.slots[rid].end)
        ]

    def free_for(self, pid: int, slot: Slot) -> bool:
        return (
            pid not in self.members[slot.role_id]
            and self.month_room(pid, slot.month) > 0
            and not self.clashes(pid, slot)
        )

    def add(self, pid: int, rid: int) -> None:
        self.taken[pid].append(rid)
        self.members[rid].add(pid)
        self.used[(pid, self.slots[rid].month)] += 1
        self.load[pid] += 1

    def remove(self, pid: int, rid: int) -> None:
        self.taken[pid].remove(rid)
        self.members[rid].discard(pid)
        self.used[(pid, self.slots[rid].month)] -= 1
        self.load[pid] -= 1


def autofill(people: Iterable[Person], slots: Iterable[Slot], repair_passes: int = 3) -> Proposal:
    """Propose (role, person) pairs; deterministic for the same input."""
    people_by_id = {p.id: p for p in people}
    slots_by_id = {s.role_id: s for s in slots}
    candidates = candidate_lists(people_by_id.values(), slots_by_id.values())
    degree: dict[int, int] = defaultdict(int)
    for ids in candidates.values():
        for pid in ids:
            degree[pid] += 1
    state = _State(people_by_id, slots_by_id)
    order = sorted(
        slots_by_id.values(),
        key=lambda s: (len(candidates[s.role_id]) / s.needed, s.start, s.role_id),
    )
    for slot in order:
        _fill(state, slot, candidates[slot.role_id], degree)
    for _ in range(repair_passes):
        if not _repair(state, candidates, degree):
            break
    pairs = sorted((rid, pid) for rid, members in state.members.items() for pid in members)
    unfilled = {
        rid: slot.needed - len(state.members[rid])
        for rid, slot in slots_by_id.items()
        if len(state.members[rid]) < slot.needed
    }
    return Proposal(pairs=pairs, unfilled=unfilled, candidates=candidates)


def _fill(state: _State, slot: Slot, ids: list[int], degree: dict[int, int]) -> None:
    open_places = slot.needed - len(state.members[slot.role_id])
    if open_places <= 0:
        return
    free = [pid for pid in ids if state.free_for(pid, slot)]
    free.sort(key=lambda pid: (state.load[pid], degree[pid], pid))
    for pid in free[:open_places]:
        state.add(pid, slot.role_id)


def _repair(state: _State, candidates: dict[int, list[int]], degree: dict[int, int]) -> bool:
    """One pass of length-two augmenting paths over every role still short; True if improved."""
    improved = False
    dead: set[int] = set()  # roles found with no free replacement since the last move
    for rid, slot in sorted(state.slots.items()):
        while len(state.members[rid]) < slot.needed:
            if not _augment(state, slot, candidates, dead):
                break
            dead.clear()
            improved = True
    return improved


def _augment(state: _State, slot: Slot, candidates: dict[int, list[int]], dead: set) -> bool:
    rid = slot.role_id
    for pid in candidates[rid]:
        if pid in state.members[rid]:
            continue
        if state.free_for(pid, slot):  # freed up by an earlier move
            state.add(pid, rid)
            return True
        clashes = state.clashes(pid, slot)
        if len(clashes) > 1:
            continue
        if clashes:
            blockers = clashes
            if state.month_room(pid, slot.month) <= 0 and state.slots[clashes[0]].month != (
                slot.month
            ):
                continue
        else:  # blocked by the monthly maximum: any place of theirs in that month may move
            blockers = [r for r in state.taken[pid] if state.slots[r].month == slot.month]
        for blocker in blockers:
            if blocker in dead:
                continue
            other = state.slots[blocker]
            for replacement in candidates[blocker]:
                if replacement == pid or not state.free_for(replacement, other):
                    continue
                state.remove(pid, blocker)
                state.add(replacement, blocker)
                state.add(pid, rid)
                return True
            dead.add(blocker)
    return False
