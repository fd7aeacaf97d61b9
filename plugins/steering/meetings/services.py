"""Progress meetings and staff training: invitations by role, attendance, training hours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from core import accounts, audit, notify
from core.extensions import db
from core.i18n import translate
from core.models import OrgUnit, RoleAssignment, User
from core.timeutil import local_today
from plugins.steering.meetings.models import MEETING_KINDS, STAFF_ROLES, Meeting, MeetingAttendee
from plugins.steering.services import TaskError


def invited_people(unit: OrgUnit, roles: list[str]) -> list[User]:
    """Active people holding one of ``roles`` on ``unit``, below it or above it."""
    below = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role.in_(roles),
                RoleAssignment.org_unit_id.in_(below)
                | RoleAssignment.org_unit_id.in_(unit.ancestor_ids),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.display_name)
        )
    )


def invited_people_in(unit_ids: set[int], roles: list[str]) -> list[User]:
    """Active people holding one of ``roles`` on one of ``unit_ids`` (the training report)."""
    return accounts.users_holding(roles, unit_ids)


def create_meeting(
    unit: OrgUnit,
    user,
    *,
    kind: str,
    title: str,
    held_on: date,
    hours: Decimal,
    venue: str = "",
    agenda: str = "",
    roles: list[str],
) -> Meeting:
    """Add a meeting and invite everyone holding the chosen roles; raise ``TaskError``."""
    if kind not in MEETING_KINDS:
        raise TaskError(translate("会议类型无效。"), "kind")
    roles = [role for role in roles if role in STAFF_ROLES]
    if not roles:
        raise TaskError(translate("请至少选择一类参会人员。"), "roles")
    meeting = Meeting(
        kind=kind,
        title=title,
        org_unit_id=unit.id,
        held_on=held_on,
        hours=hours,
        venue=venue,
        agenda=agenda,
        invited_roles=",".join(roles),
        created_by_id=user.id,
    )
    people = invited_people(unit, roles)
    meeting.attendees = [MeetingAttendee(user_id=person.id) for person in people]
    db.session.add(meeting)
    db.session.flush()
    audit.record("steering.meeting_created", meeting, f"{MEETING_KINDS[kind]} {title} {held_on}")
    for person in people:
        if person.id != user.id:
            notify.notify(
                person.id,
                f"{MEETING_KINDS[kind]}通知：{title}",
                f"时间：{held_on.isoformat()}；地点：{venue or '另行通知'}。\n{agenda}",
                link=("steering.meeting", {"meeting_id": meeting.id}),
            )
    return meeting


def record_attendance(meeting: Meeting, present_ids: set[int], minutes: str) -> None:
    """Mark who attended (only once the meeting day has come) and keep the minutes."""
    if meeting.held_on > local_today():
        raise TaskError(translate("会议还没有召开，不能登记出席和纪要。"), "minutes")
    invited = {attendee.user_id for attendee in meeting.attendees}
    if present_ids - invited:
        raise TaskError(translate("只能登记受邀人员的出席。"), "present")
    for attendee in meeting.attendees:
        attendee.attended = attendee.user_id in present_ids
    meeting.minutes = minutes
    audit.record(
        "steering.meeting_attendance",
        meeting,
        f"{meeting.title}: 出席 {len(present_ids)}/{len(invited)} 人，纪要 {len(minutes)} 字",
    )


def training_hours(year: int, user_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Hours of staff training each person attended in ``year`` (held on or before today)."""
    query = (
        select(MeetingAttendee.user_id, func.sum(Meeting.hours))
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(
            Meeting.kind == "training",
            MeetingAttendee.attended.is_(True),
            Meeting.held_on >= date(year, 1, 1),
            Meeting.held_on < date(year + 1, 1, 1),
            Meeting.held_on <= local_today(),
        )
        .group_by(MeetingAttendee.user_id)
    )
    if user_ids is not None:
        query = query.where(MeetingAttendee.user_id.in_(user_ids))
    return {user_id: Decimal(hours or 0) for user_id, hours in db.session.execute(query)}


def visible_meetings(user, unit_ids: set[int]) -> list[Meeting]:
    mine = select(MeetingAttendee.meeting_id).where(MeetingAttendee.user_id == user.id)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.org_unit_id.in_(unit_ids) | Meeting.id.in_(mine))
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        )
    )
