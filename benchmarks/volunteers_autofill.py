"""Benchmark the volunteers auto-fill: 2,000 volunteers, 1,000 shifts, 3,000 role places.

Prints time, peak memory (tracemalloc) and the fill rate against the max-flow upper bound that
ignores overlaps. Targets: under 5 seconds, at least 95 % of the bound.

    .venv/bin/python benchmarks/volunteers_autofill.py [--seed 1] [--volunteers 2000]

The algorithm works on plain dataclasses, so no database or server is needed here.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins.volunteers.autofill import Person, Slot, autofill, overlaps
from tests.plugins.volunteers.maxflow import upper_bound

SKILLS = list(range(1, 11))
VILLAGES = list(range(101, 110))
BLOCKS = [(8 * 60, 12 * 60), (13 * 60, 18 * 60), (18 * 60, 21 * 60), (8 * 60, 21 * 60)]


def generate(volunteers: int, shifts: int, places: int, seed: int):
    """A random but plausible instance: two weeks of shifts across nine villages."""
    rng = random.Random(seed)
    monday = datetime(2026, 12, 7)
    people = []
    for pid in range(1, volunteers + 1):
        home = rng.choice(VILLAGES)
        willing = {home, *rng.sample(VILLAGES, rng.randint(0, 3))}
        windows = []
        for weekday in rng.sample(range(7), rng.randint(2, 4)):
            start, end = rng.choice(BLOCKS)
            windows.append((weekday, start, end))
        blackout = frozenset(monday.date() + timedelta(days=rng.randrange(14)) for _ in range(1))
        people.append(
            Person(
                id=pid,
                skills=frozenset(rng.sample(SKILLS, rng.randint(1, 3))),
                villages=None if rng.random() < 0.1 else frozenset(willing),
                windows=tuple(windows),
                blackout=blackout if rng.random() < 0.3 else frozenset(),
                default_month_left=rng.randint(1, 2),  # tight: the bound is below 3,000
                load=rng.randint(0, 3),
            )
        )
    slots = []
    role_id = 0
    per_shift = [places // shifts] * shifts
    for i in range(places - sum(per_shift)):
        per_shift[i] += 1
    for shift_id in range(1, shifts + 1):
        day = monday + timedelta(days=rng.randrange(14))
        start = day.replace(hour=rng.randint(8, 17), minute=rng.choice((0, 30)))
        end = start + timedelta(hours=rng.choice((1.5, 2, 3)))
        village = None if rng.random() < 0.1 else rng.choice(VILLAGES)
        left = per_shift[shift_id - 1]
        while left:
            role_id += 1
            needed = rng.randint(1, left)
            skills = frozenset() if rng.random() < 0.5 else frozenset({rng.choice(SKILLS)})
            slots.append(Slot(role_id, shift_id, start, end, needed, skills, village))
            left -= needed
    return people, slots


def check(people, slots, pairs) -> None:
    """Every constraint holds in the proposal (fails loudly otherwise)."""
    by_role = {s.role_id: s for s in slots}
    by_person = {p.id: p for p in people}
    taken: dict[int, list[Slot]] = {}
    for rid, pid in pairs:
        taken.setdefault(pid, []).append(by_role[rid])
    for pid, mine in taken.items():
        person = by_person[pid]
        months: dict = {}
        for i, a in enumerate(mine):
            months[a.month] = months.get(a.month, 0) + 1
            assert a.skills <= person.skills
            for b in mine[i + 1 :]:
                assert not overlaps(a.start, a.end, b.start, b.end), "overlap"
        for month, count in months.items():
            assert count <= person.month_left.get(month, person.default_month_left), "max"
    counts: dict[int, int] = {}
    for rid, _pid in pairs:
        counts[rid] = counts.get(rid, 0) + 1
    assert all(counts[rid] <= by_role[rid].needed for rid in counts), "over-filled"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--volunteers", type=int, default=2000)
    parser.add_argument("--shifts", type=int, default=1000)
    parser.add_argument("--places", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    people, slots = generate(args.volunteers, args.shifts, args.places, args.seed)
    print(
        f"instance: {len(people)} volunteers, {args.shifts} shifts, {len(slots)} roles, "
        f"{sum(s.needed for s in slots)} places (seed {args.seed})"
    )

    started = time.perf_counter()
    proposal = autofill(people, slots)
    elapsed = time.perf_counter() - started
    # Memory in a second run: tracemalloc slows Python down several times.
    tracemalloc.start()
    autofill(people, slots)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    check(people, slots, proposal.pairs)

    started = time.perf_counter()
    bound = upper_bound(people, slots)
    bound_time = time.perf_counter() - started
    rate = proposal.filled / bound if bound else 1.0
    print(f"auto-fill time:  {elapsed:.2f} s   (target < 5 s)")
    print(f"peak memory:     {peak / 1024 / 1024:.1f} MiB (tracemalloc)")
    print(f"filled places:   {proposal.filled}")
    print(f"max-flow bound:  {bound} (ignores overlaps; computed in {bound_time:.2f} s)")
    print(f"fill vs bound:   {rate:.1%}   (target >= 95 %)")
    print("constraints:     all hold (skills, overlaps, monthly maximum, role counts)")


if __name__ == "__main__":
    main()
