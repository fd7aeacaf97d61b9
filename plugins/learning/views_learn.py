"""Learners' pages: courses, a lesson with its medium and check question, certificates."""

from __future__ import annotations

from functools import cache

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from core.extensions import db
from core.permissions import can
from plugins.learning import catalog, media
from plugins.learning import services as progress
from plugins.learning.blueprint import bp
from plugins.learning.forms import CheckForm, PositionForm
from plugins.learning.models import CATEGORIES, Attachment, Course, Lesson, Progress
from plugins.learning.services import LearningError


def visible_course(course_id: int) -> Course:
    """A published course, or an unpublished one to those who may edit it; else 404."""
    course = db.session.get(Course, course_id)
    if course is None or not (course.published or can(current_user, "learning.manage", course)):
        abort(404)
    return course


def visible_lesson(lesson_id: int) -> Lesson:
    """A lesson with its course and attachments (one round trip for the lesson page)."""
    lesson = db.session.scalar(
        select(Lesson)
        .where(Lesson.id == lesson_id)
        .options(joinedload(Lesson.course), selectinload(Lesson.attachments))
    )
    if lesson is None:
        abort(404)
    visible_course(lesson.course_id)
    return lesson


@bp.route("/")
def index():
    """Published courses by theme; public."""
    by_category: dict[str, list[Course]] = {}
    for course in catalog.published_courses():
        by_category.setdefault(course.category, []).append(course)
    return render_template("learning/index.html", by_category=by_category, labels=CATEGORIES)


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    """A course's lessons, with the signed-in learner's progress."""
    found = visible_course(course_id)
    mine, completion = {}, None
    if current_user.is_authenticated:
        mine = progress.course_progress(current_user.id, found)
        completion = progress.completion_of(current_user.id, found.id)
    return render_template("learning/course.html", course=found, mine=mine, completion=completion)


def _neighbours(lesson: Lesson) -> tuple[int | None, int | None]:
    """Ids of the lessons before and after, in course order (ids only: no rows loaded)."""
    ids = list(
        db.session.scalars(
            select(Lesson.id)
            .where(Lesson.course_id == lesson.course_id)
            .order_by(Lesson.position, Lesson.id)
        )
    )
    index = ids.index(lesson.id)
    before = ids[index - 1] if index > 0 else None
    after = ids[index + 1] if index + 1 < len(ids) else None
    return before, after


@cache
def _neighbour(later: bool):
    """The id of the lesson just after (or before) ``Lesson`` in its course, as a column
    (built once: composing it costs more than running it)."""
    other = aliased(Lesson)
    if later:
        beyond = or_(
            other.position > Lesson.position,
            and_(other.position == Lesson.position, other.id > Lesson.id),
        )
        order = (other.position, other.id)
    else:
        beyond = or_(
            other.position < Lesson.position,
            and_(other.position == Lesson.position, other.id < Lesson.id),
        )
        order = (other.position.desc(), other.id.desc())
    return (
        select(other.id)
        .where(other.course_id == Lesson.course_id, beyond)
        .order_by(*order)
        .limit(1)
        .correlate(Lesson)
        .scalar_subquery()
    )


def _page_row(lesson_id: int, user_id: int | None):
    """(lesson with course and attachments, the user's progress, id before, id after) in one
    round trip: the lesson page is read far more than anything else here."""
    query = (
        select(Lesson, _neighbour(False), _neighbour(True))
        .where(Lesson.id == lesson_id)
        .options(joinedload(Lesson.course), joinedload(Lesson.attachments))
    )
    if user_id is not None:
        query = query.add_columns(Progress).outerjoin(
            Progress, and_(Progress.lesson_id == Lesson.id, Progress.user_id == user_id)
        )
    row = db.session.execute(query).unique().first()
    if row is None:
        abort(404)
    visible_course(row[0].course_id)  # the course is loaded: no query
    return row[0], (row[3] if user_id is not None else None), row[1], row[2]


def _check_form(question: dict | None) -> CheckForm | None:
    if question is None:
        return None
    form = CheckForm()
    form.choice.choices = [
        ("ABCDEF"[number], f"{'ABCDEF'[number]}. {text}")
        for number, text in enumerate(question["options"])
    ]
    return form


