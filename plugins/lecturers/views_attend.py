"""群众评单 pages: check in at a lecture by its code, then rate it from the phone."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core import respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from plugins.lecturers import attendees
from plugins.lecturers.blueprint import bp
from plugins.lecturers.requests.models import AttendeeRating, LectureRequest


@bp.app_template_global("lecture_checkin_qr")
def lecture_checkin_qr(request_id: int) -> Markup:
    """The check-in link as an inline SVG QR code, for staff to show at the lecture."""
    import segno

    url = url_for(
        "lecturers.attend",
        request_id=request_id,
        c=attendees.checkin_code(request_id),
        _external=True,
    )
    return Markup(segno.make(url, error="m").svg_inline(scale=4)) + Markup(
        f'<p class="muted"><a href="{url}">{url}</a></p>'
    )


def _page(lecture: LectureRequest, status: int = 200, error: str = ""):
    mine = db.session.scalar(
        db.select(AttendeeRating).where(
            AttendeeRating.request_id == lecture.id, AttendeeRating.user_id == current_user.id
        )
    )
    return (
        render_template(
            "lecturers/attend.html",
            lecture=lecture,
            code=request.values.get("c", ""),
            attended=attendees.attended(lecture.id, current_user.id),
            rating=mine,
            form=ConfirmForm(),
            error=error,
        ),
        status,
    )


@bp.route("/attend/<int:request_id>", methods=["GET", "POST"])
@login_required
def attend(request_id: int):
    """GET: the lecture and a check-in button (or the rating form); POST: check in."""
    lecture = db.get_or_404(LectureRequest, request_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            fresh = attendees.check_in(lecture, current_user, request.form.get("c", ""))
        except attendees.AttendRefused as refused:
            db.session.rollback()
            return _page(lecture, 400, str(refused))
        return respond.done(
            _("签到成功。") if fresh else _("您已经签到过了。"),
            "lecturers.attend",
            request_id=lecture.id,
        )
    return _page(lecture)


@bp.route("/attend/<int:request_id>/rate", methods=["POST"])
@login_required
def attend_rate(request_id: int):
    """An attendee's 1–5 rating and comment, once."""
    lecture = db.get_or_404(LectureRequest, request_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        attendees.rate(
            lecture,
            current_user,
            request.form.get("score", type=int),
            request.form.get("comment", ""),
        )
    except attendees.AttendRefused as refused:
        db.session.rollback()
        return _page(lecture, 400, str(refused))
    return respond.done(_("谢谢您的评价！"), "lecturers.attend", request_id=lecture.id)
