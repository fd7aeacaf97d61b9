"""What organisers do to events: create, edit, cancel; one occurrence; this and following; pause."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.models import OrgUnit
from core.orgunits import tree_rows
from core.permissions import can, permission_required, require, unit_ids_where
from core.timeutil import utcnow
from plugins.calendar import cancellation, recurrence, services
from plugins.calendar.blueprint import bp, event_or_404, occurrence_or_404
from plugins.calendar.category_names import shown_name
from plugins.calendar.forms import CancelForm, EventForm, OccurrenceForm, PauseForm
from plugins.calendar.models import CalendarEvent, CalendarPause
from plugins.calendar.recurrence import RecurrenceError


def _unit_choices() -> list[tuple[int, str]]:
    allowed = unit_ids_where(current_user, "calendar.manage_events")
    return [(u.id, "　" * u.depth + u.name) for u in tree_rows(False) if u.id in allowed]


def _prepare(form: EventForm) -> None:
    form.category_id.choices = [(c.id, shown_name(c.name)) for c in services.categories()]
    form.org_unit_id.choices = _unit_choices()


def venue_suggestions() -> list[str]:
    """Learning centres and schools, offered while typing the place (a free address also works)."""
    names = []
    for unit in tree_rows(False):
        if unit.learning_centre_name:
            names.append(unit.learning_centre_name)
        elif unit.kind.value == "school":
            names.append(unit.name)
    return names


def _event_data(form: EventForm) -> dict:
    unit = db.session.get(OrgUnit, form.org_unit_id.data)
    venue = form.venue.data or (unit.learning_centre_name or unit.name if unit else "")
    return {
        **form.schedule_data(),
        "title": form.title.data,
        "description": form.description.data or "",
        "markdown": bool(form.markdown.data),
        "category_id": form.category_id.data,
        "org_unit_id": form.org_unit_id.data,
        "venue": venue,
        "capacity": form.capacity.data,
        "registration_open": bool(form.registration_open.data),
        "members_only": bool(form.members_only.data),
        "walk_ins": bool(form.walk_ins.data),
        "checkin_opens_before": form.checkin_opens_before.data,
        "checkin_closes_after": form.checkin_closes_after.data,
    }


def _field_for(error: RecurrenceError, form):
    message = str(error)
    if "次数" in message or "没有产生" in message:
        return form.count if hasattr(form, "count") else form.start_date
    if "结束时间" in message:
        return form.end_date
    return form.start_date


def _save(form: EventForm, event: CalendarEvent | None, split_from=None):
    """Validate the unit and the schedule; save; return the event or None (errors on form)."""
    if not can(current_user, "calendar.manage_events", form.org_unit_id.data):
        form.org_unit_id.errors.append("您不能为这个单位创建活动。")
        return None
    try:
        with db.session.no_autoflush:
            data = _event_data(form)
            if split_from is not None:
                saved = services.split_series(event, split_from, data, current_user.id)
            else:
                saved = services.save_event(event, data, current_user.id)
    except RecurrenceError as error:
        db.session.rollback()
        _field_for(error, form).errors.append(str(error))
        return None
    return saved


@bp.route("/new", methods=["GET", "POST"])
@permission_required("calendar.manage_events")
def new():
    """Create an event or a series (managers anywhere, coordinators in their village)."""
    form = EventForm()
    form.creating = True
    _prepare(form)
    if request.method == "GET" and form.org_unit_id.choices:
        form.org_unit_id.data = form.org_unit_id.choices[0][0]
    if form.validate_on_submit():
        event = _save(form, None)
        if event is not None:
            what = "补录过去活动" if form.past_record.data else "创建活动"
            return respond.done(
                "活动已创建。",
                "calendar.event",
                record=("calendar.event_created", event, f"{what}「{event.title}」"),
                event_id=event.id,
            )
    return render_template(
        "calendar/event_form.html", form=form, event=None, venues=venue_suggestions()
    )


def _fill(form: EventForm, event: CalendarEvent) -> None:
    local_start = recurrence.local_naive(event.start_at)
    local_end = recurrence.local_naive(event.end_at)
    if event.all_day:
        local_end -= timedelta(days=1)
    form.process(obj=event)
    form.start_date.data, form.start_time.data = local_start.date(), local_start.time()
    form.end_date.data, form.end_time.data = local_end.date(), local_end.time()
    form.weekdays.data = recurrence.weekday_list(event.weekdays) and [
        str(d) for d in recurrence.weekday_list(event.weekdays)
    ]


@bp.route("/e/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    """Edit an event or a whole series."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    form = EventForm()
    _prepare(form)
    if request.method == "GET":
        _fill(form, event)
    if form.validate_on_submit():
        saved = _save(form, event)
        if saved is not None:
            return respond.done(
                "活动已保存。",
                "calendar.event",
                record=("calendar.event_updated", event, f"修改活动「{event.title}」"),
                event_id=event.id,
            )
    return render_template(
        "calendar/event_form.html", form=form, event=event, venues=venue_suggestions()
    )


