"""The live quiz state machine as one ``core.statemachine.Table``:
waiting → question → reveal → question … → finished.

The host shows the next question (``show``: its countdown starts), reveals it (``reveal``: the
countdown stops) and finishes (``finish``, at any time); only finishing is audited
(``competitions.live_finished``), the steps in between are too frequent to be worth a row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.permissions import can
from core.statemachine import Table, TransitionRefused, step
from core.timeutil import utcnow
from plugins.competitions.live.models import LiveSession
from plugins.competitions.workflow import N_

HOST = "host"


def _hosts(user, quiz: LiveSession) -> set[str]:
    return {HOST} if can(user, "competitions.host", quiz) else set()


def _show_next(quiz: LiveSession, user, now: datetime | None = None, **data) -> None:
    """The next question and its countdown, from the server's clock."""
    if quiz.current_index + 1 >= len(quiz.question_ids):
        raise TransitionRefused("没有下一题了。", 409)
    now = now or utcnow()
    quiz.current_index += 1
    quiz.question_started_at = now
    quiz.question_deadline = now + timedelta(seconds=quiz.seconds_per_question)


def _reveal(quiz: LiveSession, user, now: datetime | None = None, **data) -> None:
    """Stop the countdown now if it still runs: answers after the reveal are refused."""
    quiz.question_deadline = min(quiz.question_deadline, now or utcnow())


FINISHED = step("finished", {HOST}, audit="competitions.live_finished")

LIVE_TABLE = Table(
    audit_prefix="competitions",
    noun="问答",
    states={
        "waiting": N_("等待开始"),
        "question": N_("答题中"),
        "reveal": N_("公布答案"),
        "finished": N_("已结束"),
    },
    actions={"show": N_("下一题"), "reveal": N_("公布答案"), "finish": N_("结束")},
    transitions={
        ("waiting", "show"): step("question", {HOST}, audit=False),
        ("question", "reveal"): step("reveal", {HOST}, audit=False),
        ("reveal", "show"): step("question", {HOST}, audit=False),
        ("waiting", "finish"): FINISHED,
        ("question", "finish"): FINISHED,
        ("reveal", "finish"): FINISHED,
    },
    actor_kinds=_hosts,
    subject=lambda quiz: f"有奖问答 {quiz.title}",
    effects={"show": _show_next, "reveal": _reveal},
)
