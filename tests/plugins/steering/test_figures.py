"""Report figures: overdue tasks, tasks closed on time, visits, training hours; each equal to
its evidence list; and the steering pages with every other plugin switched off."""

from __future__ import annotations

import re
from datetime import date, datetime

from core.extensions import db as _db
from core.timeutil import from_local
from tests.conftest import log_in


def _setup(app, staff, town):
    """Known items in 2025 (all in the past), for villages A and B of 测试镇."""
    from plugins.steering.meetings.models import Meeting, MeetingAttendee
    from plugins.steering.models import Task, Visit

    def task(unit, deadline, closed=None, state="open"):
        _db.session.add(
            Task(
                title=f"任务{deadline}",
                org_unit_id=unit,
                owner_id=staff.coordinator_a,
                deadline=deadline,
                state=state,
                closed_at=closed,
            )
        )

    with app.app_context():
        task(town.village_a_id, date(2025, 3, 10))  # overdue in March, still open
        task(  # accepted the day after its deadline: overdue in March, not on time
            town.village_a_id,
            date(2025, 3, 20),
            from_local(datetime(2025, 3, 21, 9)),
            "accepted",
        )
        task(  # accepted on its deadline day: on time, never overdue
            town.village_b_id,
            date(2025, 3, 31),
            from_local(datetime(2025, 3, 31, 23)),
            "accepted",
        )
        task(town.village_b_id, date(2025, 3, 31))  # over at 1 April 00:00: April's
        for unit, day in (
            (town.village_a_id, date(2025, 3, 5)),
            (town.village_b_id, date(2025, 4, 2)),
        ):
            _db.session.add(
                Visit(
                    org_unit_id=unit,
                    visited_on=day,
                    visitors="梁",
                    period_start=date(2025, 1, 1),
                    period_end=day,
                )
            )
        meeting = Meeting(
            kind="training",
            title="培训",
            org_unit_id=town.town_id,
            held_on=date(2025, 3, 15),
            hours=2.5,
        )
        meeting.attendees = [
            MeetingAttendee(user_id=staff.counsellor_a, attended=True),
            MeetingAttendee(user_id=staff.coordinator_a, attended=True),
            MeetingAttendee(user_id=staff.coordinator_b, attended=False),
        ]
        _db.session.add(meeting)
        _db.session.commit()


def test_figures_per_unit_and_period(app, staff, town):
    from plugins.steering.hooks import report_metrics

    _setup(app, staff, town)
    with app.app_context():
        units = [town.town_id, town.village_a_id, town.village_b_id]
        march = {
            m.key: dict(m.values) for m in report_metrics(units, date(2025, 3, 1), date(2025, 4, 1))
        }
        april = {
            m.key: dict(m.values) for m in report_metrics(units, date(2025, 4, 1), date(2025, 5, 1))
        }
    t, a, b = units
    assert march["steering.tasks_overdue"] == {t: 2, a: 2, b: 0}
    assert march["steering.tasks_on_time"] == {t: 1, a: 0, b: 1}
    assert march["steering.visits"] == {t: 1, a: 1, b: 0}
    assert march["steering.training_hours"] == {t: 5.0, a: 0, b: 0}
    assert april["steering.tasks_overdue"] == {t: 1, a: 0, b: 1}
    assert april["steering.visits"] == {t: 1, a: 0, b: 1}


def test_evidence_lists_match_the_figures(app, client, staff, town):
    _setup(app, staff, town)
    log_in(client, app, staff.manager)
    expected = {"overdue": "2", "on-time": "1", "visits": "1", "training": "5.0"}
    for name, total in expected.items():
        html = client.get(
            f"/steering/figures/{name}?unit_id={town.town_id}&start=2025-03-01&end=2025-04-01"
        ).get_data(as_text=True)
        assert f'data-total="{total}"' in html, name
        values = [float(v) for v in re.findall(r'data-value="([^"]+)"', html)]
        assert sum(values) == float(total), name
    log_in(client, app, staff.coordinator_b)
    refused = client.get(f"/steering/figures/visits?unit_id={town.village_a_id}")
    assert refused.status_code == 403


def test_figures_reach_the_reports(app, client, staff, town):
    _setup(app, staff, town)
    log_in(client, app, staff.manager)
    html = client.get("/reports/?start=2025-03-01&end=2025-04-01").get_data(as_text=True)
    assert "逾期任务" in html and "业务培训学时" in html


def test_steering_pages_work_with_every_other_plugin_off(make_app, make_user):
    from core import orgunits
    from core.models import OrgUnitKind

    app = make_app(plugins="steering")
    with app.app_context():
        town = orgunits.create_unit(None, OrgUnitKind.town, "独镇")
        village = orgunits.create_unit(town, OrgUnitKind.village, "独村")
        _db.session.commit()
        town_id, village_id = town.id, village.id
    manager = make_user("programme_manager", town_id)
    client = app.test_client()
    log_in(client, app, manager)
    for url in (
        "/steering/tasks",
        "/steering/tasks/new",
        "/steering/visits",
        f"/steering/visits/new?unit_id={village_id}",
        "/steering/meetings",
        "/steering/meetings/new",
        "/steering/training",
        "/steering/coverage",
        "/steering/standard",
        "/steering/standard/items",
        f"/steering/standard/units/{village_id}",
        "/steering/rules",
        "/steering/rules/volunteer_rules",
        "/dashboard",
        "/account",
    ):
        assert client.get(url).status_code == 200, url
    assert "活动日历未启用" in client.get(f"/steering/visits/new?unit_id={village_id}").get_data(
        True
    )