def _confirmed(form: CancelForm, at_stake: int) -> bool:
    """Has the person confirmed revoking exactly the ``at_stake`` attendance records? (A
    check-in made while the page was open changes the number, and asks again.)"""
    if not at_stake or (form.confirm_revoke.data and form.revoke_count.data == at_stake):
        return True
    form.revoke_count.data, form.revoke_count.raw_data = at_stake, [str(at_stake)]
    form.confirm_revoke.errors.append(
        _(
            "已有 %(n)s 人签到。取消后这 %(n)s 条签到记录将被撤销（学分扣回），"
            "请勾选确认后再提交。",
            n=at_stake,
        )
    )
    return False


def _cancel_page(event: CalendarEvent, occ):
    if occ.cancelled if occ is not None else event.cancelled:
        flash(_("已经取消了。"), "info")
        if occ is None:
            return redirect(url_for("calendar.event", event_id=event.id))
        return redirect(url_for("calendar.occurrence", event_id=event.id, key=occ.key))
    form = CancelForm()
    at_stake = cancellation.attendance_at_stake(event, occ)
    if request.method == "GET":
        form.revoke_count.data = at_stake
    if form.validate_on_submit() and _confirmed(form, at_stake):
        revoked = cancellation.cancel(event, occ, form.reason.data, current_user.id)
        db.session.commit()
        done = _("这一次活动已取消。") if occ is not None else _("活动已取消。")
        if revoked:
            done += _("已撤销 %(n)s 条签到记录。", n=revoked)
        flash(done, "success")
        if occ is None:
            return redirect(url_for("calendar.event", event_id=event.id))
        return redirect(url_for("calendar.occurrence", event_id=event.id, key=occ.key))
    return render_template(
        "calendar/cancel.html",
        form=form,
        event=event,
        occ=occ,
        at_stake=at_stake,
        whole=cancellation.cancels_whole_event(event, occ),
    )