def _lesson_page(lesson: Lesson, form=None, result=None, status: int = 200, loaded=None):
    """``loaded``: (progress or None, before, after) when ``_page_row`` read them already."""
    if loaded is None:
        mine = (
            progress.open_lesson(current_user.id, lesson) if current_user.is_authenticated else None
        )
        before, after = _neighbours(lesson)
    else:
        mine, before, after = loaded
        if mine is None and current_user.is_authenticated:
            mine = progress.open_lesson(current_user.id, lesson)
    question = progress.check_question(lesson)
    page = render_template(
        "learning/lesson.html",
        lesson=lesson,
        mine=mine,
        question=question,
        form=form or _check_form(question),
        result=result,
        may_confirm=progress.may_confirm(lesson),
        before=before,
        after=after,
    )
    return page, status


@bp.route("/lessons/<int:lesson_id>")
def lesson(lesson_id: int):
    """A lesson; opening it signed in starts it, and the medium resumes where it stopped."""
    user_id = current_user.id if current_user.is_authenticated else None
    found, mine, before, after = _page_row(lesson_id, user_id)
    return _lesson_page(found, loaded=(mine, before, after))


@bp.route("/lessons/<int:lesson_id>/check", methods=["POST"])
@login_required
def check(lesson_id: int):
    """Answer the lesson's check question; the explanation shows at once."""
    found = visible_lesson(lesson_id)
    form = _check_form(progress.check_question(found))
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return _lesson_page(found, form=form, status=400)
    try:
        result = progress.answer_check(current_user.id, found, form.choice.data)
    except LearningError as error:
        flash(str(error), "error")
        return redirect(url_for("learning.lesson", lesson_id=found.id))
    if result.finished_now:
        flash(_("答对了！这一课已学完。"), "success")
    return _lesson_page(found, form=form, result=result)


@bp.route("/lessons/<int:lesson_id>/confirm", methods=["POST"])
@login_required
def confirm(lesson_id: int):
    """The learner marks the lesson learned, where the course's rule lets them."""
    found = visible_lesson(lesson_id)
    try:
        progress.confirm(current_user.id, found)
    except LearningError as error:
        flash(str(error), "error")
    else:
        flash(_("这一课已学完。"), "success")
    return redirect(url_for("learning.lesson", lesson_id=found.id))


@bp.route("/lessons/<int:lesson_id>/position", methods=["POST"])
@login_required
def position(lesson_id: int):
    """Where the audio or video stopped (sent by the page's script while playing)."""
    found = visible_lesson(lesson_id)
    form = PositionForm()
    if not form.validate_on_submit():
        return jsonify(error=_("位置无效。")), 400
    try:
        progress.save_position(current_user.id, found, form.seconds.data)
    except LearningError as error:
        return jsonify(error=str(error)), 409
    return jsonify(saved=form.seconds.data)


@bp.route("/lessons/<int:lesson_id>/media")
def lesson_media(lesson_id: int):
    """The lesson's medium, with range requests (seek and resume on a phone)."""
    found = visible_lesson(lesson_id)
    return media.serve_media(found.media_file, found.media_type)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    found = db.session.get(Attachment, attachment_id)
    if found is None:
        abort(404)
    visible_lesson(found.lesson_id)
    return media.serve_attachment(found.stored_name, found.content_type, found.display_name)


@bp.route("/certificates/<int:course_id>")
@login_required
def certificate(course_id: int):
    """The signed-in learner's certificate for a completed course."""
    found = visible_course(course_id)
    completion = progress.completion_of(current_user.id, found.id)
    if completion is None:
        abort(404)
    return render_template("learning/certificate.html", course=found, completion=completion)


@bp.route("/mine")
@login_required
def mine():
    """My courses: assigned ones with their deadline, and those I have started."""
    from plugins.learning.assignments import services as assignments

    return render_template(
        "learning/mine.html",
        assigned=assignments.assigned_to(current_user),
        started=assignments.started_courses(current_user.id),
    )
