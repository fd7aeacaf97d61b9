"""群众点单: residents ask, their village's coordinator merges or declines (one job each)."""

from __future__ import annotations

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.permissions import can
from core.statemachine import Applied, Table, step
from core.timeutil import utcnow
from plugins.lecturers.models import N_, Topic
from plugins.lecturers.requests.models import (
    OPEN_STATES,
    WISH_STATES,
    LectureRequest,
    ResidentWish,
)


class WishRefused(Exception):
    """Shown to the person as it is (Chinese)."""


def submit(user, topic_id: int | None, text: str) -> ResidentWish:
    """A resident's wish for their home village. Caller commits."""
    village = db.session.get(OrgUnit, user.home_unit_id) if user.home_unit_id else None
    if village is None or village.kind not in VILLAGE_KINDS:
        raise WishRefused("请先在个人资料里选择所在村（社区）。")
    text = (text or "").strip()
    if not text:
        raise WishRefused("请写下想听的内容或需要的服务。")
    topic = db.session.get(Topic, topic_id) if topic_id else None
    if topic_id and (topic is None or not topic.active):
        raise WishRefused("请从菜单中选择一个题目。")
    wish = ResidentWish(
        org_unit_id=village.id,
        user_id=user.id,
        topic_id=topic.id if topic else None,
        wish=text[:300],
    )
    db.session.add(wish)
    db.session.flush()
    return wish


def open_wishes_for(user) -> list[ResidentWish]:
    """Open wishes of the villages where ``user`` may order lectures (the coordinator's list)."""
    rows = db.session.scalars(
        select(ResidentWish).where(ResidentWish.state == "open").order_by(ResidentWish.id)
    ).all()
    return [wish for wish in rows if can(user, "lecturers.request", wish)]


def _decidable(user, wish_ids: list[int]) -> list[ResidentWish]:
    wishes = db.session.scalars(
        select(ResidentWish).where(ResidentWish.id.in_(wish_ids)).with_for_update()
    ).all()
    if not wishes:
        raise WishRefused("请至少勾选一条群众点单。")
    for wish in wishes:
        if not can(user, "lecturers.request", wish):
            raise PermissionError(wish.id)
        if wish.state != "open":
            raise WishRefused(f"群众点单 #{wish.id} 已经处理过了。")
    return wishes


RESIDENT, VILLAGE = "resident", "village"


def _notice(applied: Applied) -> tuple[str, str]:
    wish = applied.obj
    if applied.action == "merge":
        return (
            f"您的点单已并入村里的点单：{wish.request.topic.name}",
            "村里已把您的心愿并入点单，可在“我的群众点单”查看进展。",
        )
    return "您的群众点单村里暂未采纳", f"原因：{wish.decline_reason}"


def _merge(wish: ResidentWish, user, order: LectureRequest | None = None, **data) -> str:
    wish.request_id, wish.request = order.id, order
    wish.decided_at, wish.decided_by_id = utcnow(), user.id
    return ""


def _decline(wish: ResidentWish, user, reason: str = "", **data) -> str:
    wish.decline_reason = reason
    wish.decided_at, wish.decided_by_id = utcnow(), user.id
    return reason


#: A wish's two outcomes; only ``WISH.apply`` changes ``ResidentWish.state``. Merging is
#: audited once for all the wishes merged (on the order), declining once per wish.
WISH = Table(
    audit_prefix="lecturers",
    noun="群众点单",
    states=WISH_STATES,
    actions={"merge": N_("并入点单"), "decline": N_("不采纳")},
    transitions={
        ("open", "merge"): step("merged", {VILLAGE}, (RESIDENT,), audit=False),
        ("open", "decline"): step(
            "declined", {VILLAGE}, (RESIDENT,), audit="lecturers.wish_declined"
        ),
    },
    actor_kinds=lambda user, wish: {VILLAGE} if can(user, "lecturers.request", wish) else set(),
    subject=lambda wish: f"群众点单 #{wish.id}",
    recipients=lambda wish, who: {wish.user_id} if RESIDENT in who else set(),
    effects={"merge": _merge, "decline": _decline},
    link=lambda wish: ("lecturers.wishes_page", {}),
    notice=_notice,
    notice_kind="order",
)


def merge(user, wish_ids: list[int], request_id: int) -> int:
    """Attach the wishes to one open order of the same village. Caller commits."""
    wishes = _decidable(user, wish_ids)
    order = db.session.get(LectureRequest, request_id) if request_id else None
    if order is None or order.state not in OPEN_STATES:
        raise WishRefused("请选择村里一个进行中的点单。")
    if not can(user, "lecturers.request", order) or any(
        w.org_unit_id != order.org_unit_id for w in wishes
    ):
        raise WishRefused("只能并入同一个村的点单。")
    for wish in wishes:
        WISH.apply(wish, "merge", user, order=order)
    audit.record(
        "lecturers.wishes_merged",
        order,
        f"群众点单 {', '.join(f'#{w.id}' for w in wishes)} 并入点单 #{order.id}",
    )
    return len(wishes)


def decline(user, wish_ids: list[int], reason: str) -> int:
    """Decline the wishes with a reason the residents see. Caller commits."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise WishRefused("请填写不采纳的原因。")
    wishes = _decidable(user, wish_ids)
    for wish in wishes:
        WISH.apply(wish, "decline", user, reason=reason)
    return len(wishes)


def village_orders(user) -> list[LectureRequest]:
    """Open orders the coordinator may merge wishes into."""
    rows = db.session.scalars(
        select(LectureRequest)
        .where(LectureRequest.state.in_(OPEN_STATES))
        .order_by(LectureRequest.id.desc())
    ).all()
    return [order for order in rows if can(user, "lecturers.request", order)]
