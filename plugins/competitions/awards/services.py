"""Award rounds: nominations with evidence files, conflict-checked judging, results."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from core import uploads
from core.extensions import db
from core.models import OrgUnit, RoleAssignment, User
from core.timeutil import utcnow
from plugins.competitions.awards.models import (
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
    """Average weighted score per nomination and its rank; unscored nominations get no rank.

    Equal scores share a rank (standard competition ranking: 1, 2, 2, 4). Only when a group of
    equal scores crosses the winners' line does the round's ``tie_rule`` act: ``all_tied``
    keeps the shared rank (all of them win, more winners than places); ``criteria`` ranks the
    group by the criteria's average marks, compared in the order the round lists them, and
    whoever is equal on every criterion still shares a rank. ``result_note`` says what happened.
    """
    nominations = list(
        db.session.scalars(select(Nomination).where(Nomination.round_id == award_round.id))
    )
    # Every mark of the round in one query, grouped here.
    marks_by: dict[int, list[JudgeScore]] = {}
    for mark in db.session.scalars(
        select(JudgeScore).where(JudgeScore.nomination_id.in_([n.id for n in nominations]))
    ):
        marks_by.setdefault(mark.nomination_id, []).append(mark)
    for nomination in nominations:
        marks = [m.weighted for m in marks_by.get(nomination.id, [])]
        nomination.final_score = round(sum(marks) / len(marks), 2) if marks else None
        nomination.rank = None
    scored = sorted(
        (n for n in nominations if n.final_score is not None),
        key=lambda n: (-n.final_score, n.nominee_name, n.id),
    )
    for nomination in scored:
        nomination.rank = 1 + sum(other.final_score > nomination.final_score for other in scored)
    award_round.result_note = ""
    places = award_round.winners_count
    for first in sorted({n.rank for n in scored}):
        group = [n for n in scored if n.rank == first]
        if first > places:
            break
        if places < first + len(group) - 1:  # the group's last position lies past the line
            award_round.result_note = _settle_tie(award_round, group, marks_by)
            break
    scored.sort(key=lambda n: (n.rank, n.nominee_name, n.id))
    return scored


def _criterion_averages(award_round: AwardRound, marks: list[JudgeScore]) -> tuple[float, ...]:
    """Each criterion's average mark over the judges, in the order the round lists them."""
    averages = []
    for criterion in award_round.criteria:
        given = [m.scores.get(criterion["name"]) for m in marks]
        given = [g for g in given if g is not None]
        averages.append(round(sum(given) / len(given), 2) if given else 0.0)
    return tuple(averages)


def _settle_tie(
    award_round: AwardRound, group: list[Nomination], marks_by: dict[int, list[JudgeScore]]
) -> str:
    """Apply the round's tie rule to ``group`` (equal scores across the line); say what it did."""
    first, places = group[0].rank, award_round.winners_count
    names = "、".join(n.nominee_name for n in group)
    score = f"{group[0].final_score:g}"
    told = f"第 {first} 名有 {len(group)} 个推荐对象得分相同（{score} 分）：{names}。"
    if award_round.tie_rule == "criteria":
        vectors = {n.id: _criterion_averages(award_round, marks_by[n.id]) for n in group}
        for nomination in group:
            mine = vectors[nomination.id]
            nomination.rank = first + sum(vectors[o.id] > mine for o in group)
        criteria = "、".join(f"“{c['name']}”" for c in award_round.criteria)
        told += f"按本轮规则依次比较{criteria}的平均分决出名次。"
        if sum(n.rank <= places for n in group) > places - first + 1:
            told += "仍有推荐对象各项平均分完全相同，并列者均获奖。"
    else:
        told += "按本轮规则并列者均获奖。"
    total = (first - 1) + sum(n.rank <= places for n in group)
    return told + f"获奖 {total} 个，名额 {places} 个。"


def tied_ranks(nominations: list[Nomination]) -> set[int]:
    """Ranks held by more than one of ``nominations`` (shown as 并列)."""
    seen = Counter(n.rank for n in nominations if n.rank is not None)
    return {rank for rank, count in seen.items() if count > 1}


def winners(award_round: AwardRound) -> list[Nomination]:
    """Nominations ranked within the places; more than ``winners_count`` when a tie stood."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(
                Nomination.round_id == award_round.id,
                Nomination.rank.is_not(None),
                Nomination.rank <= award_round.winners_count,
            )
            .order_by(Nomination.rank, Nomination.nominee_name, Nomination.id)
        )
    )
