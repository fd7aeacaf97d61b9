"""A scheduled lecture's public page: what residents, visitors and volunteers open from the
calendar (the request page with its workflow stays for staff, the lecturer and the village)."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, url_for
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select

from core.extensions import db
from core.timeutil import local_zone, utcnow
from core.uploads import serve
from plugins.lecturers import hooks
from plugins.lecturers.blueprint import bp
from plugins.lecturers.requests import materials, services
from plugins.lecturers.requests.models import (
    PUBLIC_MATERIAL_KINDS,
    LectureRequest,
    LecturerMaterial,
)


def _public_or_404(request_id: int) -> LectureRequest:
    lecture = db.session.get(LectureRequest, request_id)
    if lecture is None or not services.is_public(lecture):
        abort(404)
    return lecture


def _public_files(lecture: LectureRequest) -> list[LecturerMaterial]:
    return list(
        db.session.scalars(
            select(LecturerMaterial)
            .where(
                LecturerMaterial.request_id == lecture.id,
                LecturerMaterial.kind.in_(PUBLIC_MATERIAL_KINDS),
            )
            .order_by(LecturerMaterial.id)
        )
    )


@bp.route("/l/<int:request_id>")
def public_lecture(request_id: int):
    """Title, topic, lecturer, time, place, village and slides of a lecture on the calendar."""
    lecture = _public_or_404(request_id)
    return render_template(
        "lecturers/public_lecture.html",
        lecture=lecture,
        files=_public_files(lecture),
        staff=current_user.is_authenticated and services.can_see(current_user, lecture),
        upcoming=lecture.scheduled_end is not None and lecture.scheduled_end > utcnow(),
    )


@bp.route("/l/<int:request_id>.ics")
def lecture_ics(request_id: int):
    """This one lecture for the phone's calendar (same UID as in the feeds, so no duplicate)."""
    lecture = _public_or_404(request_id)
    entry = hooks.entry_of(lecture)
    site = current_app.config["SITE_URL"].rstrip("/")
    page = site + url_for("lecturers.public_lecture", request_id=lecture.id)
    stamp = lecture.updated_at or lecture.created_at
    calendar = Calendar()
    calendar.add("PRODID", "-//xiangxuetong//lecturers//ZH")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    vevent = Event()
    vevent.add("UID", entry.uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("LAST-MODIFIED", stamp)
    vevent.add("SEQUENCE", entry.sequence)
    vevent.add("SUMMARY", ("【已取消】" if entry.cancelled else "") + entry.title)
    vevent.add("DTSTART", entry.start.astimezone(local_zone()))
    vevent.add("DTEND", entry.end.astimezone(local_zone()))
    vevent.add("DESCRIPTION", f"{entry.description}\n\n{page}")
    if entry.location:
        vevent.add("LOCATION", entry.location)
    vevent.add("CATEGORIES", [entry.category_label or entry.category])
    vevent.add("URL", page)
    vevent.add("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="lecture-{lecture.id}.ics"'},
    )


@bp.route("/l/<int:request_id>/files/<int:material_id>")
def public_material(request_id: int, material_id: int):
    """Slides and handouts the lecturer shared with the audience."""
    lecture = _public_or_404(request_id)
    material = db.session.get(LecturerMaterial, material_id)
    if material is None or material.request_id != lecture.id or not materials.is_public(material):
        abort(404)
    return serve(
        materials.storage_dir(), material.stored_name, material.content_type, material.original_name
    )
