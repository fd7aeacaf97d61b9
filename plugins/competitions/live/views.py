"""Live prize quiz pages: the host's screen and the phones. All state is read from the DB."""

from __future__ import annotations

import random

import segno
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from core import audit, respond
from core.extensions import db
from core.orgunits import unit_choices, villages
from core.permissions import permission_required, require, unit_ids_where
from core.statemachine import TransitionRefused
from core.timeutil import from_local
from plugins.competitions.blueprint import bp
from plugins.competitions.live import poll
from plugins.competitions.live import services as live
from plugins.competitions.live.forms import JoinForm, LiveForm, PaperForm
from plugins.competitions.live.models import LiveParticipant, LiveSession
from plugins.competitions.live.workflow import LIVE_TABLE
from plugins.competitions.models import Question
from plugins.competitions.services import ContestError

STATE_LABELS = LIVE_TABLE.states


def _village_choices() -> list[tuple[int, str]]:
    return [(0, _("请选择"))] + [(v.id, v.name) for v in villages()]


def _hosted(session_id: int) -> LiveSession:
    quiz = db.get_or_404(LiveSession, session_id)
    require("competitions.host", quiz)
    return quiz


@bp.route("/live")
@permission_required("competitions.host")
def live_list():
    ids = unit_ids_where(current_user, "competitions.host")
    quizzes = db.session.scalars(
        select(LiveSession).where(LiveSession.org_unit_id.in_(ids)).order_by(LiveSession.id.desc())
    ).all()
    return render_template("competitions/live_list.html", quizzes=quizzes, labels=STATE_LABELS)


@bp.route("/live/new", methods=["GET", "POST"])
@permission_required("competitions.host")
def live_new():
    """Set up a quiz: questions drawn from the bank by category, a code to read out."""
    form = LiveForm()
    allowed = unit_ids_where(current_user, "competitions.host")
    form.org_unit_id.choices = [(i, n.strip()) for i, n in unit_choices() if i in allowed]
    if form.is_submitted():
        ok = form.validate()  # the bank check below runs too: every problem shows at once
        ids: list[int] = []
        if not (form.question_count.errors or form.category.errors):
            query = select(Question.id).where(Question.active.is_(True))
            if form.category.data:
                query = query.where(Question.category == form.category.data)
            ids = list(db.session.scalars(query))
            if len(ids) < form.question_count.data:
                form.question_count.errors = [
                    *form.question_count.errors,
                    f"题库中只有 {len(ids)} 道可用题。",
                ]
                ok = False
        if ok:
            quiz = LiveSession(
                code=live.new_code(),
                title=form.title.data,
                org_unit_id=form.org_unit_id.data,
                host_id=current_user.id,
                question_ids=random.sample(ids, form.question_count.data),
                seconds_per_question=form.seconds_per_question.data,
                scheduled_at=from_local(form.scheduled_at.data) if form.scheduled_at.data else None,
                location=form.location.data or "",
            )
            db.session.add(quiz)
            db.session.flush()
            audit.record("competitions.live_created", quiz, f"创建有奖问答 {quiz.title}")
            db.session.commit()
            return redirect(url_for("competitions.live_host", session_id=quiz.id))
    return render_template("competitions/live_form.html", form=form)


def _question(quiz: LiveSession) -> Question | None:
    qid = quiz.current_question_id
    return db.session.get(Question, qid) if qid else None


def _players(quiz: LiveSession) -> list[LiveParticipant]:
    return db.session.scalars(
        select(LiveParticipant)
        .where(LiveParticipant.session_id == quiz.id)
        .order_by(LiveParticipant.joined_at, LiveParticipant.id)
    ).all()


@bp.route("/live/<int:session_id>/host")
@login_required
def live_host(session_id: int):
    """The host's controls: code, question, countdown, answer count, scoreboard."""
    quiz = _hosted(session_id)
    players = _players(quiz)
    return render_template(
        "competitions/live_host.html",
        quiz=quiz,
        question=_question(quiz),
        seconds_left=live.seconds_left(quiz),
        answers=live.answer_count(quiz),
        participants=len(players),
        players=players,
        board=live.scoreboard(quiz, 10),
        labels=STATE_LABELS,
        join_url=url_for("competitions.live_join", code=quiz.code, _external=True),
    )


@bp.route("/live/<int:session_id>/projector")
@login_required
def live_projector(session_id: int):
    """The screen for a village hall's projector: large code, QR of the join link, no site chrome."""
    quiz = _hosted(session_id)
    join_url = url_for("competitions.live_join", code=quiz.code, _external=True)
    players = _players(quiz)
    return render_template(
        "competitions/live_projector.html",
        quiz=quiz,
        question=_question(quiz),
        seconds_left=live.seconds_left(quiz),
        answers=live.answer_count(quiz),
        players=players,
        board=live.scoreboard(quiz, 10),
        labels=STATE_LABELS,
        join_url=join_url,
        qr_svg=Markup(segno.make(join_url, error="m").svg_inline(scale=10, border=2)),
    )


@bp.route("/live/<int:session_id>/advance", methods=["POST"])
@login_required
def live_advance(session_id: int):
    """Next question, reveal, or finish after the last (LIVE_TABLE; finishing is audited)."""
    quiz = _hosted(session_id)
    try:
        live.advance(quiz.id, current_user)
    except TransitionRefused as refused:
        flash(refused.message, "error")
    return redirect(url_for("competitions.live_host", session_id=session_id))


@bp.route("/live/<int:session_id>/finish", methods=["POST"])
@login_required
def live_finish(session_id: int):
    quiz = _hosted(session_id)
    try:
        live.finish(quiz.id, current_user)
    except TransitionRefused as refused:
        flash(refused.message, "error")
    return redirect(url_for("competitions.live_results", session_id=session_id))


