"""core.statemachine: the one shape every workflow uses (refusals, effects, audit, notices)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.models import AuditLog, Notification, User
from core.statemachine import SYSTEM, Table, TransitionRefused, step

OWNER, CLERK = "owner", "clerk"


@dataclass
class Parcel:
    """A toy object with a state, an id and a table name (what audit.record reads)."""

    id: int
    owner_id: int
    clerk_id: int
    state: str = "new"
    __tablename__ = "toy_parcel"


def _kinds(user, parcel: Parcel) -> set[str]:
    return ({OWNER} if user.id == parcel.owner_id else set()) | (
        {CLERK} if user.id == parcel.clerk_id else set()
    )


def _recipients(parcel: Parcel, kinds: tuple[str, ...]) -> set[int]:
    return ({parcel.owner_id} if OWNER in kinds else set()) | (
        {parcel.clerk_id} if CLERK in kinds else set()
    )


def _send(parcel: Parcel, user, *, weight: int = 1) -> str | None:
    if weight > 20:
        raise TransitionRefused("包裹太重。", 422)
    return f"{weight} 公斤" if weight > 1 else None


def table(timeline: list) -> Table:
    return Table(
        audit_prefix="toy",
        noun="包裹",
        states={"new": "新建", "sent": "已寄出", "lost": "已丢失"},
        actions={"send": "寄出", "lose": "报失", "expire": "过期"},
        transitions={
            ("new", "send"): step("sent", {CLERK}, notify=(OWNER, CLERK)),
            ("sent", "lose"): step("lost", {OWNER}, audit="toy.parcel_lost"),
            ("new", "expire"): step("lost", {SYSTEM}, audit=False),
        },
        actor_kinds=_kinds,
        subject=lambda parcel: f"包裹 #{parcel.id}",
        recipients=_recipients,
        effects={"send": _send},
        link=lambda parcel: ("notifications.index", {}),
        on_applied=timeline.append,
    )


@pytest.fixture
def people(app, make_user):
    owner, clerk = make_user(name="收件人"), make_user(name="邮递员")
    with app.app_context():
        yield _db.session.get(User, owner), _db.session.get(User, clerk)


def test_a_row_naming_an_unknown_state_is_refused_when_the_table_is_built():
    with pytest.raises(ValueError, match="gone"):
        Table(
            audit_prefix="toy",
            states={"new": "新建"},
            actions={"send": "寄出"},
            transitions={("new", "send"): step("gone", {CLERK})},
        )


def test_apply_runs_effect_sets_state_audits_notifies_and_records(people):
    owner, clerk = people
    timeline: list = []
    parcel = Parcel(id=7, owner_id=owner.id, clerk_id=clerk.id)
    applied = table(timeline).apply(parcel, "send", clerk, weight=5)
    _db.session.flush()
    assert (parcel.state, applied.from_state, applied.to_state) == ("sent", "new", "sent")
    assert applied.reason == "5 公斤" and timeline == [applied]
    [row] = _db.session.scalars(select(AuditLog).where(AuditLog.action == "toy.send")).all()
    assert (row.object_type, row.object_id, row.summary) == (
        "toy_parcel",
        "7",
        "包裹 #7：寄出，5 公斤",
    )
    # The actor is never told of their own step; the owner is, with a link resolved later.
    [notice] = _db.session.scalars(select(Notification)).all()
    assert (notice.user_id, notice.subject) == (owner.id, "包裹寄出：包裹 #7")
    assert notice.body == "状态：已寄出。说明：5 公斤"
    assert (notice.link_endpoint, notice.url) == ("notifications.index", "/notifications/")


def test_refusals_change_nothing_and_say_why(people):
    owner, clerk = people
    timeline: list = []
    machine = table(timeline)
    parcel = Parcel(id=8, owner_id=owner.id, clerk_id=clerk.id)
    cases = [
        (owner, "send", {}, 403, "您无权对这个包裹执行「寄出」。"),
        (owner, "lose", {}, 409, "包裹当前状态为「新建」，不能报失。"),
        (clerk, "fly", {}, 404, "未知操作：fly"),
        (clerk, "send", {"weight": 30}, 422, "包裹太重。"),
        (clerk, "expire", {}, 403, "您无权对这个包裹执行「过期」。"),
    ]
    for user, action, data, status, message in cases:
        with pytest.raises(TransitionRefused) as refused:
            machine.apply(parcel, action, user, **data)
        assert (refused.value.status, refused.value.message) == (status, message)
    assert parcel.state == "new" and timeline == []
    assert _db.session.scalars(select(AuditLog)).all() == []


def test_allowed_actions_follow_the_table_and_the_actor(people):
    owner, clerk = people
    machine = table([])
    parcel = Parcel(id=9, owner_id=owner.id, clerk_id=clerk.id)
    assert machine.allowed_actions(clerk, parcel) == ["send"]
    assert machine.allowed_actions(owner, parcel) == []
    assert machine.allowed_actions(None, parcel) == ["expire"]
    assert machine.can(clerk, parcel, "send") and not machine.can(owner, parcel, "send")


def test_audit_may_be_renamed_or_left_out(people):
    owner, clerk = people
    machine = table([])
    parcel = Parcel(id=10, owner_id=owner.id, clerk_id=clerk.id)
    machine.apply(parcel, "send", clerk)
    machine.apply(parcel, "lose", owner)
    expired = Parcel(id=11, owner_id=owner.id, clerk_id=clerk.id)
    machine.apply(expired, "expire", None)
    _db.session.flush()
    actions = _db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["toy.send", "toy.parcel_lost"] and expired.state == "lost"


def test_a_notice_link_is_resolved_when_delivered_and_survives_a_dropped_endpoint(app, make_user):
    from core import notify

    user_id = make_user(name="甲")
    with app.app_context():
        kept = notify.notify(user_id, "看通知", link=("notifications.index", {}))
        gone = notify.notify(user_id, "旧链接", link=("plugin_switched_off.page", {"id": 1}))
        _db.session.commit()
        assert (kept.url, gone.url) == ("/notifications/", None)
        with pytest.raises(TypeError):  # a path breaks when a URL moves: name the endpoint
            notify.notify(user_id, "路径", link="/calendar/")


def test_action_to_finds_the_step_a_posted_target_state_means(people):
    owner, clerk = people
    machine = table([])
    parcel = Parcel(id=12, owner_id=owner.id, clerk_id=clerk.id)
    assert machine.action_to(parcel, "sent") == "send"
    assert machine.action_to(parcel, "new") is None  # no row leads from new to new
    parcel.state = "sent"
    assert (machine.action_to(parcel, "lost"), machine.action_to(parcel, "sent")) == ("lose", None)
