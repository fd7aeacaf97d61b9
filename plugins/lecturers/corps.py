"""The lecturer corps: applications, recommendations, review, profiles (called by the views)."""

from __future__ import annotations

from sqlalchemy import func, select

from core import accounts, audit, notify, orgunits, permissions
from core.extensions import db
from core.models import OrgUnit
from core.orgunits import VILLAGE_KINDS
from core.statemachine import Applied, Table, TransitionRefused, step
from core.timeutil import utcnow
from plugins.lecturers.models import (
    LECTURER_STATUSES,
    N_,
    Lecturer,
    LecturerVillage,
    Offer,
    Topic,
)
from plugins.lecturers.requests.models import LectureRequest


def fill_choices(form) -> None:
    """Units, topics and villages for a lecturer form."""
    form.org_unit_id.choices = orgunits.unit_choices()
    form.topic_ids.choices = [
        (topic.id, f"{topic.domain.name} · {topic.name}")
        for topic in db.session.scalars(
            select(Topic).where(Topic.active.is_(True)).order_by(Topic.domain_id, Topic.name)
        )
    ]
    form.village_ids.choices = [(unit.id, unit.name) for unit in orgunits.villages()]


def load_form(form, lecturer: Lecturer) -> None:
    """Put a lecturer's profile into a fresh form."""
    form.org_unit_id.data = lecturer.org_unit_id
    form.title.data = lecturer.title
    form.bio.data = lecturer.bio
    form.topic_ids.data = lecturer.topic_ids
    form.formats.data = lecturer.format_codes
    form.village_ids.data = lecturer.village_ids
    form.monthly_max.data = lecturer.monthly_max
    form.active.data = lecturer.active


def save_form(form, lecturer: Lecturer) -> None:
    """Copy a validated form onto the lecturer, with their topics and villages. Caller commits."""
    lecturer.org_unit_id = form.org_unit_id.data
    lecturer.title = form.title.data
    lecturer.bio = form.bio.data or ""
    lecturer.formats = ",".join(form.formats.data)
    lecturer.monthly_max = form.monthly_max.data
    lecturer.active = bool(form.active.data)
    wanted = set(form.topic_ids.data)
    lecturer.offers = [o for o in lecturer.offers if o.topic_id in wanted] + [
        Offer(topic_id=topic_id) for topic_id in wanted - set(lecturer.topic_ids)
    ]
    villages = set(form.village_ids.data)
    lecturer.villages = [v for v in lecturer.villages if v.org_unit_id in villages] + [
        LecturerVillage(org_unit_id=unit_id) for unit_id in villages - set(lecturer.village_ids)
    ]


APPLICANT, MANAGER = "applicant", "manager"

#: The review steps of an application (a new applicant starts ``applied``, self-nominated or
#: recommended: ``submit_application``).
REVIEW_ACTIONS: dict[str, str] = {
    "approve": N_("批准"),
    "reject": N_("不批准"),
    "reapply": N_("重新申请"),
}


def _actor_kinds(user, lecturer: Lecturer) -> set[str]:
    kinds = set()
    if getattr(user, "is_authenticated", False):
        if lecturer.user_id == user.id:
            kinds.add(APPLICANT)
        if permissions.can(user, "lecturers.manage", lecturer):
            kinds.add(MANAGER)
    return kinds


def _recipients(lecturer: Lecturer, who: tuple[str, ...]) -> set[int]:
    ids = {lecturer.user_id} if APPLICANT in who else set()
    if MANAGER in who:
        ids |= {m.id for m in accounts.users_with_role("programme_manager", lecturer.org_unit)}
    return ids


def _approve(lecturer: Lecturer, reviewer, **data) -> str:
    lecturer.reject_reason = ""
    lecturer.decided_at = utcnow()
    lecturer.active = True  # approved means suggested for lectures from now on
    root = _root_of(lecturer.org_unit)
    if root is not None:
        accounts.grant_role(lecturer.user, "lecturer", root, granted_by=reviewer)
    return ""


def _reject(lecturer: Lecturer, reviewer, reason: str = "", **data) -> str:
    reason = (reason or "").strip()[:300]
    if not reason:
        raise TransitionRefused("不通过时请写明原因。", 400)
    lecturer.reject_reason = reason
    lecturer.decided_at = utcnow()
    return reason