@bp.route("/live/<int:session_id>/host/state.json")
@login_required
def live_host_state(session_id: int):
    quiz = _hosted(session_id)
    return jsonify(
        state=quiz.state,
        index=quiz.current_index,
        seconds_left=live.seconds_left(quiz),
        answers=live.answer_count(quiz),
        participants=live.participant_count(quiz),
    )


@bp.route("/live/<int:session_id>/results", methods=["GET", "POST"])
@login_required
def live_results(session_id: int):
    """The saved results; paper answer sheets are typed in here."""
    quiz = _hosted(session_id)
    form = PaperForm()
    form.village_id.choices = _village_choices()
    if form.validate_on_submit():
        letters = [("" if part == "-" else part) for part in form.answers.data.split()]
        if len(letters) != len(quiz.question_ids):
            form.answers.errors = [
                *form.answers.errors,
                f"需要 {len(quiz.question_ids)} 个答案（未答写 -）。",
            ]
        else:
            try:
                saved = live.add_paper(quiz, form.name.data, form.village_id.data or None, letters)
            except ContestError as error:
                form.answers.errors = [*form.answers.errors, str(error)]
            else:
                return respond.done(
                    _("已录入 %(n)s 个答案。", n=saved),
                    "competitions.live_results",
                    record=("competitions.live_paper", quiz, f"录入纸质答卷 {form.name.data}"),
                    session_id=quiz.id,
                )
    by_id = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(quiz.question_ids)))
    }
    questions = [by_id.get(qid) for qid in quiz.question_ids]  # in the quiz's order
    return render_template(
        "competitions/live_results.html",
        quiz=quiz,
        board=live.scoreboard(quiz),
        form=form,
        questions=questions,
        labels=STATE_LABELS,
    )


# --- phones (no account needed) ---------------------------------------------------------------


@bp.route("/live/join", methods=["GET", "POST"])
def live_join():
    form = JoinForm()
    form.village_id.choices = _village_choices()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:8]
    if form.validate_on_submit():
        quiz = live.by_code(form.code.data)
        if quiz is None:
            form.code.errors = [*form.code.errors, "没有这个问答码，请核对。"]
        else:
            tokens = dict(session.get("live_tokens", {}))
            try:
                participant = live.join(
                    quiz, form.name.data, form.village_id.data or None, tokens.get(str(quiz.id))
                )
            except ContestError as error:
                form.code.errors = [*form.code.errors, str(error)]
            else:
                # The seat is bound to this phone: its token lives only in this signed cookie.
                tokens[str(quiz.id)] = participant.token
                session["live_tokens"] = tokens
                return redirect(url_for("competitions.live_play", code=quiz.code))
    return render_template(
        "competitions/live_join.html", form=form
    ), 200 if not form.errors else 400


def _me(quiz: LiveSession) -> LiveParticipant | None:
    token = session.get("live_tokens", {}).get(str(quiz.id))
    if not token:
        return None
    return db.session.scalar(
        select(LiveParticipant).where(
            LiveParticipant.token == token, LiveParticipant.session_id == quiz.id
        )
    )


def _quiz_by_code(code: str) -> LiveSession:
    quiz = live.by_code(code)
    if quiz is None:
        abort(404)
    return quiz


@bp.route("/live/play/<code>")
def live_play(code: str):
    """A phone's view: the current question's options as big buttons; the key only on reveal."""
    quiz = _quiz_by_code(code)
    me = _me(quiz)
    if me is None:
        return redirect(url_for("competitions.live_join", code=quiz.code))
    question = _question(quiz)
    mine = None
    if question is not None:
        from plugins.competitions.live.models import LiveAnswer

        mine = db.session.scalar(
            select(LiveAnswer).where(
                LiveAnswer.participant_id == me.id, LiveAnswer.question_id == question.id
            )
        )
    board = live.scoreboard(quiz) if quiz.state in ("reveal", "finished") else []
    return render_template(
        "competitions/live_play.html",
        quiz=quiz,
        me=me,
        question=question,
        mine=mine,
        seconds_left=live.seconds_left(quiz),
        board=board[:10],
        my_row=next((row for row in board if row.participant_id == me.id), None),
    )


@bp.route("/live/play/<code>/answer", methods=["POST"])
def live_answer(code: str):
    quiz = _quiz_by_code(code)
    me = _me(quiz)
    if me is None:
        return redirect(url_for("competitions.live_join", code=quiz.code))
    try:
        question_id = int(request.form.get("question_id", ""))
    except ValueError:
        abort(400)
    chosen = "".join(request.form.getlist("choice"))[:10]
    try:
        first = live.answer(me, question_id, chosen)
    except ContestError as error:
        flash(str(error), "error")
        return redirect(url_for("competitions.live_play", code=quiz.code)), 303
    flash(_("答案已提交。") if first else _("您已经答过这道题，以第一次为准。"), "success")
    return redirect(url_for("competitions.live_play", code=quiz.code))


@bp.route("/live/play/<code>/state.json")
def live_state(code: str):
    """What the phone polls: it reloads when the state or the question changes. Answered from
    the shared cache (no database query) and 304 when the phone already has this version."""
    current = poll.snapshot(code)
    if current is None:
        current = poll.publish(_quiz_by_code(code))
    etag = poll.version(current)
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(
            state=current["state"],
            index=current["index"],
            seconds_left=poll.seconds_left(current),
        )
    response.set_etag(etag)
    response.cache_control.no_cache = True  # the phone asks every time, with If-None-Match
    response.cache_control.private = True
    return response
