"""The audit-log page (/admin/audit/): each filter narrows the list, dates in Shanghai time, and
only the roles that hold ``core.view_audit`` may read it."""

from __future__ import annotations

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
        ("action=user_", ["记录丙", "记录甲"]),  # part of the name is enough
        ("action=nothing.like.this", []),
        ("object_type=user_account", ["记录丙", "记录甲"]),
        ("object_type=user", []),  # the object type must match whole
        ("object_type=calendar_event", ["记录乙"]),
    ]:
        assert audit_page(query) == expected, query


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
    assert audit_page("action=core.user&start=2026-03-10") == ["记录丙"]


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
