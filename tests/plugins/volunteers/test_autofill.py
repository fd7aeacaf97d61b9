"""The auto-fill algorithm on plain dataclasses, checked against the max-flow bound."""

from datetime import date, datetime

from plugins.volunteers.autofill import Person, Slot, autofill, available
from tests.plugins.volunteers.maxflow import upper_bound

ALL_WEEK = tuple((d, 0, 24 * 60) for d in range(7))


def person(pid, skills=(1,), villages=None, windows=ALL_WEEK, **kw):
    return Person(pid, frozenset(skills), villages and frozenset(villages), windows, **kw)


def slot(rid, day=7, hour=9, hours=2, needed=1, skills=(), village=None, shift=None):
    start = datetime(2026, 12, day, hour)
    end = datetime(2026, 12, day, hour + hours)
    return Slot(rid, shift or rid, start, end, needed, frozenset(skills), village)


def test_respects_skills_places_and_windows():
    people = [
        person(1, skills=(1,)),
        person(2, skills=(2,), villages={10}),
        person(3, skills=(2,), windows=((0, 8 * 60, 10 * 60),)),
    ]
    slots = [slot(1, skills=(2,), village=20), slot(2, skills=(2,), village=10, hour=12)]
    proposal = autofill(people, slots)
    # role 1 is at village 20 on a Monday 9-11: person 2 is not willing, person 3's window too short
    assert (1, 2) not in proposal.pairs and (1, 3) not in proposal.pairs
    assert proposal.pairs == [(2, 2)]
    assert proposal.unfilled == {1: 1}


def test_overlap_and_monthly_maximum():
    people = [person(1, default_month_left=2)]
    slots = [slot(1, hour=9), slot(2, hour=10), slot(3, day=8), slot(4, day=9)]
    proposal = autofill(people, slots)
    roles = [rid for rid, _ in proposal.pairs]
    assert len(roles) == 2 and not {1, 2} <= set(roles)


def test_blackout_and_busy():
    p = person(1, blackout=frozenset({date(2026, 12, 7)}))
    assert not available(p, datetime(2026, 12, 7, 9), datetime(2026, 12, 7, 10))
    busy = person(2, busy=((datetime(2026, 12, 8, 9), datetime(2026, 12, 8, 12)),))
    assert autofill([busy], [slot(1, day=8, hour=10)]).pairs == []


def test_balances_load():
    people = [person(1, load=5), person(2, load=0)]
    assert autofill(people, [slot(1)]).pairs == [(1, 2)]
    many = [person(i) for i in range(1, 4)]
    pairs = autofill(many, [slot(r, day=7 + r) for r in range(1, 7)]).pairs
    per_person = [sum(1 for _r, p in pairs if p == i) for i in range(1, 4)]
    assert per_person == [2, 2, 2]


def test_repair_finds_augmenting_path():
    # Greedy might give the flexible person the first role; repair must move them over.
    people = [person(1, skills=(1, 2)), person(2, skills=(1,), default_month_left=1)]
    slots = [slot(1, skills=(1,), hour=9), slot(2, skills=(2,), hour=9, shift=2)]
    proposal = autofill(people, slots)
    assert sorted(proposal.pairs) == [(1, 2), (2, 1)]
    assert proposal.filled == upper_bound(people, slots) == 2


def test_deterministic_and_close_to_bound_on_random_instance():
    import random
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    from volunteers_autofill import check, generate

    people, slots = generate(300, 150, 450, seed=7)
    first, second = autofill(people, slots), autofill(people, slots)
    assert first.pairs == second.pairs
    check(people, slots, first.pairs)
    assert first.filled >= 0.95 * upper_bound(people, slots)
    random.seed(0)
