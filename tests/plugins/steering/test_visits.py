"""Inspection visits: the checklist shows the site's holdings, findings become tasks at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.timeutil import from_local
from tests.conftest import log_in

MATERIALS = ("signin", "study_plan", "learning_record", "activity_plan", "photo", "press_release")


def _form(town, **overrides):
    from core.timeutil import local_today as today

    data = {
        "visited_on": today().isoformat(),
        "visitors": "梁晓勇、唐晓萍",
        "period_start": "2026-01-01",
        "period_end": today().isoformat(),
        "findings": "学习记录不全\n活动照片未上传",
        "task_owner_id": "",
        "task_deadline": "",
        **{f"result_{key}": "ok" for key in MATERIALS},
        **overrides,
    }
    return data


def _photo(app, town):
    from plugins.calendar.models import CalendarAttendance, CalendarEvent, CalendarMaterial
    from plugins.calendar.services import ensure_categories

    with app.app_context():
        start = from_local(datetime(2026, 3, 5, 19, 0))
        event = CalendarEvent(
            uid="v-1",
            title="三月夜校",
            category_id=ensure_categories()[0].id,
            org_unit_id=town.village_a_id,
            start_at=start,
            end_at=start + timedelta(hours=1),
            last_end_at=start + timedelta(hours=1),
        )
        _db.session.add(event)
        _db.session.flush()
        _db.session.add(
            CalendarAttendance(event_id=event.id, original_start=start, walk_in_name="王")
        )
        _db.session.add(
            CalendarMaterial(
                event_id=event.id,
                original_start=start,
                org_unit_id=town.village_a_id,
                kind="photo",
                original_name="三月合影.jpg",
                stored_name="s1.jpg",
                content_type="image/jpeg",
                size=3,
            )
        )
        _db.session.commit()


def test_checklist_starts_from_what_the_site_holds(app, client, staff, town):
    _photo(app, town)
    log_in(client, app, staff.counsellor_a)
    page = client.get(
        f"/steering/visits/new?unit_id={town.village_a_id}&start=2026-03-01&end=2026-03-31"
    ).get_data(as_text=True)
    assert "三月合影.jpg" in page and "/calendar/materials/" in page
    assert "三月夜校" in page and "/signin" in page
    empty = client.get(
        f"/steering/visits/new?unit_id={town.village_a_id}&start=2026-04-01&end=2026-04-30"
    ).get_data(as_text=True)
    assert "三月合影.jpg" not in empty


def test_visit_with_findings_turned_into_tasks_in_one_step(app, client, staff, town):
    from core.timeutil import local_today as today
    from plugins.steering.models import Task, Visit

    _photo(app, town)
    log_in(client, app, staff.counsellor_a)
    deadline = (today() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/steering/visits/new?unit_id={town.village_a_id}",
        data=_form(
            town,
            result_learning_record="partial",
            note_learning_record="缺九月",
            task_owner_id=staff.coordinator_a,
            task_deadline=deadline,
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        visit = _db.session.scalar(select(Visit))
        checks = {c.material: (c.result, c.note, c.site_count) for c in visit.checks}
        assert checks["learning_record"] == ("partial", "缺九月", 0)
        assert checks["photo"] == ("ok", "", 1) and checks["signin"] == ("ok", "", 1)
        made = _db.session.scalars(select(Task).order_by(Task.id)).all()
        assert [(t.title, t.source, t.visit_id, t.owner_id) for t in made] == [
            ("学习记录不全", "visit", visit.id, staff.coordinator_a),
            ("活动照片未上传", "visit", visit.id, staff.coordinator_a),
        ]
    page = client.get(f"/steering/visits/{visit.id}").get_data(as_text=True)
    assert "学习记录不全" in page and "缺九月" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"task_owner_id": "OWNER", "task_deadline": "2020-01-01"}, "办结期限不能早于今天。"),
        ({"task_owner_id": "OWNER", "task_deadline": ""}, "请填写办结期限。"),
        ({"task_owner_id": "OWNER", "findings": ""}, "没有可生成整改任务的问题"),
        ({"task_owner_id": "B"}, "负责人须是该单位或上级的工作人员。"),
        ({"visited_on": "2099-01-01"}, "检查日期不能晚于今天。"),
        ({"result_photo": "maybe"}, "请为每项资料选择检查结果。"),
        ({"period_end": "2025-01-01"}, "截止日不能早于起始日。"),
    ],
    ids=[
        "past-deadline",
        "no-deadline",
        "no-findings",
        "owner-elsewhere",
        "future",
        "bad-result",
        "period",
    ],
)
def test_bad_visit_input_saves_neither_visit_nor_tasks(
    app, client, staff, town, overrides, message
):
    from core.timeutil import local_today as today
    from plugins.steering.models import Task, Visit

    log_in(client, app, staff.manager)
    owner = {"OWNER": staff.coordinator_a, "B": staff.coordinator_b}
    data = _form(town, task_deadline=(today() + timedelta(days=3)).isoformat())
    data.update({k: owner.get(v, v) for k, v in overrides.items()})
    response = client.post(f"/steering/visits/new?unit_id={town.village_a_id}", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Visit.id))) == 0
        assert _db.session.scalar(select(func.count(Task.id))) == 0


def test_visits_are_refused_outside_ones_units(app, client, staff, town):
    log_in(client, app, staff.counsellor_a)
    assert client.get(f"/steering/visits/new?unit_id={town.village_b_id}").status_code == 403
    refused = client.post(f"/steering/visits/new?unit_id={town.village_b_id}", data=_form(town))
    assert refused.status_code == 403
    log_in(client, app, staff.coordinator_a)
    assert client.get("/steering/visits").status_code == 403
    log_in(client, app, staff.manager)
    assert client.get("/steering/visits/new?unit_id=987654").status_code == 404
    assert client.get(f"/steering/visits/new?unit_id={town.justice_id}").status_code == 302
    assert client.get("/steering/visits/987654").status_code == 404
    page = client.get("/steering/visits").get_data(as_text=True)
    assert "甲村" in page and "中心小学" in page and "司法所" not in page


def test_visit_page_for_the_units_staff_only(app, client, staff, town):
    log_in(client, app, staff.manager)
    client.post(f"/steering/visits/new?unit_id={town.village_a_id}", data=_form(town))
    from plugins.steering.models import Visit

    with app.app_context():
        visit_id = _db.session.scalar(select(Visit.id))
    log_in(client, app, staff.coordinator_b)
    assert client.get(f"/steering/visits/{visit_id}").status_code == 403
    log_in(client, app, staff.coordinator_a)
    assert client.get(f"/steering/visits/{visit_id}").status_code == 200
    assert f'data-visit="{visit_id}"' not in client.get("/steering/visits").get_data(True)


def test_checklist_without_the_calendar_says_so(make_app):
    from datetime import date

    from core import orgunits
    from core.models import OrgUnitKind
    from plugins.steering import visits

    app = make_app(plugins="steering")
    with app.test_request_context():
        unit = orgunits.create_unit(None, OrgUnitKind.village, "丙村")
        rows, asked = visits.checklist(unit, date(2026, 1, 1), date(2026, 2, 1))
        assert asked is False
        assert [(row.material, row.holdings) for row in rows] == [(key, []) for key in MATERIALS]
