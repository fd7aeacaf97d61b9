"""The award round state machine as one ``core.statemachine.Table``:
nominating → judging → published (judging may go back to nominating).

Publishing computes the ranks (``services.compute_results``), keeps how a tie was settled as the
audit reason and tells each winner's nominator their place. Every step is audited as
``competitions.round_state``.
"""

from __future__ import annotations

from core.notify import notify
from core.statemachine import Applied, Table, step
from core.timeutil import utcnow
from plugins.competitions.awards import services
from plugins.competitions.awards.models import AwardRound
from plugins.competitions.workflow import MANAGER, N_, managers

AUDIT = "competitions.round_state"


def _publish(award_round: AwardRound, user, **data) -> str | None:
    """Rank the nominations; the reason is how a tie across the winners' line was settled."""
    services.compute_results(award_round)
    award_round.published_at = utcnow()
    return award_round.result_note or None


def _tell_nominators(applied: Applied) -> None:
    """After publishing: each winner's nominator hears the place (并列 when tied)."""
    if applied.action != "publish":
        return
    award_round = applied.obj
    winners = services.winners(award_round)
    tied = services.tied_ranks(winners)
    for winner in winners:
        place = f"{'并列' if winner.rank in tied else ''}第 {winner.rank} 名"
        notify(
            winner.nominated_by_id,
            f"“{award_round.title}”结果已公布",
            f"您推荐的{winner.nominee_name}获评{place}。",
            link=("competitions.round_detail", {"round_id": award_round.id}),
            dedupe_key=f"competitions-award-{winner.id}",
        )


ROUND_TABLE = Table(
    audit_prefix="competitions",
    noun="评比",
    states={"nominating": N_("推荐中"), "judging": N_("评审中"), "published": N_("已公布")},
    actions={
        "judge": N_("截止推荐，开始评审"),
        "reopen": N_("退回推荐阶段"),
        "publish": N_("计算并公布结果"),
    },
    transitions={
        ("nominating", "judge"): step("judging", {MANAGER}, audit=AUDIT),
        ("judging", "reopen"): step("nominating", {MANAGER}, audit=AUDIT),
        ("judging", "publish"): step("published", {MANAGER}, audit=AUDIT),
    },
    actor_kinds=managers,
    subject=lambda award_round: f"评比 {award_round.full_title}",
    effects={"publish": _publish},
    on_applied=_tell_nominators,
)
