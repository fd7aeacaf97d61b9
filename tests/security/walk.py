"""Walk every route of the app with real ids: shared by the authorisation and CSRF tests.

The demo town is loaded; 渭溪村 is "village B" (the village whose objects are requested) and
黄土村 is "village A" (whose coordinator must be refused on village B's objects).
"""

from __future__ import annotations

from datetime import UTC
from urllib.parse import quote

from sqlalchemy import select

from core.extensions import db
from core.models import Availability, Notification, OrgUnit, RoleAssignment, User

VILLAGE_A = "黄土村"
VILLAGE_B = "渭溪村"

#: role → phone of the demo person used (see core/demo.py PEOPLE). None: anonymous.
ROLE_PHONES: dict[str, str | None] = {
    "anonymous": None,
    "resident": "13800000009",  # 王大妈, 渭溪村 (village B)
    "volunteer": "13800000008",  # 吴小红, 马寨村
    "lecturer": "13800000007",  # 黄医生, town
    "village_coordinator": "13800000006",  # 陈国强, 黄土村 (village A)
    "counsellor": "13800000003",  # 唐晓萍, 渭溪村 (village B)
    "mediator": "13800000004",  # 唐明文, town
    "programme_manager": "13800000002",  # 梁晓勇, town
    "site_admin": "13800000001",  # 周管理, town
}
MISSING = 987654


def user_ids(app) -> dict[str, int | None]:
    with app.app_context():
        return {
            role: (db.session.scalar(select(User.id).where(User.phone == phone)) if phone else None)
            for role, phone in ROLE_PHONES.items()
        }


def _first(model, *criteria, prefer=None):
    """The first row of ``model`` matching ``prefer`` (village B), else any row matching criteria."""
    if prefer is not None:
        found = db.session.scalar(select(model).where(*criteria, prefer).order_by(model.id))
        if found is not None:
            return found
    return db.session.scalar(select(model).where(*criteria).order_by(model.id))


