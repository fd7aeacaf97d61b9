"""Tables of tasks (督办), inspection visits (检查指导), counsellor areas (分片联系), the
demonstration standard with its scores and milestones, and written rules (工作制度).

Meetings live in ``meetings/models.py``, imported at the end so the metadata sees them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


def N_(text: str) -> str:
    """Mark a msgid for extraction; translated where shown by ``core.i18n.translate``."""
    return text


TASK_STATES: dict[str, str] = {
    "open": N_("待办理"),
    "in_progress": N_("办理中"),
    "submitted": N_("待验收"),
    "returned": N_("已退回"),
    "accepted": N_("已验收"),
}
#: States in which a task still waits on its owner or the manager (an overdue one is flagged).
OPEN_TASK_STATES = ("open", "in_progress", "submitted", "returned")

TASK_SOURCES: dict[str, str] = {
    "meeting": N_("推进会"),
    "visit": N_("检查指导"),
    "assessment": N_("考核发现"),
    "manual": N_("手工登记"),
}

#: The materials the policy asks counsellors to collect, checked on every visit.
MATERIALS: dict[str, str] = {
    "signin": N_("签到册"),
    "study_plan": N_("学习计划"),
    "learning_record": N_("学习记录"),
    "activity_plan": N_("活动方案"),
    "photo": N_("活动照片"),
    "press_release": N_("通讯稿"),
}
CHECK_RESULTS: dict[str, str] = {
    "ok": N_("齐全"),
    "partial": N_("不全"),
    "missing": N_("缺失"),
}


class Task(db.Model):
    """A job for one owner about one unit, with a deadline, followed until it is accepted."""

    __tablename__ = "steering_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(12), default="manual")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("steering_meeting.id"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("steering_visit.id"))
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the task was accepted (closed); "closed on time" compares its local day to deadline.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit = relationship("OrgUnit")
    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    helpers: Mapped[list[TaskHelper]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    events: Mapped[list[TaskEvent]] = relationship(
        cascade="all, delete-orphan", order_by="TaskEvent.id"
    )
    evidence: Mapped[list[TaskEvidence]] = relationship(
        cascade="all, delete-orphan", order_by="TaskEvidence.id"
    )

    @property
    def helper_ids(self) -> set[int]:
        return {helper.user_id for helper in self.helpers}

    def overdue_on(self, day: date) -> bool:
        """Still open after its deadline day."""
        return self.state in OPEN_TASK_STATES and self.deadline < day


class TaskHelper(db.Model):
    __tablename__ = "steering_task_helper"
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("steering_task.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    user = relationship("User", lazy="joined")


class TaskEvent(db.Model):
    """One line of a task's history: who moved it from which state to which, and why."""

    __tablename__ = "steering_task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("steering_task.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", lazy="joined")


class TaskEvidence(db.Model):
    """A file showing the work was done (a photo, a scanned sheet, a document)."""

    __tablename__ = "steering_task_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("steering_task.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")

    @property
    def permission_unit_id(self) -> int | None:
        return self.task.org_unit_id if self.task else None

    task: Mapped[Task] = relationship(back_populates="evidence")


class Visit(db.Model):
    """An inspection visit by a manager or counsellor to a village or school."""

    __tablename__ = "steering_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    #: Who went (names as written on the visit record, the recorder among them).
    visitors: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text, default="")
    #: The period whose materials were checked (local days, inclusive).
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org_unit = relationship("OrgUnit")
    recorded_by = relationship("User")
    checks: Mapped[list[VisitCheck]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="VisitCheck.id"
    )


class VisitCheck(db.Model):
    """What the visit found for one material of the checklist."""

    __tablename__ = "steering_visit_check"
    __table_args__ = (UniqueConstraint("visit_id", "material"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("steering_visit.id"), index=True)
    material: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(200), default="")
    #: How many items the site held for this material when the visit was recorded.
    site_count: Mapped[int] = mapped_column(Integer, default=0)


class CounsellorArea(db.Model):
    """One village or school in a counsellor's area (分片联系)."""

    __tablename__ = "steering_counsellor_area"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")
    org_unit = relationship("OrgUnit", lazy="joined")


class StandardItem(db.Model):
    """One item of a year's demonstration standard; a year's points sum to 100."""

    __tablename__ = "steering_standard_item"
    __table_args__ = (CheckConstraint("points > 0 AND points <= 100", name="points_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(String(300), default="")
    #: A report figure (``Metric.key``) that suggests the score: full points at ``metric_target``.
    metric_key: Mapped[str | None] = mapped_column(String(80))
    metric_target: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class StandardAssessment(db.Model):
    """A village's self-assessment against a year's standard and the town's score of it."""

    __tablename__ = "steering_standard_assessment"
    __table_args__ = (UniqueConstraint("org_unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted, scored
    self_total: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    town_total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    org_unit = relationship("OrgUnit")
    answers: Mapped[list[StandardAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="StandardAnswer.item_id"
    )


class StandardAnswer(db.Model):
    """A village's claim for one item, its evidence, and the town's points."""

    __tablename__ = "steering_standard_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("steering_standard_assessment.id"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("steering_standard_item.id"))
    self_points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    evidence: Mapped[str] = mapped_column(String(500), default="")
    town_points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    item = relationship("StandardItem", lazy="joined")


class Milestone(db.Model):
    """By the end of ``year``: ``demonstration_villages`` scored demonstration villages in all,
    and with ``full_coverage`` every village."""

    __tablename__ = "steering_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    demonstration_villages: Mapped[int] = mapped_column(Integer, default=0)
    full_coverage: Mapped[bool] = mapped_column(default=False)


class RulePage(db.Model):
    """A written rule (duties, management rules, methods); its text lives in versions."""

    __tablename__ = "steering_rule_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    versions: Mapped[list[RuleVersion]] = relationship(
        cascade="all, delete-orphan", order_by="RuleVersion.number"
    )

    @property
    def current(self) -> RuleVersion | None:
        return self.versions[-1] if self.versions else None


class RuleVersion(db.Model):
    """One saved text of a rule page: never changed afterwards, earlier ones stay readable."""

    __tablename__ = "steering_rule_version"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("steering_rule_page.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


from plugins.steering.meetings.models import Meeting, MeetingAttendee  # noqa: E402,F401