def _notice(applied: Applied) -> tuple[str, str]:
    if applied.action == "approve":
        return (
            "您已加入讲师团",
            "欢迎！从现在起，派单时会向管理员推荐您。请在个人资料中填写每周可讲时间；"
            "暂时不便接单时，在资料中取消勾选“接受派单”即可。",
        )
    if applied.action == "reject":
        return "讲师团申请未通过", f"原因：{applied.reason}"
    return f"{applied.obj.user.display_name} 申请加入讲师团", "请审核讲师申请。"


def _link(lecturer: Lecturer) -> tuple[str, dict]:
    return ("lecturers.lecturer_detail", {"lecturer_id": lecturer.id})


#: An application's review as a table: only ``APPLICATION.apply`` changes ``Lecturer.status``.
APPLICATION = Table(
    audit_prefix="lecturers",
    noun="讲师申请",
    states=LECTURER_STATUSES,
    actions=REVIEW_ACTIONS,
    transitions={
        ("applied", "approve"): step("approved", {MANAGER}, (APPLICANT,)),
        ("applied", "reject"): step("rejected", {MANAGER}, (APPLICANT,)),
        # A rejected applicant who improves the profile applies again.
        ("rejected", "reapply"): step("applied", {APPLICANT}, (MANAGER,), audit="lecturers.apply"),
    },
    actor_kinds=_actor_kinds,
    subject=lambda lecturer: f"讲师申请 {lecturer.user.display_name}",
    recipients=_recipients,
    effects={"approve": _approve, "reject": _reject},
    link=_link,
    notice=_notice,
    state_attr="status",
)


def _notify_managers(lecturer: Lecturer, subject: str) -> None:
    for user_id in sorted(_recipients(lecturer, (MANAGER,))):
        notify.notify(user_id, subject, "请审核讲师申请。", link=_link(lecturer))


def submit_application(lecturer: Lecturer, recommender=None) -> None:
    """A new applicant (self or recommended) starts ``applied``: audit and tell the managers.
    Caller commits."""
    lecturer.status = "applied"
    lecturer.source = "recommended" if recommender else "self"
    lecturer.recommender_id = recommender.id if recommender else None
    db.session.add(lecturer)
    db.session.flush()
    name = lecturer.user.display_name
    if recommender:
        audit.record("lecturers.recommend", lecturer, f"推荐 {name} 加入讲师团")
        _notify_managers(lecturer, f"{recommender.display_name} 推荐 {name} 加入讲师团")
        notify.notify(
            lecturer.user_id,
            "您被推荐加入讲师团",
            f"{recommender.display_name} 推荐您加入讲师团，请等待审核。",
            link=_link(lecturer),
        )
    else:
        audit.record("lecturers.apply", lecturer, f"{name} 申请加入讲师团")
        _notify_managers(lecturer, f"{name} 申请加入讲师团")


def review(lecturer: Lecturer, approve: bool, reason: str, reviewer) -> None:
    """Approve (and give the lecturer role) or reject with a reason. Caller commits."""
    APPLICATION.apply(lecturer, "approve" if approve else "reject", reviewer, reason=reason)


def reapply(lecturer: Lecturer, applicant) -> None:
    """A rejected applicant applies again with the improved profile. Caller commits."""
    APPLICATION.apply(lecturer, "reapply", applicant)


def _root_of(unit: OrgUnit | None) -> OrgUnit | None:
    if unit is None:
        roots = orgunits.roots()
        return roots[0] if roots else None
    return db.session.get(OrgUnit, unit.ancestor_ids[0])


def rating_summary(lecturer_ids: list[int]) -> dict[int, tuple[float, int, int]]:
    """lecturer id → (average rating, ratings, lectures delivered); ratings by the village's
    coordinator and by attendees (群众评单) count alike."""
    from plugins.lecturers.attendees import ratings

    delivered = dict(
        db.session.execute(
            select(LectureRequest.lecturer_id, func.count(LectureRequest.delivered_at))
            .where(LectureRequest.lecturer_id.in_(lecturer_ids))
            .group_by(LectureRequest.lecturer_id)
        ).all()
    )
    rated = ratings(lecturer_ids)
    return {
        lecturer_id: (
            rated.get(lecturer_id, (0.0, 0))[0],
            rated.get(lecturer_id, (0.0, 0))[1],
            delivered.get(lecturer_id, 0),
        )
        for lecturer_id in set(delivered) | set(rated)
    }


def village_names() -> dict[int, str]:
    return dict(
        db.session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind.in_(VILLAGE_KINDS))
        ).all()
    )


def lecturer_of(user) -> Lecturer | None:
    """The corps row of ``user`` (a member or an applicant), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Lecturer).where(Lecturer.user_id == user.id))