def argument_values(app) -> dict[str, dict[str, str]]:
    """Per blueprint ("" for shared), URL argument → a real value for an object of village B."""
    from plugins.calendar.models import (
        CalendarAttendance,
        CalendarCategory,
        CalendarEvent,
        CalendarMaterial,
        CalendarPause,
        CalendarRegistration,
    )
    from plugins.competitions.awards.models import AwardRound, Evidence, Nomination
    from plugins.competitions.live.models import LiveSession
    from plugins.competitions.models import Attempt, Contest, Question
    from plugins.credits.models import CreditRule
    from plugins.learning.assignments.models import PartyMember
    from plugins.learning.models import Attachment, Course, Lesson
    from plugins.lecturers.models import Lecturer, Topic
    from plugins.lecturers.requests.models import LectureRequest
    from plugins.reports.models import Income, LearningItem, Spending
    from plugins.steering.meetings.models import Meeting
    from plugins.steering.models import CounsellorArea, Task, TaskEvidence, Visit
    from plugins.volunteers.mediation.models import MediationCase
    from plugins.volunteers.models import Assignment, Profile, Shift, ShiftRole

    def ident(row) -> str:
        return str(row.id) if row is not None else str(MISSING)

    with app.app_context():
        village_b = db.session.scalar(select(OrgUnit).where(OrgUnit.name == VILLAGE_B))
        b = village_b.id
        resident = db.session.scalar(select(User).where(User.phone == ROLE_PHONES["resident"]))
        registration = _first(
            CalendarRegistration,
            prefer=CalendarRegistration.event.has(CalendarEvent.org_unit_id == b),
        )
        event = registration.event if registration else _first(CalendarEvent)
        original = registration.original_start if registration else event.start_at
        key = original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        lecturer = _first(Lecturer, prefer=Lecturer.org_unit_id == b)
        shift = _first(Shift, prefer=Shift.org_unit_id == b)
        live = _first(LiveSession, prefer=LiveSession.org_unit_id == b)
        values = {
            "unit_id": str(b),
            "user_id": str(resident.id),
            "notification_id": ident(_first(Notification)),
            "event_id": str(event.id),
            "key": key,
            "category_id": ident(_first(CalendarCategory)),
            "material_id": ident(
                _first(CalendarMaterial, prefer=CalendarMaterial.org_unit_id == b)
            ),
            "registration_id": ident(registration),
            "pause_id": ident(_first(CalendarPause, CalendarPause.event_id == event.id)),
            "attendance_id": ident(
                _first(CalendarAttendance, prefer=CalendarAttendance.event_id == event.id)
            ),
            "token": "nonexistent-token",
            "token_id": str(MISSING),
            "nomination_id": ident(_first(Nomination, prefer=Nomination.nominee_unit_id == b)),
            "evidence_id": ident(_first(Evidence)),
            "round_id": ident(_first(AwardRound)),
            "attempt_id": ident(_first(Attempt, prefer=Attempt.home_unit_id == b)),
            "contest_id": ident(_first(Contest, prefer=Contest.org_unit_id == b)),
            "question_id": ident(_first(Question)),
            "session_id": ident(live),
            "code": live.code if live else "NOCODE",
            "fmt": "xlsx",
            "activity_type": db.session.scalar(select(CreditRule.activity_type)) or "x",
            "lecturer_id": ident(lecturer),
            "kind": "slots",
            "row_id": ident(_first(Availability, Availability.user_id == resident.id)),
            "request_id": ident(_first(LectureRequest, prefer=LectureRequest.org_unit_id == b)),
            "action": "cancel",
            "topic_id": ident(_first(Topic)),
            "spending_id": ident(_first(Spending, prefer=Spending.org_unit_id == b)),
            "income_id": ident(_first(Income, prefer=Income.org_unit_id == b)),
            "task_id": ident(_first(Task, prefer=Task.org_unit_id == b)),
            "visit_id": ident(_first(Visit, prefer=Visit.org_unit_id == b)),
            "meeting_id": ident(_first(Meeting)),
            "area_id": ident(_first(CounsellorArea, prefer=CounsellorArea.org_unit_id == b)),
            "slug": "volunteer_rules",
            "number": "1",
            "item_id": ident(_first(LearningItem)),
            "day": "2026-11-28",
            "profile_id": ident(_first(Profile, prefer=Profile.home_unit_id == b)),
            "role_id": ident(
                _first(ShiftRole, prefer=ShiftRole.shift_id == (shift.id if shift else MISSING))
            ),
            "case_id": ident(_first(MediationCase, prefer=MediationCase.org_unit_id == b)),
            "shift_id": ident(shift),
            "filename": "nonexistent.css",
            "course_id": ident(_first(Course)),
            "lesson_id": ident(_first(Lesson)),
            "attachment_id": ident(_first(Attachment)),
            "member_id": ident(_first(PartyMember, prefer=PartyMember.org_unit_id == b)),
        }
        volunteer_assignment = _first(
            Assignment,
            prefer=Assignment.role_id.in_(
                select(ShiftRole.id).where(ShiftRole.shift_id == (shift.id if shift else MISSING))
            ),
        )
        # The admin pages act on other people and units: deactivating village B or the walking
        # resident would change every later answer.
        bystander = db.session.scalar(select(User).where(User.phone == "13800000010"))
        department = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "团委"))
        role_assignment = _first(RoleAssignment, RoleAssignment.user_id == bystander.id)
        admin = {**values, "user_id": str(bystander.id), "unit_id": str(department.id)}
        return {
            "": values,
            "admin_units": admin,
            "admin_users": {**admin, "assignment_id": ident(role_assignment)},
            "volunteers": {**values, "assignment_id": ident(volunteer_assignment)},
            # steering's evidence files are task evidence, not the competitions' award evidence
            "steering": {
                **values,
                "evidence_id": ident(
                    _first(TaskEvidence, prefer=TaskEvidence.task.has(Task.org_unit_id == b))
                ),
            },
        }


def build_url(rule, values: dict[str, dict[str, str]]) -> str:
    """The URL of ``rule`` with each argument filled in from ``values``."""
    blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else ""
    table = values.get(blueprint, values[""])
    path = rule.rule
    for name in rule.arguments:
        value = table[name]
        if name == "kind" and "any(day, week)" in rule.rule:
            value = "day"
        for converter in ("int:", "path:", "any(day, week):", ""):
            path = path.replace(f"<{converter}{name}>", quote(value))
    return path


def rules(app, method: str) -> list:
    """Every page rule answering ``method``, one per (endpoint, rule), in a stable order. The JSON
    API (``/api/``: bearer tokens, no cookies, no CSRF) is walked by tests/api instead."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if method in rule.methods and not rule.rule.startswith("/api/")
        ),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def row_counts() -> dict[str, int]:
    """Rows in every table: compared before and after refused posts."""
    return {
        table.name: db.session.execute(select(db.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }
