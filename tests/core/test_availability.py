"""我的空闲时间: one set of weekly slots and blackout days per person, read in batches."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core import availability
from core.extensions import db as _db
from core.models import Availability, Blackout
from core.timeutil import from_local, local_today
from tests.conftest import log_in

SLOT = {"slot-weekday": "2", "slot-start_time": "09:00", "slot-end_time": "12:00"}


def _slots(app, user_id: int) -> list[tuple]:
    with app.app_context():
        return [tuple(s) for s in availability.weekly([user_id]).get(user_id, [])]


def test_own_page_adds_and_refuses_with_chinese_messages(app, client, login_as):
    me = login_as("resident")
    assert "我的空闲时间" in client.get("/me/availability").text
    assert client.post("/me/availability/slots", data=SLOT).status_code == 302
    backwards = client.post("/me/availability/slots", data=dict(SLOT, **{"slot-end_time": "08:00"}))
    assert "结束时间必须晚于开始时间。" in backwards.text
    overlap = {"slot-weekday": "2", "slot-start_time": "11:00", "slot-end_time": "14:00"}
    page = client.post("/me/availability/slots", data=overlap).text
    assert "与已有的时段重叠（周三 09:00–12:00）。" in page
    other_day = client.post("/me/availability/slots", data=dict(overlap, **{"slot-weekday": "3"}))
    assert other_day.status_code == 302  # the same hours on Thursday overlap nothing
    assert _slots(app, me) == [(2, time(9), time(12)), (3, time(11), time(14))]

    yesterday = (local_today() - timedelta(days=1)).isoformat()
    page = client.post("/me/availability/blackouts", data={"off-day": yesterday}).text
    assert "这一天已经过去，不需要登记。" in page
    future = (local_today() + timedelta(days=30)).isoformat()
    client.post("/me/availability/blackouts", data={"off-day": future, "off-note": "出差"})
    again = client.post(
        "/me/availability/blackouts", data={"off-day": future}, follow_redirects=True
    )
    assert "这一天已经登记过了。" in again.text
    with app.app_context():
        rows = list(_db.session.scalars(select(Blackout).where(Blackout.user_id == me)))
        assert [(r.day.isoformat(), r.note) for r in rows] == [(future, "出差")]
    page = client.get("/me/availability").text
    assert "周三 09:00–12:00" in page and future in page and "出差" in page


def test_a_person_edits_only_their_own(app, client, make_user):
    owner, other = make_user("resident"), make_user("resident")
    with app.app_context():
        slot = availability.add_slot(owner, 0, time(8), time(10))
        day = availability.add_blackout(owner, local_today() + timedelta(days=3))
        _db.session.commit()
        slot_id, day_id = slot.id, day.id
    log_in(client, app, other)
    for kind, row_id in (("slots", slot_id), ("blackouts", day_id)):
        response = client.post(f"/me/availability/{kind}/{row_id}/delete")
        assert response.status_code == 404
    assert client.post(f"/me/availability/nonsense/{slot_id}/delete").status_code == 404
    assert client.get(f"/people/{owner}/availability").status_code == 403
    with app.app_context():
        assert _db.session.get(Availability, slot_id) and _db.session.get(Blackout, day_id)
    log_in(client, app, owner)
    assert client.post(f"/me/availability/slots/{slot_id}/delete").status_code == 302
    assert client.post(f"/me/availability/blackouts/{day_id}/delete").status_code == 302
    with app.app_context():
        assert _db.session.get(Availability, slot_id) is None
        assert _db.session.get(Blackout, day_id) is None
    own = client.get(f"/people/{owner}/availability")
    assert own.status_code == 302 and own.headers["Location"].endswith("/me/availability")


def test_a_manager_may_look_but_finds_no_editor(app, client, make_user, town):
    person = make_user("resident", town.village_b_id)
    with app.app_context():
        availability.add_slot(person, 4, time(14), time(17))
        _db.session.commit()
    log_in(client, app, make_user("programme_manager", town.town_id))
    page = client.get(f"/people/{person}/availability")
    assert page.status_code == 200 and "周五 14:00–17:00" in page.text
    assert "/me/availability/slots" not in page.text and "删除" not in page.text
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    assert client.get(f"/people/{person}/availability").status_code == 403  # another village
    anonymous = app.test_client().get("/me/availability")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_batch_readers_run_one_query_for_many_people(app, make_user, sql_statements):
    people = [make_user("resident") for _ in range(5)]
    soon = local_today() + timedelta(days=7)
    with app.app_context():
        for n, person in enumerate(people):
            availability.set_weekly(
                person, [(n % 7, time(8), time(12)), (n % 7, time(8), time(12))]
            )
            availability.add_blackout(person, soon + timedelta(days=n))
        availability.add_blackout(people[0], soon + timedelta(days=60))
        _db.session.commit()
        with sql_statements() as seen:
            weekly = availability.weekly(people)
        assert len(seen) == 1
        assert weekly == {
            p: [availability.Slot(n % 7, time(8), time(12))] for n, p in enumerate(people)
        }
        assert availability.weekly(people, weekdays=[1]) == {people[1]: [(1, time(8), time(12))]}
        assert availability.weekly([]) == {}
        with sql_statements() as seen:
            days = availability.blackout_days(people, soon, soon + timedelta(days=30))
        assert len(seen) == 1
        assert days == {p: {soon + timedelta(days=n)} for n, p in enumerate(people)}
        assert availability.blackout_days(people[:1]) == {
            people[0]: {soon, soon + timedelta(days=60)}
        }


def test_is_free_needs_a_weekly_slot_and_no_blackout(app, make_user):
    person = make_user("resident")
    monday = local_today() + timedelta(days=7 - local_today().weekday())

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return from_local(datetime.combine(day, time(hour, minute)))

    with app.app_context():
        assert not availability.is_free(person, at(monday, 9), at(monday, 10))  # nothing stated
        availability.set_weekly(person, [(0, time(8), time(12))])
        _db.session.commit()
        assert availability.is_free(person, at(monday, 9), at(monday, 10))
        assert availability.is_free(person, at(monday, 8), at(monday, 12))
        assert not availability.is_free(person, at(monday, 11), at(monday, 13))
        assert not availability.is_free(person, at(monday + timedelta(days=1), 9), at(monday, 10))
        availability.add_blackout(person, monday)
        _db.session.commit()
        assert not availability.is_free(person, at(monday, 9), at(monday, 10))
        next_week = monday + timedelta(days=7)
        assert availability.is_free(person, at(next_week, 9), at(next_week, 10))
        assert availability.summary(person) == availability.Summary(
            [availability.Slot(0, time(8), time(12))], [monday]
        )
