"""我的空闲时间: the one page where a person states weekly slots and blackout days.

Lecturer suggestions and volunteer matching both read what is stated here (``core.availability``);
their profile pages link here. A person edits only their own; holders of
``core.view_availability`` on the person's home unit may look.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import availability, permissions, respond
from core.extensions import db
from core.forms.admin import ConfirmForm
from core.forms.availability import WEEKDAY_LABELS, BlackoutForm, SlotForm
from core.models import User
from core.timeutil import local_today

bp = Blueprint("availability", __name__)


def _page(person: User, slot_form=None, blackout_form=None, editable: bool = True, status=200):
    return (
        render_template(
            "availability/mine.html",
            person=person,
            editable=editable,
            slots=availability.slot_rows(person.id),
            blackouts=availability.blackout_rows(person.id, since=local_today()),
            slot_form=slot_form or SlotForm(prefix="slot"),
            blackout_form=blackout_form or BlackoutForm(prefix="off"),
            confirm=ConfirmForm(),
            weekdays=WEEKDAY_LABELS,
        ),
        status,
    )


@bp.route("/me/availability")
@login_required
def mine():
    """The signed-in person's weekly slots and coming blackout days, with the forms."""
    return _page(current_user)


@bp.route("/people/<int:user_id>/availability")
@login_required
def person(user_id: int):
    """Another person's free time, read-only, for those who plan their work."""
    if user_id == current_user.id:
        return redirect(url_for("availability.mine"))
    someone = db.get_or_404(User, user_id)
    permissions.require("core.view_availability", someone.home_unit_id)
    return _page(someone, editable=False)


@bp.route("/me/availability/slots", methods=["POST"])
@login_required
def slot_add():
    """Add a weekly slot; it must end after it starts and not overlap another."""
    form = SlotForm(prefix="slot")
    form.existing = availability.weekly([current_user.id]).get(current_user.id, [])
    if not form.validate_on_submit():
        return _page(current_user, slot_form=form, status=200)
    availability.add_slot(
        current_user.id, form.weekday.data, form.start_time.data, form.end_time.data
    )
    return respond.done(_("已添加空闲时段。"), "availability.mine")


@bp.route("/me/availability/blackouts", methods=["POST"])
@login_required
def blackout_add():
    """Add a day the person cannot come (today or later)."""
    form = BlackoutForm(prefix="off")
    if not form.validate_on_submit():
        return _page(current_user, blackout_form=form, status=200)
    if availability.add_blackout(current_user.id, form.day.data, form.note.data or "") is None:
        return respond.done(_("这一天已经登记过了。"), "availability.mine", category="info")
    return respond.done(_("已登记不便日期。"), "availability.mine")


@bp.route("/me/availability/<kind>/<int:row_id>/delete", methods=["POST"])
@login_required
def row_delete(kind: str, row_id: int):
    """Remove one of the person's own slots or blackout days (another's: 404)."""
    remove = {"slots": availability.remove_slot, "blackouts": availability.remove_blackout}
    if kind not in remove or not ConfirmForm().validate_on_submit():
        abort(404)
    if not remove[kind](current_user.id, row_id):
        abort(404)
    return respond.done(_("已删除。"), "availability.mine")
