"""Awards (评比): rounds, nominations with evidence, judges and their weighted scores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

#: The award types the policy names (registry of labels; scoring is the same for all).
AWARD_TYPES: dict[str, str] = {
    "quality_course": "精品课程",
    "featured_activity": "特色活动",
    "outstanding_teacher": "优秀教师",
    "outstanding_learner": "优秀学员",
    "learning_family": "学习型家庭",
    "learning_organisation": "学习型单位",
    "learning_community": "学习型社区",
}

#: What happens when equal scores cross the winners' line; chosen when the round is set up.
TIE_RULES: dict[str, str] = {
    "all_tied": "并列者均获奖",
    "criteria": "依次比较单项得分",
}


class AwardRound(db.Model):
    __tablename__ = "competitions_award_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    award_type: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    #: [{"name": "内容质量", "weight": 40}, ...]; weights add up to 100.
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    winners_count: Mapped[int] = mapped_column(Integer, default=3)
    #: A key of TIE_RULES; stated on the round's page from the start, applied when publishing.
    tie_rule: Mapped[str] = mapped_column(String(20), default="all_tied", server_default="all_tied")
    #: How a tie across the winners' line was settled, written when results are published.
    result_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[str] = mapped_column(String(20), default="nominating")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def type_label(self) -> str:
        return AWARD_TYPES.get(self.award_type, self.award_type)

    @property
    def full_title(self) -> str:
        """The title naming the year once: titles such as "2026年度…评比" already carry it."""
        return self.title if str(self.year) in self.title else f"{self.year}年度{self.title}"


class AwardJudge(db.Model):
    __tablename__ = "competitions_award_judge"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_competitions_judge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("competitions_award_round.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    user = relationship("User")


class Nomination(db.Model):
    __tablename__ = "competitions_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("competitions_award_round.id"), index=True)
    nominee_name: Mapped[str] = mapped_column(String(100))
    #: The unit the nominee belongs to (village, school, department): decides conflicts.
    nominee_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    final_score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[AwardRound] = relationship()
    nominee_unit = relationship("OrgUnit")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="nomination")

    @property
    def org_unit_id(self) -> int:
        return self.nominee_unit_id


class Evidence(db.Model):
    __tablename__ = "competitions_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("competitions_nomination.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="evidence")


class JudgeScore(db.Model):
    __tablename__ = "competitions_judge_score"
    __table_args__ = (
        UniqueConstraint("nomination_id", "judge_id", name="uq_competitions_judge_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("competitions_nomination.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: {"内容质量": 90, ...}: 0-100 per criterion
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    weighted: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
