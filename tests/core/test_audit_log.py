"""The audit-log page (/admin/audit/): each filter narrows the list, dates in Shanghai time, and
only the roles that hold ``core.view_audit`` may read it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.extensions import db as _db
from core.models import AuditLog
from tests.conftest import log_in

#: marker → (actor, action, object type, when in UTC). Newest first, as the page lists them.
ENTRIES = {
    "记录丙": ("wang", "core.user_enabled", "user_account", datetime(2026, 3, 12, 2, 0)),
    "记录丁": (None, "volunteers.skill_added", "volunteers_skill", datetime(2026, 3, 11, 2, 0)),
    # 00:30 on 10 March in Shanghai, 23:30 on 9 March in Shanghai: either side of midnight.
    "记录乙": ("li", "calendar.event_created", "calendar_event", datetime(2026, 3, 9, 16, 30)),
    "记录甲": ("li", "core.user_disabled", "user_account", datetime(2026, 3, 9, 15, 30)),
}


@pytest.fixture
def audit_page(app, client, town, make_user):
    """Four audit entries by two named people and the system; the site admin signed in.
    ``audit_page(query)`` → the markers of the entries listed, in page order."""
    actors = {
        "li": make_user(name="李四", phone="13812345678"),
        "wang": make_user(name="王五", phone="13987654321"),
    }
    with app.app_context():
        for marker, (actor, action, object_type, when) in ENTRIES.items():
            _db.session.add(
                AuditLog(
                    actor_id=actors[actor] if actor else None,
                    action=action,
                    object_type=object_type,
                    object_id="1",
                    summary=marker,
                    created_at=when.replace(tzinfo=UTC),
                )
            )
        _db.session.commit()
    log_in(client, app, make_user("site_admin", town.town_id, name="管理员"))

    def listed(query: str = "") -> list[str]:
        response = client.get(f"/admin/audit/?{query}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return sorted((m for m in ENTRIES if m in page), key=page.index)

    return listed


def test_unfiltered_lists_everything_newest_first(audit_page):
    assert audit_page() == ["记录丙", "记录丁", "记录乙", "记录甲"]


def test_action_and_object_type_filters(audit_page):
    for query, expected in [
        ("action=core.user_disabled", ["记录甲"]),
        ("action=volunteers.skill_added", ["记录丁"]),
        ("action=core.user_created", []),
        ("object_type=user_account", ["记录丙", "记录甲"]),
        ("object_type=calendar_event", ["记录乙"]),
        ("action=core.user_enabled&object_type=calendar_event", []),
    ]:
        assert audit_page(query) == expected, query


def test_actions_and_objects_show_human_labels_and_filters_are_choices(client, audit_page):
    audit_page()
    page = client.get("/admin/audit/").get_data(as_text=True)
    rows = page[page.index("<tbody>") :]
    for label in ("启用账号", "添加技能", "创建活动", "停用账号", "账号 #1", "活动 #1", "技能 #1"):
        assert label in rows, label
    for key in ("core.user_enabled", "volunteers.skill_added", "user_account", "calendar_event"):
        assert key not in rows, key
    start = page.index('<form method="get"')
    form = page[start : page.index("</form>", start)]
    assert '<select id="action" name="action"' in form
    assert '<option value="core.role_granted">授予角色</option>' in form
    assert '<option value="calendar_event">活动</option>' in form


def test_actor_filter_by_name_or_phone(audit_page):
    for actor, expected in [
        ("李四", ["记录乙", "记录甲"]),
        ("王", ["记录丙"]),
        ("13812345678", ["记录乙", "记录甲"]),
        ("1398765", ["记录丙"]),  # part of a phone number
        ("赵六", []),
    ]:
        assert audit_page(f"actor={actor}") == expected, actor


def test_date_filters_use_shanghai_days(audit_page):
    for query, expected in [
        ("start=2026-03-10", ["记录丙", "记录丁", "记录乙"]),
        ("end=2026-03-09", ["记录甲"]),  # the whole of 9 March, Shanghai time
        ("start=2026-03-10&end=2026-03-11", ["记录丁", "记录乙"]),
        ("start=2026-03-12&end=2026-03-12", ["记录丙"]),
        ("start=2026-03-13", []),
    ]:
        assert audit_page(query) == expected, query


def test_filters_combine(audit_page):
    assert audit_page("actor=李四&object_type=user_account") == ["记录甲"]
    assert audit_page("action=core.user_enabled&start=2026-03-10") == ["记录丙"]


def test_end_before_start_is_refused_beside_the_field(app, client, audit_page):
    page = client.get("/admin/audit/?start=2026-03-12&end=2026-03-10").get_data(as_text=True)
    assert "截止日期不能早于起始日期。" in page


def test_others_are_refused(client, login_as, town):
    """Residents, volunteers, lecturers, and staff without ``core.view_audit``."""
    for role in ("resident", "volunteer", "lecturer", "village_coordinator", "counsellor"):
        login_as(role, town.town_id)
        response = client.get("/admin/audit/?action=core")
        assert response.status_code == 403, role
    login_as("mediator", town.justice_id)
    assert client.get("/admin/audit/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/audit/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _recorded_actions(app) -> set[str]:
    """Every action the code records: literal first arguments of ``audit.record``, the rows of
    every ``core.statemachine.Table``, and the action names a module passes to its own helper."""
    import ast
    import importlib
    from pathlib import Path

    from core.plugins import registry
    from core.statemachine import Table
    from plugins.steering.workflow import ACTIONS as TASK_ACTIONS

    # Actions named by an f-string over a workflow table: the table gives every name.
    formatted = {
        "f'steering.task_{action}'": {f"steering.task_{key}" for key in TASK_ACTIONS},
    }

    not_actions = {p.name for p in registry(app).permissions.values()} | {
        rule.endpoint for rule in app.url_map.iter_rules()
    }
    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in [*root.glob("core/**/*.py"), *root.glob("plugins/*/**/*.py")]:
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        tree = ast.parse(source)
        if "Table(" in source and path.parts[-2:] != ("core", "statemachine.py"):
            dotted = ".".join(path.relative_to(root).with_suffix("").parts)
            for table in vars(importlib.import_module(dotted)).values():
                if isinstance(table, Table):  # audit=True: <prefix>.<action>; a str: that name
                    found |= {
                        row.audit if isinstance(row.audit, str) else f"{table.audit_prefix}.{act}"
                        for (_state, act), row in table.transitions.items()
                        if row.audit
                    }
        for call in ast.walk(tree):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "record"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "audit"
            ):
                continue
            first = call.args[0]
            if isinstance(first, ast.Constant):
                found.add(first.value)
            elif isinstance(first, ast.JoinedStr):
                assert ast.unparse(first) in formatted, path
                found |= formatted[ast.unparse(first)]
            else:  # a variable: the action names written in this module
                found |= {
                    node.value
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and re.fullmatch(
                        r"(core|calendar|competitions|credits|learning|lecturers|reports|steering|volunteers)\.[a-z_]+",
                        node.value,
                    )
                    and node.value not in not_actions
                }
    return found


def test_every_recorded_action_has_a_label(app):
    from core.audit_labels import labels

    with app.test_request_context():
        known = labels()
        actions = _recorded_actions(app)
        assert {
            "calendar.walk_in_recorded",
            "calendar.event_cancelled",
            "lecturers.decline",
        } <= actions
        missing = sorted(a for a in actions if a not in known)
        assert missing == [], "\n".join(missing)
        assert str(known["core.role_granted"]) == "授予角色"
