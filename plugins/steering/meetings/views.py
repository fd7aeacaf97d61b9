"""Meeting pages: the list, a new meeting, one meeting (attendance, minutes, decisions),
and staff training hours per person and year."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import orgunits, respond
from core.extensions import db
from core.i18n import translate
from core.permissions import can, permission_required, require, unit_ids_where
from core.roles import role_label
from core.timeutil import local_today
from plugins.steering import services
from plugins.steering.blueprint import bp, get_or_404, unit_or_404
from plugins.steering.meetings import services as meetings
from plugins.steering.meetings.forms import AttendanceForm, MeetingForm
from plugins.steering.meetings.models import MEETING_KINDS, STAFF_ROLES, Meeting
from plugins.steering.models import TASK_STATES, Task


@bp.route("/meetings")
@login_required
def meetings_list():
    """Meetings of one's units and those one was invited to."""
    rows = meetings.visible_meetings(current_user, unit_ids_where(current_user, "steering.view"))
    return render_template(
        "steering/meetings.html",
        rows=rows,
        kinds=MEETING_KINDS,
        may_create=can(current_user, "steering.manage"),
    )


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    form.kind.choices = [(code, translate(label)) for code, label in MEETING_KINDS.items()]
    allowed = unit_ids_where(current_user, "steering.manage")
    form.unit_id.choices = [(uid, name) for uid, name in orgunits.unit_choices() if uid in allowed]
    form.roles.choices = [(role, role_label(role)) for role in STAFF_ROLES]
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@permission_required("steering.manage")
def meeting_new():
    """Call a progress meeting or a training: invited by role, each invitee notified."""
    form = _meeting_form()
    if request.method == "POST" and form.validate():
        unit = unit_or_404(form.unit_id.data)
        require("steering.manage", unit)
        try:
            meeting = meetings.create_meeting(
                unit,
                current_user,
                kind=form.kind.data,
                title=form.title.data,
                held_on=form.held_on.data,
                hours=form.hours.data,
                venue=form.venue.data or "",
                agenda=form.agenda.data or "",
                roles=form.roles.data or [],
            )
        except services.TaskError as error:
            db.session.rollback()
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            return respond.done(
                _("会议已创建，参会人员已收到通知。"), "steering.meeting", meeting_id=meeting.id
            )
    status = 400 if request.method == "POST" else 200
    return render_template("steering/meeting_new.html", form=form), status


def _meeting_or_403(meeting_id: int) -> Meeting:
    meeting = get_or_404(Meeting, meeting_id)
    invited = any(a.user_id == current_user.id for a in meeting.attendees)
    if not (invited or can(current_user, "steering.view", meeting)):
        abort(403)
    return meeting


def _page(meeting: Meeting, form: AttendanceForm | None = None, status: int = 200):
    if form is None:
        form = AttendanceForm(
            data={
                "present": [a.user_id for a in meeting.attendees if a.attended],
                "minutes": meeting.minutes,
            }
        )
    form.present.choices = [(a.user_id, a.user.display_name) for a in meeting.attendees]
    decisions = db.session.scalars(
        db.select(Task).where(Task.meeting_id == meeting.id).order_by(Task.id)
    ).all()
    return render_template(
        "steering/meeting.html",
        meeting=meeting,
        form=form,
        kinds=MEETING_KINDS,
        role_label=role_label,
        decisions=decisions,
        states=TASK_STATES,
        may_manage=can(current_user, "steering.manage", meeting),
        may_record_decision=can(current_user, "steering.view", meeting)
        and can(current_user, "steering.assign"),
        visible_decisions={t.id for t in decisions if services.may_see(current_user, t)},
    ), status


@bp.route("/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    """A meeting: agenda, who was invited and came, minutes, and the tasks it decided."""
    return _page(_meeting_or_403(meeting_id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def meeting_attendance(meeting_id: int):
    """Record who attended and the minutes (managers of the meeting's unit)."""
    record = get_or_404(Meeting, meeting_id)
    require("steering.manage", record)
    form = AttendanceForm()
    form.present.choices = [(a.user_id, a.user.display_name) for a in record.attendees]
    if not form.validate():
        return _page(record, form, 400)
    try:
        meetings.record_attendance(record, set(form.present.data or []), form.minutes.data or "")
    except services.TaskError as error:
        db.session.rollback()
        form.minutes.errors = [error.message]
        return _page(get_or_404(Meeting, meeting_id), form, 400)
    return respond.done(_("出席情况和会议纪要已保存。"), "steering.meeting", meeting_id=record.id)


@bp.route("/training")
@permission_required("steering.view")
def training():
    """Training hours per staff member of one's units for a year."""
    year = request.args.get("year", type=int) or local_today().year
    units = unit_ids_where(current_user, "steering.view")
    staff = meetings.invited_people_in(units, list(STAFF_ROLES))
    hours = meetings.training_hours(year, [person.id for person in staff])
    rows = sorted(staff, key=lambda person: (-hours.get(person.id, 0), person.display_name))
    return render_template("steering/training.html", rows=rows, hours=hours, year=year)
