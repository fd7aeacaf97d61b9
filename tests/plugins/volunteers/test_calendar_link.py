"""A shift tied to a calendar date through the calendar service, and without the calendar."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db
from core.timeutil import to_local, utcnow
from plugins.volunteers.models import Shift
from tests.conftest import log_in


def _local(moment):
    return to_local(moment).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")


def _calendar_event(app, unit_id: int, title: str, days: int) -> str:
    """A one-off calendar event; returns its ref as the calendar service writes it."""
    from plugins.calendar import recurrence, services

    with app.app_context():
        categories = {c.name: c.id for c in services.ensure_categories()}
        start = (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)
        event = services.save_event(
            None,
            {
                "title": title,
                "description": "",
                "markdown": False,
                "category_id": categories["干部夜校"],
                "org_unit_id": unit_id,
                "venue": "学习中心",
                "all_day": False,
                "start_at": start,
                "end_at": start + timedelta(hours=2),
                "freq": "none",
                "interval": 1,
                "weekdays": "",
                "count": None,
                "until": None,
                "capacity": None,
                "registration_open": False,
                "members_only": False,
            },
            None,
        )
        db.session.commit()
        return f"{event.id}/{recurrence.find_occurrence(event, event.start_at).key}"


def _form(unit_id: int, **extra) -> dict:
    start = utcnow() + timedelta(days=5)
    return {
        "title": "夜校签到引导",
        "org_unit_id": unit_id,
        "venue": "学习中心",
        "starts_at": _local(start),
        "ends_at": _local(start + timedelta(hours=2)),
        "public": "y",
        **extra,
    }


def test_shift_offers_and_links_the_units_calendar_dates(app, client, town, make_user):
    ours = _calendar_event(app, town.village_a_id, "甲村干部夜校", 5)
    theirs = _calendar_event(app, town.village_b_id, "乙村开放日", 6)
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    page = client.get("/volunteers/manage/shifts/new").get_data(as_text=True)
    assert "甲村干部夜校" in page and "乙村开放日" not in page
    refused = client.post(
        "/volunteers/manage/shifts/new", data=_form(town.village_a_id, calendar_event_ref=theirs)
    )
    assert refused.status_code == 200 and "不属于这个单位" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Shift.id)) is None
    made = client.post(
        "/volunteers/manage/shifts/new", data=_form(town.village_a_id, calendar_event_ref=ours)
    )
    assert made.status_code == 302
    with app.app_context():
        shift = db.session.scalar(select(Shift))
        assert shift.calendar_event_ref == ours
        shift_id = shift.id
    event_id, key = ours.split("/")
    shift_page = client.get(f"/volunteers/shifts/{shift_id}").get_data(as_text=True)
    assert f"/calendar/e/{event_id}/{key}" in shift_page
    assert client.get(f"/calendar/e/{event_id}/{key}").status_code == 200


def test_without_calendar_the_field_is_hidden_and_a_ref_is_kept(
    app, make_app, town, make_user, make_shift
):
    shift_id, _ = make_shift(calendar_event_ref="7/20300101T000000Z")
    user_id = make_user("village_coordinator", town.village_a_id)
    alone = make_app(plugins="volunteers")
    client = alone.test_client()
    log_in(client, alone, user_id)
    page = client.get("/volunteers/manage/shifts/new").get_data(as_text=True)
    assert "calendar_event_ref" not in page
    assert (
        client.post("/volunteers/manage/shifts/new", data=_form(town.village_a_id)).status_code
        == 302
    )
    shift_page = client.get(f"/volunteers/shifts/{shift_id}").get_data(as_text=True)
    assert "/calendar/e/" not in shift_page and "查看日历上的这次活动" not in shift_page
    edit = client.post(f"/volunteers/manage/shifts/{shift_id}/edit", data=_form(town.village_a_id))
    assert edit.status_code == 302
    with alone.app_context():
        assert db.session.get(Shift, shift_id).calendar_event_ref == "7/20300101T000000Z"
        assert len(db.session.scalars(select(Shift)).all()) == 2
