"""Ranked suggestions: fit, reasons, and who must never be suggested."""

from __future__ import annotations

from datetime import time

from core.extensions import db as _db
from core.models import Availability, Blackout
from core.timeutil import to_local
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import Decline
from plugins.lecturers.suggestions import suggest

from .conftest import build_request, make_lecturer


def _ids(request) -> list[int]:
    return [s.lecturer_id for s in suggest(request)]


def test_ranked_with_reasons(app, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "submitted")
        slot = to_local(request.slots[0].start)
        _db.session.add(
            Availability(
                user_id=people.other_lecturer_user,
                weekday=slot.weekday(),
                start_time=time(0),
                end_time=time(23, 59),
            )
        )
        _db.session.commit()
        found = suggest(request)
        assert {s.lecturer_id for s in found} == {people.lecturer, people.other_lecturer}
        best = found[0]
        assert best.lecturer_id == people.other_lecturer  # fits the weekly availability too
        assert any("常规可讲时段" in r for r in best.reasons)
        assert any("开设「保健护理」专题" in r for r in best.reasons)
        assert any("本月已排" in r for r in best.reasons)


def test_declined_booked_blackout_resting_never_suggested(app, people, town, make_user):
    with app.app_context():
        request = build_request(people, town.village_a_id, "submitted")
        _db.session.add(Decline(request_id=request.id, lecturer_id=people.lecturer, reason="忙"))
        _db.session.commit()
        assert _ids(request) == [people.other_lecturer]

        # booked at both preferred times by an accepted lecture → gone
        for slot in request.slots:
            other = build_request(people, town.village_b_id, "accepted", people.other_lecturer)
            other.scheduled_start, other.scheduled_end = slot.start, slot.end
        _db.session.commit()
        assert _ids(request) == []

    third_user = make_user("lecturer", town.town_id, name="讲师丙")
    with app.app_context():
        third = make_lecturer(third_user, town.school_id, [people.topic])
        _db.session.commit()
        request = _db.session.merge(request)
        assert _ids(request) == [third.id]
        for slot in request.slots:
            _db.session.add(Blackout(user_id=third_user, day=to_local(slot.start).date()))
        _db.session.commit()
        assert _ids(request) == []
        _db.session.query(Blackout).delete()
        _db.session.get(Lecturer, third.id).active = False
        _db.session.commit()
        assert _ids(request) == []


def test_booked_at_one_slot_only_keeps_the_free_one(app, people, town):
    with app.app_context():
        request = build_request(people, town.village_a_id, "submitted")
        other = build_request(people, town.village_b_id, "scheduled", people.lecturer)
        other.scheduled_start = request.slots[0].start
        other.scheduled_end = request.slots[0].end
        _db.session.commit()
        mine = next(s for s in suggest(request) if s.lecturer_id == people.lecturer)
        assert [slot.id for slot in mine.free_slots] == [request.slots[1].id]


def test_other_topic_domain_not_suggested(app, people, town, make_user):
    law_user = make_user("lecturer", town.town_id, name="律师")
    with app.app_context():
        law = make_lecturer(law_user, town.justice_id, [people.other_topic])
        _db.session.commit()
        request = build_request(people, town.village_a_id, "submitted")
        assert law.id not in _ids(request)


def test_namesakes_told_apart_by_village_and_phone_tail(app, client, people, town, make_user):
    """Two suggested lecturers called 王芳: the page names each one's village and phone tail."""
    from tests.conftest import log_in

    first = make_user("lecturer", town.town_id, phone="13900001111", name="王芳")
    second = make_user(
        "lecturer", town.town_id, phone="13900002222", name="王芳", home_unit_id=town.village_b_id
    )
    with app.app_context():
        make_lecturer(first, town.school_id, [people.topic])
        make_lecturer(second, town.school_id, [people.topic])
        _db.session.commit()
        request = build_request(people, town.village_a_id, "submitted")
        labels = {s.label for s in suggest(request)}
        request_id = request.id
    assert {"王芳（甲村，尾号 1111）", "王芳（乙村，尾号 2222）"} <= labels
    log_in(client, app, people.manager)
    page = client.get(f"/lectures/requests/{request_id}").get_data(as_text=True)
    assert "王芳（甲村，尾号 1111）" in page and "王芳（乙村，尾号 2222）" in page
