"""The volunteers' two state machines as tables (``core.statemachine``).

``ASSIGNMENTS``: a volunteer's place on a shift role (None: no row yet). The booking rules in
``services.py`` (locks, capacity, overlaps, the monthly maximum) decide which action to take;
the table decides whether the step exists and who may take it, and is the only place the
status changes. ``APPROVAL``: a volunteer's registration (``VOLUNTEERS_REQUIRE_APPROVAL``).
"""

from __future__ import annotations

from core import accounts
from core.extensions import db
from core.models import OrgUnit, User
from core.permissions import can
from core.statemachine import SYSTEM, Applied, Table, step
from core.timeutil import to_local, utcnow
from plugins.volunteers.models import Assignment, Profile, Shift, ShiftRole

VOLUNTEER, MANAGER, REVIEWER = "volunteer", "manager", "reviewer"

# --- assignments -----------------------------------------------------------------------------

#: Where an assignment may come from: no row yet, or a place given up, declined or offered.
_OPEN = (None, "withdrawn", "declined")

ASSIGNMENT_ACTIONS = {
    "sign_up": "报名",
    "join_waitlist": "加入候补",
    "invite": "邀请志愿者",
    "accept": "接受邀请",
    "accept_waitlisted": "接受邀请（候补）",
    "decline": "谢绝邀请",
    "promote": "候补转正",
    "withdraw": "退出",
    "autofill": "自动排班",
}
#: Shown beside each place (the pages show these as they are).
STATUS_LABELS = {
    "confirmed": "已确认",
    "waitlisted": "候补中",
    "invited": "待回复邀请",
    "declined": "已谢绝",
    "withdrawn": "已退出",
}


def _role(assignment: Assignment) -> ShiftRole:
    return assignment.role or db.session.get(ShiftRole, assignment.role_id)


def _when(shift: Shift) -> str:
    start, end = to_local(shift.starts_at), to_local(shift.ends_at)
    return f"{start:%m月%d日 %H:%M}–{end:%H:%M}"


def _assignment_kinds(user, assignment: Assignment) -> set[str]:
    kinds = {VOLUNTEER} if user.id == assignment.user_id else set()
    if can(user, "volunteers.manage_shifts", _role(assignment).shift):
        kinds.add(MANAGER)
    return kinds


def _stamp(assignment: Assignment, actor, now=None) -> None:
    """Every step restamps the status: the waiting list is served in this order."""
    assignment.status_changed_at = now or utcnow()


def _invited(assignment: Assignment, actor, now=None) -> None:
    _stamp(assignment, actor, now)
    assignment.invited_by_id = actor.id


def _saved(applied: Applied) -> None:
    """A new row gets its id before the audit row and the notice point at it."""
    db.session.add(applied.obj)
    db.session.flush()


def _assignment_notice(applied: Applied) -> tuple[str, str]:
    role = _role(applied.obj)
    shift = role.shift
    if applied.action == "invite":
        return (
            f"志愿服务邀请：{shift.title}",
            f"邀请您担任“{role.name}”，{_when(shift)}，{shift.venue}。请接受或谢绝。",
        )
    if applied.action == "promote":
        return (
            f"候补转正：{shift.title}",
            f"有人退出，您已从候补转为正式：{role.name}，{_when(shift)}，{shift.venue}。",
        )
    return f"已为您安排志愿服务：{shift.title}", f"岗位：{role.name}。如不能参加，请在截止前退出。"


def _assignment_link(assignment: Assignment) -> tuple[str, dict]:
    if assignment.status == "invited":
        return "volunteers.my_shifts", {}
    return "volunteers.shift_detail", {"shift_id": _role(assignment).shift_id}


