"""Participants' pages: contest list, taking an attempt, review, leaderboards."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit, orgunits, respond
from core.extensions import db
from core.models import User
from core.notify import notify
from core.permissions import can, require
from core.plugins import is_enabled
from core.timeutil import utcnow
from plugins.competitions import ranking, services, sheets
from plugins.competitions.blueprint import bp
from plugins.competitions.forms import WinnerForm
from plugins.competitions.models import Attempt, Contest, Winner
from plugins.competitions.services import AttemptFinished, ContestError


@bp.route("/")
def index():
    """Contests that are open, coming and closed, plus the staff entry points."""
    now = utcnow()
    query = select(Contest).where(Contest.state == "published").order_by(Contest.opens_at.desc())
    unit = orgunits.requested_unit(request.args)  # ?town=<id>: one town of several
    if unit is not None:
        query = query.where(Contest.org_unit_id.in_(orgunits.related_unit_ids(unit)))
    contests = db.session.scalars(query).all()
    groups = {"open": [], "upcoming": [], "closed": []}
    for contest in contests:
        groups[contest.phase(now)].append(contest)
    return render_template("competitions/index.html", groups=groups, now=now)


def _contest(contest_id: int) -> Contest:
    contest = sheets.visible_contest(contest_id, current_user)
    if contest is None:
        abort(404)
    return contest


review_allowed = sheets.review_allowed


@bp.route("/<int:contest_id>")
def contest(contest_id: int):
    """A contest: rules, my attempts, the start button, and after close the leaderboards."""
    contest = _contest(contest_id)
    now = utcnow()
    mine, running, eligible = [], None, True
    if current_user.is_authenticated:
        running = services.open_attempt(contest, current_user)
        if running is not None and services.finish_if_overdue(running, now):
            running = None
        mine = services.finished_attempts(contest, current_user)
        eligible = services.is_eligible(contest, current_user)
    return render_template(
        "competitions/contest.html",
        contest=contest,
        phase=contest.phase(now),
        mine=mine,
        running=running,
        eligible=eligible,
        # mine is exactly this person's finished attempts here, so its length is their count
        reviewable={a.id: review_allowed(a, now, len(mine)) for a in mine},
        credits_enabled=is_enabled("credits"),
    )


@bp.route("/<int:contest_id>/start", methods=["POST"])
@login_required
def start(contest_id: int):
    contest = _contest(contest_id)
    try:
        attempt = services.start_attempt(contest, current_user)
    except ContestError as error:
        flash(str(error), "error")
        return redirect(url_for("competitions.contest", contest_id=contest.id))
    return redirect(url_for("competitions.attempt", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = sheets.own_attempt(attempt_id, current_user.id)
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    """The answer sheet: questions and shuffled options only, never the key."""
    if request.method == "POST":
        return _save(attempt_id)
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if services.finish_if_overdue(attempt, now):
        flash(_("答题时间已到，系统已自动交卷。"), "error")
    if attempt.finished_at is not None:
        return redirect(url_for("competitions.result", attempt_id=attempt.id))
    return _sheet(attempt, now)


def _sheet(attempt: Attempt, now, unanswered: list[int] | None = None):
    """The sheet with the stored answers ticked; ``unanswered``: the hand-in waits for a
    confirmation and the page lists these question numbers."""
    sheet = sheets.sheet(attempt)
    seconds_left = max(int((attempt.deadline - now).total_seconds()), 0)
    return render_template(
        "competitions/attempt.html",
        attempt=attempt,
        sheet=sheet,
        seconds_left=seconds_left,
        unanswered=unanswered or [],
    )


def _save(attempt_id: int):
    """Save (and with action=submit, hand in) the sheet; everything is checked in services."""
    choices: dict[int, list[int]] = {}
    for key in request.form:
        if not key.startswith("q"):
            continue
        try:
            question_id = int(key[1:])
            choices[question_id] = [int(v) for v in request.form.getlist(key)]
        except ValueError:
            abort(400)
    action = request.form.get("action")
    # "submit" with questions left unanswered stops at a confirmation (the sheet again, listing
    # them); "confirm_submit" is the button on that page: hand in as it is.
    submit = action in ("submit", "confirm_submit")
    result_url = url_for("competitions.result", attempt_id=attempt_id)
    sheet_url = url_for("competitions.attempt", attempt_id=attempt_id)
    try:
        result = services.save_answers(
            attempt_id,
            choices,
            submit=submit,
            user_id=current_user.id,
            confirmed=action == "confirm_submit",
        )
    except LookupError:
        abort(404)
    except AttemptFinished as error:
        flash(str(error), "error")
        return redirect(result_url)
    except ContestError as error:
        flash(str(error), "error")
        return redirect(sheet_url), 303
    if result.late:
        flash(_("已超过答题时限，超时后提交的答案没有记录，系统已自动交卷。"), "error")
        return redirect(result_url)
    if result.unanswered:
        return _sheet(db.session.get(Attempt, attempt_id), utcnow(), result.unanswered)
    if submit:
        flash(_("已交卷。"), "success")
        return redirect(result_url)
    flash(_("已保存 %(n)s 道题的答案。", n=result.saved), "success")
    return redirect(sheet_url)


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """Score after submitting; the review with key and explanations when it is allowed."""
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if attempt.finished_at is None:
        return redirect(url_for("competitions.attempt", attempt_id=attempt.id))
    allowed = review_allowed(attempt, now)
    items = ranking.review(attempt) if allowed else []
    return render_template(
        "competitions/result.html", attempt=attempt, items=items, allowed=allowed
    )


@bp.route("/<int:contest_id>/leaderboard")
def leaderboard(contest_id: int):
    """Person and village boards, public after close; managers see them any time."""
    contest = _contest(contest_id)
    manager = can(current_user, "competitions.manage", contest)
    if contest.phase(utcnow()) != "closed" and not manager:
        flash(_("竞赛结束后公布排行榜。"), "info")
        return redirect(url_for("competitions.contest", contest_id=contest.id))
    counted = ranking.counted_attempts(contest)
    return render_template(
        "competitions/leaderboard.html",
        contest=contest,
        people=ranking.people_board(contest, counted),
        villages=ranking.village_board(contest, counted),
        manager=manager,
        form=WinnerForm(),
    )


@bp.route("/<int:contest_id>/winners", methods=["POST"])
@login_required
def mark_winner(contest_id: int):
    """A manager gives (or with an empty prize takes back) a prize to a participant."""
    contest = db.get_or_404(Contest, contest_id)
    require("competitions.manage", contest)
    form = WinnerForm()
    if not form.validate():
        abort(400)
    user = db.session.get(User, form.user_id.data)
    took_part = user and db.session.scalar(
        select(Attempt.id).where(
            Attempt.contest_id == contest.id,
            Attempt.user_id == user.id,
            Attempt.finished_at.is_not(None),
        )
    )
    if not took_part:
        abort(404)
    existing = db.session.scalar(
        select(Winner).where(Winner.contest_id == contest.id, Winner.user_id == user.id)
    )
    if not form.prize.data:
        if existing:
            db.session.delete(existing)
        audit.record("competitions.winner_removed", contest, f"取消 {user.display_name} 的奖项")
    else:
        if existing is None:
            existing = Winner(contest_id=contest.id, user_id=user.id)
            db.session.add(existing)
        existing.prize, existing.marked_by_id = form.prize.data, current_user.id
        notify(
            user.id,
            f"您在“{contest.title}”中获得{form.prize.data}",
            "请留意领奖通知。",
            link=("competitions.leaderboard", {"contest_id": contest.id}),
            dedupe_key=f"competitions-winner-{contest.id}-{user.id}-{form.prize.data}",
        )
        audit.record(
            "competitions.winner_marked", contest, f"{user.display_name} 获{form.prize.data}"
        )
    return respond.done(_("已更新获奖名单。"), "competitions.leaderboard", contest_id=contest.id)
