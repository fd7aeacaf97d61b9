"""Staff pages: courses, lessons with their media and attachments, links to offline classes."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from core import respond
from core.extensions import db
from core.models import OrgUnit
from core.permissions import permission_required, require, unit_ids_where
from core.plugins import get_service
from core.timeutil import utcnow
from plugins.learning import catalog, media
from plugins.learning.blueprint import bp
from plugins.learning.forms import AttachmentForm, CourseForm, EventLinkForm, LessonForm
from plugins.learning.models import Course, Lesson

#: Room for the form's other fields around the medium in one request.
FORM_SLACK = 1024 * 1024


def unit_choices(permission: str) -> list[tuple[int, str]]:
    ids = unit_ids_where(current_user, permission)
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path))
    return [(unit.id, unit.name) for unit in units]


def managed_course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    require("learning.manage", course)
    return course


def managed_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        abort(404)
    require("learning.manage", lesson.course)
    return lesson


@bp.route("/manage/")
@permission_required("learning.manage")
def manage():
    """The courses of the units this person manages."""
    ids = unit_ids_where(current_user, "learning.manage")
    courses = db.session.scalars(
        select(Course).where(Course.org_unit_id.in_(ids)).order_by(Course.id.desc())
    )
    return render_template("learning/manage.html", courses=list(courses))


@bp.route("/manage/courses/new", methods=["GET", "POST"])
@bp.route("/manage/courses/<int:course_id>/edit", methods=["GET", "POST"])
@permission_required("learning.manage")
def course_form(course_id: int | None = None):
    course = managed_course(course_id) if course_id else None
    form = CourseForm(obj=course)
    form.org_unit_id.choices = unit_choices("learning.manage")
    if form.validate_on_submit():
        require("learning.manage", form.org_unit_id.data)
        course = catalog.save_course(course, form.data, current_user.id)
        return respond.done(_("课程已保存。"), "learning.course_edit_lessons", course_id=course.id)
    status = 400 if request.method == "POST" else 200
    return render_template("learning/course_form.html", form=form, course=course), status


@bp.route("/manage/courses/<int:course_id>")
@permission_required("learning.manage")
def course_edit_lessons(course_id: int):
    course = managed_course(course_id)
    return render_template("learning/course_manage.html", course=course)


@bp.route("/manage/courses/<int:course_id>/publish", methods=["POST"])
@permission_required("learning.manage")
def course_publish(course_id: int):
    course = managed_course(course_id)
    if not course.lessons:
        flash(_("课程还没有课时，不能发布。"), "error")
    elif not course.published:
        catalog.publish(course)
        db.session.commit()
        flash(_("课程已发布。"), "success")
    return redirect(url_for("learning.course_edit_lessons", course_id=course.id))


def _question_choices() -> list[tuple[int, str]]:
    bank = get_service("competitions")
    return [(0, _("（不设小题）")), *(bank.question_choices() if bank else [])]


def guard_upload_size() -> None:
    """Before any form is read (CSRF reads it first): refuse a lesson upload whose
    Content-Length is over the medium limit at once, and cap a body sent without one.

    Runs first among the app's ``before_request`` functions (see ``plugin.setup_app``)."""
    if request.method != "POST" or request.endpoint != "learning.lesson_form":
        return
    allowed = media.media_limit() + FORM_SLACK
    if (request.content_length or 0) > allowed:
        raise RequestEntityTooLarge()
    request.max_content_length = allowed


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A clear message instead of the bare 413 page; nothing was read or stored."""
    message = media.too_big_message(media.media_limit())
    return render_template("errors/error.html", status=413, message=message), 413


@bp.route("/manage/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
@bp.route("/manage/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@permission_required("learning.manage")
def lesson_form(course_id: int | None = None, lesson_id: int | None = None):
    """Add or edit a lesson with its medium (size checked by ``guard_upload_size`` first)."""
    lesson = managed_lesson(lesson_id) if lesson_id else None
    course = lesson.course if lesson else managed_course(course_id)
    form = LessonForm(obj=lesson)
    if lesson is None and request.method == "GET":
        form.position.data = len(course.lessons) + 1
    form.question_id.choices = _question_choices()
    if form.validate_on_submit():
        stored = None
        upload = form.media.data
        if upload and upload.filename:
            try:
                stored = media.save_media(upload)
            except media.MediaError as error:
                form.media.errors = [str(error)]
        if not form.media.errors:
            lesson = catalog.save_lesson(course, lesson, form.data, stored)
            return respond.done(
                _("课时已保存。"), "learning.course_edit_lessons", course_id=course.id
            )
    status = 400 if request.method == "POST" else 200
    return render_template("learning/lesson_form.html", form=form, course=course), status


@bp.route("/manage/lessons/<int:lesson_id>/attachments", methods=["POST"])
@permission_required("learning.manage")
def attachment_add(lesson_id: int):
    lesson = managed_lesson(lesson_id)
    form = AttachmentForm()
    upload = form.file.data if form.validate_on_submit() else None
    if not upload or not upload.filename:
        flash(_("请选择要上传的附件。"), "error")
    else:
        try:
            stored = media.save_attachment(upload)
        except media.uploads.UploadError as error:
            flash(str(error), "error")
        else:
            catalog.add_attachment(lesson, stored)
            db.session.commit()
            flash(_("附件已上传。"), "success")
    return redirect(url_for("learning.course_edit_lessons", course_id=lesson.course_id))


def _event_choices(lesson: Lesson) -> list[tuple[str, str]]:
    """Calendar occurrences of the course's unit from 30 days back to 90 ahead (by event)."""
    calendar = get_service("calendar")
    if calendar is None:
        return []
    now = utcnow()
    seen: dict[str, str] = {}
    for ref, label, _start in calendar.upcoming_events(
        lesson.course.org_unit_id, now - timedelta(days=30), now + timedelta(days=90)
    ):
        seen.setdefault(ref.split("/")[0], label)
    return list(seen.items())


@bp.route("/manage/lessons/<int:lesson_id>/events", methods=["GET", "POST"])
@permission_required("learning.manage")
def lesson_events(lesson_id: int):
    """Link a night-school class to the lesson: who checks in there has the lesson finished."""
    lesson = managed_lesson(lesson_id)
    form = EventLinkForm()
    form.event.choices = _event_choices(lesson)
    if form.validate_on_submit():
        label = dict(form.event.choices)[form.event.data]
        catalog.link_event(lesson, int(form.event.data), label, current_user.id)
        return respond.done(_("已关联线下课。"), "learning.lesson_events", lesson_id=lesson.id)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "learning/lesson_events.html",
        lesson=lesson,
        form=form,
        links=catalog.links_of(lesson),
        calendar_on=get_service("calendar") is not None,
    ), status