ASSIGNMENTS = Table(
    audit_prefix="volunteers",
    noun="排班",
    states={None: "未报名", **STATUS_LABELS},
    actions=ASSIGNMENT_ACTIONS,
    transitions={
        **{(s, "sign_up"): step("confirmed", {VOLUNTEER}, audit=False) for s in _OPEN},
        ("invited", "sign_up"): step("confirmed", {VOLUNTEER}, audit=False),
        **{(s, "join_waitlist"): step("waitlisted", {VOLUNTEER}, audit=False) for s in _OPEN},
        ("invited", "join_waitlist"): step("waitlisted", {VOLUNTEER}, audit=False),
        **{
            (s, "invite"): step(
                "invited", {MANAGER}, notify=(VOLUNTEER,), audit="volunteers.invited"
            )
            for s in _OPEN
        },
        ("invited", "accept"): step("confirmed", {VOLUNTEER}, audit=False),
        ("invited", "accept_waitlisted"): step("waitlisted", {VOLUNTEER}, audit=False),
        ("invited", "decline"): step("declined", {VOLUNTEER}, audit=False),
        ("waitlisted", "promote"): step("confirmed", {SYSTEM}, notify=(VOLUNTEER,), audit=False),
        ("confirmed", "withdraw"): step("withdrawn", {VOLUNTEER}, audit=False),
        ("waitlisted", "withdraw"): step("withdrawn", {VOLUNTEER}, audit=False),
        **{
            (s, "autofill"): step(
                "confirmed", {MANAGER}, notify=(VOLUNTEER,), audit="volunteers.autofill_booked"
            )
            for s in (*_OPEN, "invited", "waitlisted")
        },
    },
    actor_kinds=_assignment_kinds,
    subject=lambda a: f"{_role(a).shift.title}/{_role(a).name}",
    recipients=lambda a, kinds: {a.user_id},
    effects={
        **dict.fromkeys(ASSIGNMENT_ACTIONS, _stamp),
        "invite": _invited,
    },
    link=_assignment_link,
    notice=_assignment_notice,
    on_applied=_saved,
    state_attr="status",
)

# --- volunteer approval ----------------------------------------------------------------------


def _approval_kinds(user, profile: Profile) -> set[str]:
    kinds = {VOLUNTEER} if user.id == profile.user_id else set()
    if can(user, "volunteers.approve_volunteers", profile):
        kinds.add(REVIEWER)
    return kinds


def _approved(profile: Profile, actor) -> None:
    """An approved volunteer gets the volunteer role on their home village."""
    profile.approved_at = utcnow()
    home = db.session.get(OrgUnit, profile.home_unit_id) if profile.home_unit_id else None
    if home is not None:
        accounts.grant_role(db.session.get(User, profile.user_id), "volunteer", home)


def _rejected(profile: Profile, actor, reason: str = "") -> str:
    return reason


def _approval_notice(applied: Applied) -> tuple[str, str]:
    if applied.action == "approve":
        return "志愿者登记已通过审核", "欢迎加入志愿服务！现在可以报名班次了。"
    return "志愿者登记未通过", applied.reason or "请完善资料后再提交。"


APPROVAL = Table(
    audit_prefix="volunteers",
    noun="志愿者登记",
    states={"pending": "待审核", "approved": "已审核", "rejected": "已退回"},
    actions={
        "approve": "审核通过",
        "reject": "退回登记",
        "auto_approve": "自动通过",
        "resubmit": "重新提交",
    },
    transitions={
        ("pending", "approve"): step(
            "approved", {REVIEWER}, notify=(VOLUNTEER,), audit="volunteers.approved"
        ),
        ("rejected", "approve"): step(
            "approved", {REVIEWER}, notify=(VOLUNTEER,), audit="volunteers.approved"
        ),
        ("pending", "reject"): step(
            "rejected", {REVIEWER}, notify=(VOLUNTEER,), audit="volunteers.rejected"
        ),
        # No approval needed (VOLUNTEERS_REQUIRE_APPROVAL off): the site approves at once.
        ("pending", "auto_approve"): step("approved", {SYSTEM}, audit=False),
        # A refused volunteer who changes the profile is back in the queue.
        ("rejected", "resubmit"): step("pending", {VOLUNTEER}, audit=False),
    },
    actor_kinds=_approval_kinds,
    subject=lambda p: f"志愿者 {p.user.display_name}",
    recipients=lambda p, kinds: {p.user_id},
    effects={"approve": _approved, "auto_approve": _approved, "reject": _rejected},
    link=lambda p: (
        ("volunteers.index", {}) if p.status == "approved" else ("volunteers.profile_edit", {})
    ),
    notice=_approval_notice,
    state_attr="status",
)
