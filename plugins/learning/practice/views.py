"""每日一练 pages: today's five questions, explanations at once, streaks, the family's streaks."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.extensions import db
from core.models import User
from core.plugins import get_service
from plugins.learning.blueprint import bp
from plugins.learning.practice import services as practice
from plugins.learning.practice.forms import PracticeAnswerForm
from plugins.learning.services import LearningError


@bp.route("/practice")
@login_required
def practice_today():
    """Today's practice (drawn on the first visit), with the streak and the last seven days."""
    day = practice.local_day()
    try:
        row = practice.start(current_user, day)
    except LearningError as error:
        return render_template("learning/practice.html", error=str(error), items=[], day=day)
    bank = get_service("competitions")
    answers = {answer.question_id: answer for answer in row.answers}
    streak, week = practice.streak_and_week(current_user.id)
    items = [
        (question, answers.get(question["id"])) for question in bank.questions(row.question_ids)
    ]
    return render_template(
        "learning/practice.html",
        day=day,
        row=row,
        items=items,
        streak=streak,
        week=week,
        error=None,
    )


@bp.route("/practice/answer/<int:question_id>", methods=["POST"])
@login_required
def practice_answer(question_id: int):
    """Answer one question of a day's practice; only today's is accepted."""
    form = PracticeAnswerForm(prefix=f"q{question_id}")
    form.choice.choices = [(letter, letter) for letter in "ABCDEF"]
    if not form.validate_on_submit():
        flash(_("请选择一个答案。"), "error")
        return redirect(url_for("learning.practice_today"))
    try:
        day = date.fromisoformat(form.day.data or "")
    except ValueError:
        flash(_("日期无效。"), "error")
        return redirect(url_for("learning.practice_today"))
    try:
        marked = practice.answer(current_user, day, question_id, form.choice.data)
    except LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("learning.practice_today"))
    flash(
        _("回答正确！") if marked.right else _("回答错误，正确答案是 %(a)s。", a=marked.answer),
        "success" if marked.right else "error",
    )
    if marked.finished_now:
        flash(_("今天的每日一练完成了，明天再来！"), "success")
    return redirect(url_for("learning.practice_today", _anchor=f"q{question_id}"))


@bp.route("/practice/family")
@login_required
def practice_family():
    """The streaks of the person's household (the household name given in the credit bank)."""
    credits = get_service("credits")
    name, members = credits.household(current_user.id) if credits else (None, [])
    people = members or [(current_user.id, current_user.display_name)]
    rows = [
        (db.session.get(User, person_id), *practice.streak_and_week(person_id))
        for person_id, _display in people
    ]
    return render_template(
        "learning/practice_family.html", household=name, rows=rows, credits_on=credits is not None
    )
