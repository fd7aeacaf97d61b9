"""群众点单: residents ask, their village's coordinator merges or declines (one job each)."""

from __future__ import annotations

from sqlalchemy import select

from core import audit, notify
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.permissions import can
from core.timeutil import utcnow
from plugins.lecturers.models import Topic
from plugins.lecturers.requests.models import OPEN_STATES, LectureRequest, ResidentWish


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


def _tell(wish: ResidentWish, subject: str, body: str) -> None:
    notify.notify(
        wish.user_id,
        subject,
        body,
        link="/lectures/wishes/",
        kind="order",
        dedupe_key=f"lecturers:wish:{wish.id}:{wish.state}",
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
    now = utcnow()
    for wish in wishes:
        wish.state, wish.request_id = "merged", order.id
        wish.decided_at, wish.decided_by_id = now, user.id
        _tell(
            wish,
            f"您的点单已并入村里的点单：{order.topic.name}",
            "村里已把您的心愿并入点单，可在“我的群众点单”查看进展。",
        )
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
    now = utcnow()
    for wish in wishes:
        wish.state, wish.decline_reason = "declined", reason
        wish.decided_at, wish.decided_by_id = now, user.id
        _tell(wish, "您的群众点单村里暂未采纳", f"原因：{reason}")
        audit.record("lecturers.wish_declined", wish, f"群众点单 #{wish.id} 未采纳：{reason}")
    return len(wishes)


def village_orders(user) -> list[LectureRequest]:
    """Open orders the coordinator may merge wishes into."""
    rows = db.session.scalars(
        select(LectureRequest)
        .where(LectureRequest.state.in_(OPEN_STATES))
        .order_by(LectureRequest.id.desc())
    ).all()
    return [order for order in rows if can(user, "lecturers.request", order)]
