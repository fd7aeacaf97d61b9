"""Who sees a mediation case: one test per role, on every page that role can reach.

One case in 甲村 carries unique markers in its description and its parties (names and a phone);
it is scheduled by the justice office with one assigned mediator and one helping volunteer, and
the reminders are queued. Those who may read the case (its assigned mediator, the justice office,
site admins, the requester) see the markers on the case page; everyone else must not find them
on any page, feed or export they can open; the helper sees the session's time, place and task.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from core.extensions import db
from core.timeutil import to_local, utcnow
from plugins.volunteers.mediation.models import MediationCase
from tests.conftest import log_in

CASE_TEXT = "案情标记Q7X：两户因宅基地围墙争执"
PARTY_NAME = "王标记甲Q7X"
PARTY_PHONE = "13912345678"
SECRETS = (CASE_TEXT, "标记Q7X", PARTY_NAME, "标记甲", PARTY_PHONE, "1391234")
DISPUTE_LABEL = "土地、宅基地纠纷"
VENUE = "司法所第二调解室"


@dataclass
class World:
    case_id: int
    requester: int
    office: int
    assigned: int
    helper: int
    local_start: str  # "MM-dd HH:mm" as the pages show it
    week: str  # the Monday of the session's week, "YYYY-MM-DD"
    month: str  # the session's month, "YYYY-MM"


@pytest.fixture
def world(app, client, town, make_user, make_volunteer) -> World:
    requester = make_user("resident", town.village_a_id)
    log_in(client, app, requester)
    client.post(
        "/volunteers/mediation/new",
        data={
            "org_unit_id": town.village_a_id,
            "dispute_type": "land",
            "parties_count": "2",
            "parties": f"{PARTY_NAME} {PARTY_PHONE}\n李四",
            "party_villages": [town.village_b_id],
            "preferred_times": "周末",
            "description": CASE_TEXT,
        },
    )
    with app.app_context():
        case_id = db.session.scalar(select(MediationCase.id))
    assert case_id is not None
    office = make_user("mediator", town.town_id)
    assigned = make_user("mediator", town.justice_id)
    helper = make_volunteer(unit_id=town.village_b_id)
    start = to_local(utcnow() + timedelta(hours=20)).replace(tzinfo=None, second=0, microsecond=0)
    log_in(client, app, office)
    response = client.post(
        f"/volunteers/mediation/{case_id}/schedule",
        data={
            "s-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "s-ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "s-venue": VENUE,
            "s-mediators": [assigned],
            "s-helpers": [helper],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        from plugins.volunteers.reminders import send_reminders

        case = db.session.get(MediationCase, case_id)
        assert case.state == "scheduled"
        assert {(m.user_id, m.kind) for m in case.active_mediators} == {
            (assigned, "mediator"),
            (helper, "volunteer"),
        }
        assert send_reminders() >= 2
        db.session.commit()
    with client.session_transaction() as session:
        session.clear()
    monday = start.date() - timedelta(days=start.weekday())
    return World(
        case_id,
        requester,
        office,
        assigned,
        helper,
        start.strftime("%m-%d %H:%M"),
        str(monday),
        start.strftime("%Y-%m"),
    )


def _feed_token(app, user_id: int) -> str:
    from plugins.calendar.models import CalendarFeedToken

    with app.app_context():
        row = db.session.scalar(
            select(CalendarFeedToken).where(CalendarFeedToken.user_id == user_id)
        )
        if row is None:
            row = CalendarFeedToken(user_id=user_id, token=secrets.token_urlsafe(16))
            db.session.add(row)
            db.session.commit()
        return row.token


def _reachable(app, client, world: World, user_id: int | None) -> dict[str, str]:
    """Every page, feed and export around volunteering and the calendar this person can open."""
    urls = {
        "home": "/",
        "calendar agenda": "/calendar/",
        "calendar week": f"/calendar/week?start={world.week}",
        "calendar month": f"/calendar/month?month={world.month}",
        "calendar board": f"/calendar/board?start={world.week}",
        "public feed": "/calendar/feed.ics",
        "shift list": "/volunteers/",
    }
    if user_id is not None:
        urls |= {
            "dashboard": "/dashboard",
            "mediation list": "/volunteers/mediation",
            "my shifts": "/volunteers/me",
            "history": "/volunteers/history",
            "certificate": "/volunteers/certificate",
            "notifications": "/notifications/",
            "private feed": f"/calendar/feed/{_feed_token(app, user_id)}.ics",
            "mediation report": "/volunteers/reports/mediation",
            "hours report": "/volunteers/reports/hours",
            "hours export": "/volunteers/reports/hours?format=xlsx",
        }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (name, response.status_code)
        if response.status_code == 200:
            bodies[name] = _text(response)
    return bodies


def _text(response) -> str:
    """The body as text; an XLSX export as the values of all its cells."""
    if not response.mimetype.endswith("spreadsheetml.sheet"):
        return response.get_data(as_text=True)
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.data))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _assert_nothing_private(bodies: dict[str, str]) -> None:
    for name, body in bodies.items():
        for secret in SECRETS:
            assert secret not in body, (name, secret)


def _case_page(client, world: World):
    return client.get(f"/volunteers/mediation/{world.case_id}")


def _reader_sees_everything(app, client, world: World, user_id: int) -> None:
    log_in(client, app, user_id)
    response = _case_page(client, world)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert CASE_TEXT in page and PARTY_NAME in page and PARTY_PHONE in page
    assert DISPUTE_LABEL in page and VENUE in page
    listing = client.get("/volunteers/mediation").get_data(as_text=True)
    assert f"#{world.case_id}" in listing and DISPUTE_LABEL in listing
    # even for them, the calendar and its feeds never carry the case
    bodies = _reachable(app, client, world, user_id)
    assert "调解活动" in bodies["calendar agenda"]
    _assert_nothing_private(bodies)


def _outsider_sees_nothing(app, client, world: World, user_id: int) -> dict[str, str]:
    log_in(client, app, user_id)
    assert _case_page(client, world).status_code == 404
    bodies = _reachable(app, client, world, user_id)
    assert f"#{world.case_id}" not in bodies["mediation list"]
    assert VENUE not in bodies["mediation list"]
    _assert_nothing_private(bodies)
    return bodies


def test_assigned_mediator_reads_the_case(app, client, world):
    _reader_sees_everything(app, client, world, world.assigned)
    # their own feed has the session with its place, titled neutrally
    bodies = _reachable(app, client, world, world.assigned)
    assert "调解活动" in bodies["private feed"] and VENUE in bodies["private feed"]


def test_mediator_not_assigned_gets_404(app, client, world, town, make_user):
    """DESIGN: confidential cases only their assigned officers; a mediator of the 司法所 unit or
    of another village who is not on this case is an outsider to it."""
    for unit_id in (town.justice_id, town.village_b_id):
        _outsider_sees_nothing(app, client, world, make_user("mediator", unit_id))
        assert client.post(f"/volunteers/mediation/{world.case_id}/cancel").status_code == 404


def test_mediator_recused_loses_the_case(app, client, world):
    log_in(client, app, world.office)
    with app.app_context():
        case = db.session.get(MediationCase, world.case_id)
        row_id = next(m.id for m in case.mediators if m.user_id == world.assigned)
    client.post(
        f"/volunteers/mediation/{world.case_id}/recuse",
        data={"r-mediator_row_id": row_id, "r-reason": "回避"},
    )
    _outsider_sees_nothing(app, client, world, world.assigned)


def test_justice_office_reads_the_case(app, client, world):
    _reader_sees_everything(app, client, world, world.office)


def test_site_admin_reads_the_case(app, client, world, town, make_user):
    _reader_sees_everything(app, client, world, make_user("site_admin", town.town_id))


def test_requester_reads_their_own_case(app, client, world):
    log_in(client, app, world.requester)
    page = _case_page(client, world).get_data(as_text=True)
    assert CASE_TEXT in page and PARTY_NAME in page


def test_helper_volunteer_sees_time_place_and_task_only(app, client, world):
    log_in(client, app, world.helper)
    response = _case_page(client, world)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert VENUE in page and world.local_start[-5:] in page and "协助调解现场" in page
    assert DISPUTE_LABEL not in page and "甲村" not in page and "周末" not in page
    bodies = _reachable(app, client, world, world.helper)
    bodies["case page"] = page
    _assert_nothing_private(bodies)
    for name in ("mediation list", "my shifts"):
        assert VENUE in bodies[name] and "协助调解现场" in bodies[name], name
        assert DISPUTE_LABEL not in bodies[name], name
    assert "调解活动" in bodies["private feed"] and VENUE in bodies["private feed"]
    assert "人民调解场次安排" in bodies["notifications"]
    assert "调解活动提醒" in bodies["notifications"]
    # staff actions stay closed to them
    assert client.post(f"/volunteers/mediation/{world.case_id}/cancel").status_code == 403


def test_helper_removed_gets_404(app, client, world):
    log_in(client, app, world.office)
    with app.app_context():
        case = db.session.get(MediationCase, world.case_id)
        row_id = next(m.id for m in case.mediators if m.user_id == world.helper)
    client.post(
        f"/volunteers/mediation/{world.case_id}/recuse",
        data={"r-mediator_row_id": row_id, "r-reason": "另有安排"},
    )
    bodies = _outsider_sees_nothing(app, client, world, world.helper)
    assert VENUE not in bodies["my shifts"]


def test_village_coordinator_of_the_case_village_gets_404(app, client, world, town, make_user):
    bodies = _outsider_sees_nothing(
        app, client, world, make_user("village_coordinator", town.village_a_id)
    )
    assert "mediation report" in bodies and "hours export" in bodies  # staff exports checked too


def test_programme_manager_gets_404(app, client, world, town, make_user):
    bodies = _outsider_sees_nothing(
        app, client, world, make_user("programme_manager", town.town_id)
    )
    assert "mediation report" in bodies and "hours export" in bodies


def test_resident_gets_404(app, client, world, town, make_user):
    _outsider_sees_nothing(app, client, world, make_user("resident", town.village_a_id))


def test_anonymous_is_sent_to_log_in(client, world, app):
    response = _case_page(client, world)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/volunteers/mediation").status_code == 302
    bodies = _reachable(app, client, world, None)
    for name in ("calendar agenda", "calendar week", "calendar month", "calendar board"):
        assert "调解活动" in bodies[name], name  # the entry is there, as a neutral title
    assert "调解活动" in bodies["public feed"]
    assert VENUE not in bodies["public feed"] and VENUE not in bodies["calendar agenda"]
    _assert_nothing_private(bodies)
