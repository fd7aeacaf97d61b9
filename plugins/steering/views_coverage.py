"""The counsellor coverage page (分片联系): areas by counsellor, counsellors by unit, gaps."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import respond
from core.extensions import db
from core.models import OrgUnit, OrgUnitKind, User
from core.permissions import can, permission_required, require, unit_ids_where
from plugins.steering import coverage
from plugins.steering.blueprint import bp, get_or_404, unit_or_404
from plugins.steering.forms import AreaForm
from plugins.steering.models import CounsellorArea
from plugins.steering.services import TaskError


def _page(form: AreaForm | None = None, status: int = 200):
    visible = unit_ids_where(current_user, "steering.view")
    units = list(
        db.session.scalars(
            select(OrgUnit)
            .where(
                OrgUnit.id.in_(visible),
                OrgUnit.kind.in_(coverage.AREA_KINDS),
                OrgUnit.active.is_(True),
            )
            .order_by(OrgUnit.kind, OrgUnit.name)
        )
    )
    rows = coverage.coverage(units)
    people = coverage.counsellors()
    areas = coverage.areas_by_counsellor(people)
    managed = unit_ids_where(current_user, "steering.manage")
    may_assign = bool(managed)
    if form is None:
        form = AreaForm()
    form.user_id.choices = [("", _("请选择"))] + [(p.id, p.display_name) for p in people]
    form.unit_id.choices = [(u.id, u.name) for u in units if u.id in managed]
    return render_template(
        "steering/coverage.html",
        villages=[row for row in rows if row.unit.kind != OrgUnitKind.school],
        schools=[row for row in rows if row.unit.kind == OrgUnitKind.school],
        people=[p for p in people if areas[p.id] or can(current_user, "steering.manage")],
        areas=areas,
        form=form,
        may_assign=may_assign,
        managed=managed,
    ), status


@bp.route("/coverage")
@permission_required("steering.view")
def coverage_page():
    """Each counsellor's area; each village and school with its counsellor; the gaps flagged."""
    return _page()


@bp.route("/coverage/assign", methods=["POST"])
@permission_required("steering.manage")
def coverage_assign():
    """Add a village or school to a counsellor's area (managers of that unit)."""
    form = AreaForm()
    form.user_id.choices = []
    form.unit_id.choices = []
    if not form.validate():
        return _page(form, 400)
    unit = unit_or_404(form.unit_id.data)
    require("steering.manage", unit)
    person = db.session.get(User, form.user_id.data or 0)
    try:
        coverage.assign(person, unit)
    except TaskError as error:
        db.session.rollback()
        form[error.field].errors = [error.message]
        return _page(form, 400)
    return respond.done(_("已加入分片联系。"), "steering.coverage_page")


@bp.route("/coverage/<int:area_id>/remove", methods=["POST"])
@permission_required("steering.manage")
def coverage_remove(area_id: int):
    area = get_or_404(CounsellorArea, area_id)
    require("steering.manage", area)
    coverage.unassign(area)
    return respond.done(_("已取消分片联系。"), "steering.coverage_page")
