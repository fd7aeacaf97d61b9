"""Assigned learning: who is in a group, what a person is assigned, a group's progress by
village, and the party roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from core import audit, notify
from core.extensions import db
from core.models import OrgUnit, RoleAssignment, User
from plugins.learning.assignments.models import CourseAssignment, PartyMember
from plugins.learning.models import Completion, Course, Lesson, Progress

ROLE_GROUPS = {"volunteers": "volunteer", "counsellors": "counsellor"}


def members_query(group: str, unit: OrgUnit) -> Select:
    """SELECT of the user ids in ``group`` within ``unit`` (and the units below it)."""
    below = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    if group == "party_members":
        return select(PartyMember.user_id).where(PartyMember.org_unit_id.in_(below))
    if group in ROLE_GROUPS:
        return select(RoleAssignment.user_id).where(
            RoleAssignment.role == ROLE_GROUPS[group], RoleAssignment.org_unit_id.in_(below)
        )
    return select(User.id).where(User.home_unit_id.in_(below), User.active.is_(True))


def members(assignment: CourseAssignment) -> list[User]:
    ids = members_query(assignment.group, assignment.org_unit)
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(ids), User.active.is_(True)).order_by(User.id)
        )
    )


def create(
    course: Course, unit: OrgUnit, group: str, due_on: date, user_id: int
) -> CourseAssignment:
    """Assign the course and tell each member; the caller commits."""
    assignment = CourseAssignment(
        course_id=course.id, org_unit_id=unit.id, group=group, due_on=due_on, created_by_id=user_id
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "learning.assigned",
        assignment,
        f"布置学习：{course.title} → {unit.name}{assignment.group_label},{due_on.isoformat()} 前学完",
    )
    for person in members(assignment):
        notify.notify(
            person.id,
            f"学习任务：{course.title}",
            f"请在 {due_on.isoformat()} 前学完。",
            link=("learning.course", {"course_id": course.id}),
            dedupe_key=f"learning-assignment-{assignment.id}-{person.id}",
        )
    return assignment


@dataclass(frozen=True)
class VillageRow:
    unit_name: str
    members: int
    learners: int  # finished at least one lesson of the course
    completed: int

    @property
    def rate(self) -> int:
        """Completed as a whole percentage of the members."""
        return round(100 * self.completed / self.members) if self.members else 0


def by_village(assignment: CourseAssignment) -> list[VillageRow]:
    """The group's members by home village: how many, started, completed the course."""
    people = members(assignment)
    ids = [person.id for person in people]
    started = set(
        db.session.scalars(
            select(Progress.user_id)
            .join(Lesson, Lesson.id == Progress.lesson_id)
            .where(
                Lesson.course_id == assignment.course_id,
                Progress.user_id.in_(ids),
                Progress.finished_at.is_not(None),
            )
        )
    )
    done = set(
        db.session.scalars(
            select(Completion.user_id).where(
                Completion.course_id == assignment.course_id, Completion.user_id.in_(ids)
            )
        )
    )
    rows: dict[str, list[int]] = {}
    for person in people:
        name = person.home_unit.name if person.home_unit else "—"
        counts = rows.setdefault(name, [0, 0, 0])
        counts[0] += 1
        counts[1] += person.id in started
        counts[2] += person.id in done
    return [VillageRow(name, *counts) for name, counts in sorted(rows.items())]


def assigned_to(user: User) -> list[tuple[CourseAssignment, bool]]:
    """The assignments whose group includes ``user``, each with whether they completed it."""
    found = []
    for assignment in db.session.scalars(
        select(CourseAssignment).order_by(CourseAssignment.due_on)
    ):
        if user.id in set(db.session.scalars(members_query(assignment.group, assignment.org_unit))):
            done = db.session.scalar(
                select(func.count(Completion.id)).where(
                    Completion.user_id == user.id, Completion.course_id == assignment.course_id
                )
            )
            found.append((assignment, bool(done)))
    return found


def started_courses(user_id: int) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .where(
                Course.id.in_(
                    select(Lesson.course_id)
                    .join(Progress, Progress.lesson_id == Lesson.id)
                    .where(Progress.user_id == user_id)
                )
            )
            .order_by(Course.id)
        )
    )


def add_party_member(user: User, unit: OrgUnit, by_id: int) -> PartyMember | None:
    """Put a person on a unit's party roster; None when already on a roster."""
    if db.session.scalar(select(PartyMember.id).where(PartyMember.user_id == user.id)):
        return None
    member = PartyMember(user_id=user.id, org_unit_id=unit.id, added_by_id=by_id)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "learning.party_member_added", member, f"党员名册：{unit.name} 加入 {user.display_name}"
    )
    return member


def remove_party_member(member: PartyMember) -> None:
    audit.record(
        "learning.party_member_removed", member, f"党员名册：移出 {member.user.display_name}"
    )
    db.session.delete(member)
