"""Tasks: creation with its bad input, the workflow table on the object, evidence, lists."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import AuditLog, Notification
from tests.conftest import log_in
from tests.plugins.steering.conftest import PNG


def _count(app, model):
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model))


def _new(client, town, **overrides):
    from core.timeutil import local_today as today

    data = {
        "unit_id": town.village_a_id,
        "title": "补齐十月学习记录",
        "owner_id": "",
        "deadline": (today() + timedelta(days=5)).isoformat(),
        **overrides,
    }
    return client.post("/steering/tasks/new", data=data)


def test_manager_gives_a_task_and_the_owner_hears_of_it(app, client, staff, town):
    from plugins.steering.models import Task

    log_in(client, app, staff.manager)
    response = _new(client, town, owner_id=staff.coordinator_a, helper_ids=[staff.counsellor_a])
    assert response.status_code == 302
    with app.app_context():
        task = _db.session.scalar(select(Task))
        assert (task.owner_id, task.state, task.source) == (staff.coordinator_a, "open", "manual")
        assert task.helper_ids == {staff.counsellor_a}
        assert [e.action for e in task.events] == ["create"]
        subjects = _db.session.scalars(
            select(Notification.user_id).where(Notification.subject.startswith("新的督办任务"))
        ).all()
        assert sorted(subjects) == sorted([staff.coordinator_a, staff.counsellor_a])
        notice = _db.session.scalar(select(Notification))
        assert (notice.link_endpoint, notice.link_values) == ("steering.task", {"task_id": task.id})
        assert notice.url == f"/steering/tasks/{task.id}"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"owner_id": ""}, "请选择任务负责人。"),
        ({"deadline": "2020-01-01"}, "办结期限不能早于今天。"),
        ({"deadline": ""}, "请填写办结期限。"),
        ({"title": "  "}, "请填写任务内容。"),
        ("outsider", "负责人须是该单位或上级的工作人员。"),
    ],
    ids=["no-owner", "past-deadline", "no-deadline", "no-title", "owner-elsewhere"],
)
def test_bad_task_input_gets_a_message_and_saves_nothing(
    app, client, staff, town, overrides, message
):
    from plugins.steering.models import Task

    log_in(client, app, staff.manager)
    if overrides == "outsider":
        overrides = {"owner_id": staff.coordinator_b}  # village B's coordinator, task for A
    else:
        overrides = {"owner_id": staff.coordinator_a, **overrides}
    response = _new(client, town, **overrides)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app, Task) == 0


def test_coordinator_may_not_give_tasks_and_counsellor_only_in_their_area(app, client, staff, town):
    log_in(client, app, staff.coordinator_a)
    assert _new(client, town, owner_id=staff.coordinator_a).status_code == 403
    log_in(client, app, staff.counsellor_a)
    assert (
        _new(client, town, unit_id=town.village_b_id, owner_id=staff.coordinator_b).status_code
        == 403
    )
    assert _new(client, town, owner_id=staff.coordinator_a).status_code == 302


def _act(client, task_id, action, **data):
    return client.post(f"/steering/tasks/{task_id}/{action}", data=data)


def test_whole_way_with_send_back_and_acceptance(app, client, staff, make_task):
    from plugins.steering.models import Task

    task_id = make_task()
    log_in(client, app, staff.coordinator_a)
    assert _act(client, task_id, "start").status_code == 302
    refused = _act(client, task_id, "submit")
    assert refused.status_code == 400 and "请先上传至少一份佐证材料" in refused.get_data(True)
    upload = {"file": (io.BytesIO(PNG), "photo.png")}
    assert client.post(f"/steering/tasks/{task_id}/evidence", data=upload).status_code == 302
    assert _act(client, task_id, "submit").status_code == 302
    log_in(client, app, staff.manager)
    no_reason = _act(client, task_id, "send_back", reason="")
    assert no_reason.status_code == 400 and "退回任务时请写明原因" in no_reason.get_data(True)
    assert _act(client, task_id, "send_back", reason="照片看不清").status_code == 302
    log_in(client, app, staff.coordinator_a)
    assert _act(client, task_id, "submit").status_code == 302
    log_in(client, app, staff.manager)
    assert _act(client, task_id, "accept").status_code == 302
    with app.app_context():
        task = _db.session.get(Task, task_id)
        assert task.state == "accepted" and task.closed_at is not None
        assert [(e.action, e.to_state, e.reason) for e in task.events] == [
            ("start", "in_progress", ""),
            ("submit", "submitted", ""),
            ("send_back", "returned", "照片看不清"),
            ("submit", "submitted", ""),
            ("accept", "accepted", ""),
        ]
        actions = _db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.action.startswith("steering.task_"))
            .order_by(AuditLog.id)
        ).all()
        assert actions == [
            "steering.task_start",
            "steering.task_submit",
            "steering.task_send_back",
            "steering.task_submit",
            "steering.task_accept",
        ]


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("coordinator_b", "submit", 403),  # village B's coordinator on village A's task
        ("coordinator_b", "accept", 403),
        ("resident", "start", 403),
        ("manager", "submit", 403),  # not the owner
        ("coordinator_a", "accept", 403),  # owner cannot accept
        ("counsellor_a", "accept", 409),  # wrong state (open)
    ],
)
def test_forbidden_steps_change_nothing(app, client, staff, make_task, who, action, status):
    from plugins.steering.models import Task

    task_id = make_task(evidence=True)
    log_in(client, app, getattr(staff, who))
    response = _act(client, task_id, action)
    assert response.status_code == status
    with app.app_context():
        assert _db.session.get(Task, task_id).state == "open"


def test_owner_who_is_a_manager_cannot_accept_their_own_task(app, client, staff, make_task):
    from plugins.steering.models import Task

    task_id = make_task(owner=staff.manager, state="submitted", creator=staff.other_manager)
    log_in(client, app, staff.manager)
    response = _act(client, task_id, "accept")
    assert response.status_code == 403
    assert "不能验收自己负责的任务" in response.get_data(as_text=True)
    log_in(client, app, staff.other_manager)
    assert _act(client, task_id, "accept").status_code == 302
    with app.app_context():
        assert _db.session.get(Task, task_id).state == "accepted"


def test_task_page_is_refused_to_other_villages_and_visitors(app, client, staff, make_task):
    task_id = make_task()
    assert client.get(f"/steering/tasks/{task_id}").status_code == 302  # to log-in
    log_in(client, app, staff.coordinator_b)
    assert client.get(f"/steering/tasks/{task_id}").status_code == 403
    assert _act(client, 987654, "start").status_code == 404
    log_in(client, app, staff.coordinator_a)
    assert client.get(f"/steering/tasks/{task_id}").status_code == 200
    assert _act(client, task_id, "fly").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"#!/bin/sh\necho hi\n", "photo.jpg", "不支持这种文件"),
        (PNG + b"\0" * (1024 * 1024), "big.png", "文件太大"),
        (b"", "empty.png", "请选择要上传的文件"),
    ],
    ids=["wrong-type", "too-large", "none"],
)
def test_bad_evidence_is_refused_and_nothing_stored(
    app, client, staff, make_task, content, name, message
):
    from plugins.steering.models import TaskEvidence

    app.config["STEERING_EVIDENCE_MAX_BYTES"] = 1024 * 1024
    task_id = make_task()
    log_in(client, app, staff.coordinator_a)
    data = {"file": (io.BytesIO(content), name if content else "")}
    response = client.post(f"/steering/tasks/{task_id}/evidence", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app, TaskEvidence) == 0


def test_evidence_file_served_to_task_people_only(app, client, staff, make_task):
    task_id = make_task()
    log_in(client, app, staff.coordinator_a)
    client.post(f"/steering/tasks/{task_id}/evidence", data={"file": (io.BytesIO(PNG), "p.png")})
    from plugins.steering.models import TaskEvidence

    with app.app_context():
        evidence_id = _db.session.scalar(select(TaskEvidence.id))
    assert client.get(f"/steering/evidence/{evidence_id}").data == PNG
    log_in(client, app, staff.coordinator_b)
    assert client.get(f"/steering/evidence/{evidence_id}").status_code == 403
    log_in(client, app, staff.other_manager)  # the outsider with a helper role? no: manager
    assert client.get(f"/steering/evidence/{evidence_id}").status_code == 200


def test_uploads_check_knows_the_evidence_files(app, client, staff, make_task):
    """``flask uploads check`` sees a stored evidence file as referred to (no orphan to
    delete), and a record whose file is gone as missing."""
    from core.uploads_check import check_uploads
    from plugins.steering.models import TaskEvidence

    task_id = make_task()
    log_in(client, app, staff.coordinator_a)
    client.post(f"/steering/tasks/{task_id}/evidence", data={"file": (io.BytesIO(PNG), "p.png")})
    with app.app_context():
        stored = _db.session.scalar(select(TaskEvidence.stored_name))
        report = check_uploads()
        assert not [path for path in report.orphans if path.name == stored]
        assert not report.missing
        from plugins.steering.services import evidence_folder

        (evidence_folder() / stored).unlink()
        assert [name for name, _owner in check_uploads().missing] == [f"steering/{stored}"]


def test_list_filters_and_xlsx(app, client, staff, town, make_task):
    overdue = make_task(days=-3)
    make_task(unit_id=town.village_b_id, owner=staff.coordinator_b)
    log_in(client, app, staff.coordinator_a)
    page = client.get("/steering/tasks").get_data(as_text=True)
    assert f'data-task="{overdue}"' in page and page.count("data-task=") == 1
    log_in(client, app, staff.manager)
    page = client.get("/steering/tasks?state=overdue").get_data(as_text=True)
    assert page.count("data-task=") == 1 and "逾期" in page
    page = client.get(f"/steering/tasks?unit_id={town.village_b_id}").get_data(as_text=True)
    assert page.count("data-task=") == 1 and f'data-task="{overdue}"' not in page
    book = load_workbook(io.BytesIO(client.get("/steering/tasks.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "单位", "任务内容", "负责人")
    assert sorted((r[1], r[7]) for r in rows[1:]) == [("乙村", None), ("甲村", "逾期")]


def test_overdue_on_the_owners_dashboard_and_daily_notice(app, client, runner, staff, make_task):
    task_id = make_task(days=-2)
    make_task(days=3)
    log_in(client, app, staff.coordinator_a)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "您有 1 个任务已逾期" in page and f"/steering/tasks/{task_id}" in page
    log_in(client, app, staff.coordinator_b)
    assert "steering-panel" not in client.get("/dashboard").get_data(as_text=True)
    first = runner.invoke(args=["steering", "remind"])
    assert "queued 3 overdue notice(s)" in first.output  # owner and both managers
    again = runner.invoke(args=["steering", "remind"])
    assert "queued 0 overdue notice(s)" in again.output
    with app.app_context():
        people = _db.session.scalars(
            select(Notification.user_id).where(Notification.subject.contains("已逾期"))
        ).all()
    assert sorted(people) == sorted([staff.coordinator_a, staff.manager, staff.other_manager])
    bad = runner.invoke(args=["steering", "remind", "--day", "tomorrow"])
    assert bad.exit_code != 0