@bp.route("/e/<int:event_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_event(event_id: int):
    """Cancel a whole event or series; it stays in feeds as cancelled. Its attendance is
    revoked once the person confirmed how many records that is."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    return _cancel_page(event, None)


@bp.route("/e/<int:event_id>/<key>/cancel", methods=["GET", "POST"])
@login_required
def cancel_occurrence(event_id: int, key: str):
    """Cancel one occurrence of a series (or the single event), revoking its attendance after
    the person confirmed how many records that is."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    occ = occurrence_or_404(event, key)
    return _cancel_page(event, occ)


@bp.route("/e/<int:event_id>/<key>/restore", methods=["GET", "POST"])
@login_required
def restore_occurrence(event_id: int, key: str):
    """Undo the cancellation of one occurrence (or of a single event) after confirming;
    registrants are told, revoked attendance stays revoked."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    occ = occurrence_or_404(event, key)
    back = redirect(url_for("calendar.occurrence", event_id=event.id, key=key))
    if not cancellation.can_restore(event, occ):
        if occ.cancelled:  # the whole series is cancelled
            flash(_("整个系列已取消，不能只恢复这一次。"), "error")
        else:
            flash(_("这一次活动没有取消，无需恢复。"), "info")
        return back
    form = ConfirmForm()
    if form.validate_on_submit():
        told = cancellation.restore(event, occ, current_user.id)
        db.session.commit()
        flash(_("这一次活动已恢复，已通知 %(n)s 位报名者。", n=told or 0), "success")
        return back
    return render_template(
        "calendar/restore.html",
        form=form,
        event=event,
        occ=occ,
        registrants=cancellation.registrant_count(event.id, occ.original_start),
        revoked=cancellation.revoked_count(event.id, occ.original_start),
        past=occ.end < utcnow(),
    )


@bp.route("/e/<int:event_id>/<key>/edit", methods=["GET", "POST"])
@login_required
def edit_occurrence(event_id: int, key: str):
    """Move or edit this occurrence only, or this and all following (splits the series)."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    occ = occurrence_or_404(event, key)
    if not event.is_series:
        return redirect(url_for("calendar.edit", event_id=event.id))
    form = OccurrenceForm()
    if request.method == "GET":
        start, end = recurrence.local_naive(occ.start), recurrence.local_naive(occ.end)
        form.start_date.data, form.start_time.data = start.date(), start.time()
        form.end_date.data, form.end_time.data = end.date(), end.time()
        form.title.data, form.venue.data = occ.title, occ.venue
    if form.validate_on_submit():
        start, end = form.moments()
        try:
            if form.scope.data == "following":
                data = _series_data(event, start, end, form)
                target = services.split_series(event, occ.original_start, data, current_user.id)
                new_key = recurrence.Occurrence(
                    uid="",
                    title="",
                    start=target.start_at,
                    end=target.end_at,
                    original_start=target.start_at,
                ).key
                audit.record("calendar.series_split", event, f"修改「{event.title}」{key} 及以后")
            else:
                services.edit_occurrence(
                    event, occ.original_start, start, end, form.title.data, form.venue.data
                )
                target, new_key = event, key
                audit.record("calendar.occurrence_edited", event, f"修改「{event.title}」{key}")
        except RecurrenceError as error:
            db.session.rollback()
            form.start_date.errors.append(str(error))
        else:
            return respond.done("已保存。", "calendar.occurrence", event_id=target.id, key=new_key)
    return render_template("calendar/occurrence_form.html", form=form, event=event, occ=occ)


def _series_data(event: CalendarEvent, start, end, form: OccurrenceForm) -> dict:
    return {
        "start_at": start,
        "end_at": end,
        "all_day": event.all_day,
        "freq": event.freq,
        "interval": event.interval,
        "weekdays": _shifted_weekdays(event, start),
        "count": event.count,
        "until": event.until,
        "title": form.title.data or event.title,
        "description": event.description,
        "markdown": event.markdown,
        "category_id": event.category_id,
        "org_unit_id": event.org_unit_id,
        "venue": form.venue.data or event.venue,
        "capacity": event.capacity,
        "registration_open": event.registration_open,
        "members_only": event.members_only,
        "walk_ins": event.walk_ins,
        "checkin_opens_before": event.checkin_opens_before,
        "checkin_closes_after": event.checkin_closes_after,
    }


def _shifted_weekdays(event: CalendarEvent, start) -> str:
    """A weekly series moved from Tuesday to Wednesday keeps meeting on Wednesdays."""
    if event.freq != "weekly":
        return ""
    days = recurrence.weekday_list(event.weekdays)
    new_day = recurrence.local_naive(start).weekday()
    if len(days) <= 1:
        return str(new_day)
    return ",".join(str(d) for d in sorted(set(days) | {new_day}))


@bp.route("/e/<int:event_id>/pauses", methods=["GET", "POST"])
@login_required
def pauses(event_id: int):
    """Pause a series for a date range (the farming season); list and lift pauses."""
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    if not event.is_series:
        abort(404)
    form = PauseForm()
    if form.validate_on_submit():
        try:
            services.add_pause(
                event, form.first_day.data, form.last_day.data, form.reason.data or ""
            )
        except RecurrenceError as error:
            form.last_day.errors.append(str(error))
        else:
            return respond.done(
                "已暂停这段时间的活动。",
                "calendar.pauses",
                record=(
                    "calendar.series_paused",
                    event,
                    f"暂停「{event.title}」{form.first_day.data}–{form.last_day.data}",
                ),
                event_id=event.id,
            )
    return render_template("calendar/pauses.html", form=form, event=event)


@bp.route("/e/<int:event_id>/pauses/<int:pause_id>/delete", methods=["POST"])
@login_required
def unpause(event_id: int, pause_id: int):
    event = event_or_404(event_id)
    require("calendar.manage_events", event)
    pause = db.session.get(CalendarPause, pause_id)
    if pause is None or pause.event_id != event.id:
        abort(404)
    services.remove_pause(event, pause)
    return respond.done(
        "已恢复这段时间的活动。",
        "calendar.pauses",
        record=("calendar.series_unpaused", event, f"取消暂停「{event.title}」"),
        event_id=event.id,
    )


@bp.route("/manage")
@permission_required("calendar.manage_events")
def manage():
    """The organiser's list of their events and series."""
    allowed = unit_ids_where(current_user, "calendar.manage_events")
    events = db.session.scalars(
        select(CalendarEvent)
        .where(CalendarEvent.org_unit_id.in_(allowed))
        .order_by(CalendarEvent.last_end_at.desc())
        .limit(200)
    ).all()
    return render_template("calendar/manage.html", events=events)
