"""Award rounds: nominations with evidence files, conflict-checked judging, results."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from core import uploads
from core.extensions import db
from core.models import OrgUnit, RoleAssignment, User
from core.timeutil import utcnow
from plugins.competitions.models_awards import (
    ROUND_TRANSITIONS,
    AwardJudge,
    AwardRound,
    Evidence,
    JudgeScore,
    Nomination,
)
from plugins.competitions.services import ContestError

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
#: Evidence kinds accepted, recognised by ``core.uploads.sniff`` from the bytes (never the name).
EVIDENCE_KINDS = frozenset({"pdf", "png", "jpg"})


def evidence_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "competitions"


def store_evidence(nomination: Nomination, filename: str, data: bytes) -> Evidence:
    """Check size and type by content, write the file, add the row (caller commits)."""
    if not data:
        raise ContestError("文件是空的。")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ContestError("证明材料不能超过 5 MB。")
    kind = uploads.sniff(data)
    if kind is None or kind[1] not in EVIDENCE_KINDS:
        raise ContestError("只接受 PDF、PNG 或 JPEG 文件。")
    content_type, extension = kind
    evidence = Evidence(
        nomination=nomination,
        filename=uploads.display_name(filename, "材料"),
        stored_name=uploads.store(evidence_dir(), data, extension),
        content_type=content_type,
        size=len(data),
    )
    db.session.add(evidence)
    return evidence


def move(award_round: AwardRound, target: str) -> None:
    if (award_round.state, target) not in ROUND_TRANSITIONS:
        raise ContestError("当前阶段不能进行这个操作。")
    if target == "published":
        compute_results(award_round)
        award_round.published_at = utcnow()
    award_round.state = target


def is_judge(award_round: AwardRound, user: User) -> bool:
    return bool(
        user.is_authenticated
        and db.session.scalar(
            select(AwardJudge.id).where(
                AwardJudge.round_id == award_round.id, AwardJudge.user_id == user.id
            )
        )
    )


def conflict(judge: User, nomination: Nomination) -> str | None:
    """Why ``judge`` may not score ``nomination``: their home unit or a unit they hold a role on
    contains the nominee's unit. Roles held at the top of the tree (the town) do not count,
    otherwise no town official could ever judge."""
    nominee = db.session.get(OrgUnit, nomination.nominee_unit_id)
    units = [
        judge.home_unit_id,
        *list(
            db.session.scalars(
                select(RoleAssignment.org_unit_id).where(RoleAssignment.user_id == judge.id)
            )
        ),
    ]
    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_([u for u in units if u]))):
        if unit.parent_id is None:
            continue
        if nominee.path.startswith(unit.path):
            return f"您与被推荐对象同属{unit.name}，需回避，不能为其评分。"
    return None


def score(nomination: Nomination, judge: User, marks: dict[str, int], comment: str = "") -> float:
    """Store (or replace) a judge's marks; refuse outside judging and on conflicts of interest."""
    award_round = nomination.round
    if award_round.state != "judging":
        raise ContestError("本轮评比不在评审阶段。")
    if not is_judge(award_round, judge):
        raise ContestError("您不是本轮评委。")
    reason = conflict(judge, nomination)
    if reason:
        raise ContestError(reason)
    weighted = 0.0
    for criterion in award_round.criteria:
        mark = marks.get(criterion["name"])
        if mark is None or not 0 <= mark <= 100:
            raise ContestError(f"“{criterion['name']}”请打 0–100 分。")
        weighted += mark * criterion["weight"] / 100.0
    existing = db.session.scalar(
        select(JudgeScore).where(
            JudgeScore.nomination_id == nomination.id, JudgeScore.judge_id == judge.id
        )
    )
    if existing is None:
        existing = JudgeScore(nomination_id=nomination.id, judge_id=judge.id)
        db.session.add(existing)
    existing.scores, existing.weighted, existing.comment = marks, round(weighted, 2), comment
    existing.scored_at = utcnow()
    return existing.weighted


def compute_results(award_round: AwardRound) -> list[Nomination]:
    """Average weighted score per nomination, ranked; unscored nominations get no rank."""
    nominations = list(
        db.session.scalars(select(Nomination).where(Nomination.round_id == award_round.id))
    )
    # Every mark of the round in one query, grouped here so the average is computed as before.
    marks_by: dict[int, list[float]] = {}
    for nomination_id, weighted in db.session.execute(
        select(JudgeScore.nomination_id, JudgeScore.weighted).where(
            JudgeScore.nomination_id.in_([n.id for n in nominations])
        )
    ):
        marks_by.setdefault(nomination_id, []).append(weighted)
    for nomination in nominations:
        marks = marks_by.get(nomination.id, [])
        nomination.final_score = round(sum(marks) / len(marks), 2) if marks else None
        nomination.rank = None
    scored = sorted(
        (n for n in nominations if n.final_score is not None), key=lambda n: -n.final_score
    )
    for position, nomination in enumerate(scored, start=1):
        nomination.rank = position
    return scored


def winners(award_round: AwardRound) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(
                Nomination.round_id == award_round.id,
                Nomination.rank.is_not(None),
                Nomination.rank <= award_round.winners_count,
            )
            .order_by(Nomination.rank)
        )
    )
