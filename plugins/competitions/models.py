"""Question bank and online contests: the tables behind 知识竞赛."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

CATEGORIES: dict[str, str] = {
    "law": "法律",
    "health": "健康",
    "policy": "政策",
    "safety": "安全",
    "culture": "文化",
    "farming": "农业",
    "anti_fraud": "防诈骗",
    "elderly": "养老",
}
DIFFICULTIES = {1: "易", 2: "中", 3: "难"}


class Question(db.Model):
    """One bank question; ``options`` is a list of texts, ``answer`` letters such as "AC"."""

    __tablename__ = "competitions_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # see qtypes.QUESTION_TYPES
    category: Mapped[str] = mapped_column(String(30), index=True)
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    stem: Mapped[str] = mapped_column(String(500))
    #: Normalised stem, unique: the same question cannot enter the bank twice.
    stem_key: Mapped[str] = mapped_column(String(500), unique=True)
    options: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(String(10))
    explanation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


class ImportBatch(db.Model):
    """Parsed rows of an uploaded file, kept until the manager confirms or drops them."""

    __tablename__ = "competitions_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Contest(db.Model):
    """An online knowledge contest, open between ``opens_at`` and ``closes_at``."""

    __tablename__ = "competitions_contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    #: None: everyone; else only people whose home unit lies within this unit.
    eligible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_limit_minutes: Mapped[int] = mapped_column(Integer, default=20)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    counting: Mapped[str] = mapped_column(String(10), default="best")  # best | last
    #: [{"category": "law", "difficulty": 1, "count": 3}, ...]
    quotas: Mapped[list] = mapped_column(JSON, default=list)
    points_per_question: Mapped[float] = mapped_column(Float, default=10.0)
    state: Mapped[str] = mapped_column(String(20), default="draft")  # see workflow.CONTEST_TABLE
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit = relationship("OrgUnit", foreign_keys=[org_unit_id])
    eligible_unit = relationship("OrgUnit", foreign_keys=[eligible_unit_id])

    @property
    def question_count(self) -> int:
        return sum(int(quota.get("count", 0)) for quota in self.quotas or [])

    def phase(self, now: datetime) -> str:
        """draft / cancelled, else upcoming / open / closed by the clock."""
        if self.state != "published":
            return self.state
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class Attempt(db.Model):
    """One person's go at a contest; ``is_open`` is True while running, NULL once finished."""

    __tablename__ = "competitions_attempt"
    __table_args__ = (
        UniqueConstraint("contest_id", "user_id", "attempt_no", name="uq_competitions_attempt_no"),
        # NULLs never collide, so this allows any number of finished attempts but one open one.
        UniqueConstraint("contest_id", "user_id", "is_open", name="uq_competitions_attempt_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("competitions_contest.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    is_open: Mapped[bool | None] = mapped_column(Boolean, default=True)
    #: [{"question_id": 5, "order": [2, 0, 1, 3]}, ...]: drawn questions and shown option order.
    drawn: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    finished_by: Mapped[str | None] = mapped_column(String(10))  # submit | timeout
    score: Mapped[float] = mapped_column(Float, default=0.0)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    #: Questions with an answer when the attempt was finished.
    answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set when finished, by ``core.signals.contest_participated``: what counts as taking part.
    participated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    contest: Mapped[Contest] = relationship()
    user = relationship("User")
    home_unit = relationship("OrgUnit")

    @property
    def org_unit_id(self) -> int | None:
        return self.home_unit_id

    @property
    def question_count(self) -> int:
        return len(self.drawn or [])


class Answer(db.Model):
    """A participant's choice for one drawn question; the pair is unique, so resubmits update."""

    __tablename__ = "competitions_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_competitions_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("competitions_attempt.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("competitions_question.id"))
    #: Letters of the ORIGINAL option order ("B", "AC"), mapped from the shown order.
    chosen: Mapped[str] = mapped_column(String(10))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Winner(db.Model):
    """A prize a manager gave to a participant of a closed contest."""

    __tablename__ = "competitions_winner"
    __table_args__ = (UniqueConstraint("contest_id", "user_id", name="uq_competitions_winner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("competitions_contest.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    prize: Mapped[str] = mapped_column(String(50))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
