"""Site administration of the org tree: create, edit, move, deactivate units."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import district, orgunits, respond
from core.extensions import db
from core.forms.admin import ConfirmForm, OrgUnitForm
from core.models import OrgUnit, OrgUnitKind
from core.permissions import holds_at_top, permission_required, require, unit_ids_where

bp = Blueprint("admin_units", __name__, url_prefix="/admin/units")

FIELDS = (
    "name",
    "population",
    "learning_centre_name",
    "learning_centre_address",
    "learning_centre_opened_on",
    "description",
)


def _unit_or_404(unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        abort(404)
    return unit


def _parent_choices(exclude: OrgUnit | None = None) -> list[tuple[int, str]]:
    """Possible parents: the active units this admin manages, except ``exclude`` and what lies
    below it; "no parent" only for an admin of the whole installation."""
    top = holds_at_top(current_user, "core.manage_units")
    choices = [(0, "（无上级：顶层单位）")] if top else []
    mine = unit_ids_where(current_user, "core.manage_units")
    for unit in orgunits.tree_rows(include_inactive=False):
        if unit.id not in mine or (exclude is not None and unit.is_within(exclude)):
            continue
        choices.append((unit.id, "　" * unit.depth + unit.name))
    return choices


@bp.route("/")
@permission_required("core.manage_units")
def index():
    """The tree this admin manages (a town's admin: their town), indented."""
    mine = unit_ids_where(current_user, "core.manage_units")
    units = [unit for unit in orgunits.tree_rows() if unit.id in mine]
    top = holds_at_top(current_user, "core.manage_units")
    return render_template(
        "admin/units.html",
        units=units,
        confirm=ConfirmForm(),
        can_add_district=top and not any(u.kind == OrgUnitKind.district for u in orgunits.roots()),
    )


@bp.route("/district", methods=["POST"])
@permission_required("core.manage_units")
def add_district():
    """Put a district above the town(s); the admins at the top become the district's admins."""
    if not holds_at_top(current_user, "core.manage_units"):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        district.add_district(request.form.get("name", "")[:100])
    except district.DistrictError as error:
        flash(str(error), "error")
        return redirect(url_for("admin_units.index"))
    return respond.done(_("区县已建立，原有的镇已移到它下面。"), "admin_units.index")


@bp.route("/new", methods=["GET", "POST"])
@permission_required("core.manage_units")
def create():
    form = OrgUnitForm()
    form.parent_id.choices = _parent_choices()
    if request.method == "GET" and request.args.get("parent", type=int):
        form.parent_id.data = request.args.get("parent", type=int)
    if form.validate_on_submit():
        parent = db.session.get(OrgUnit, form.parent_id.data) if form.parent_id.data else None
        if parent is None and not holds_at_top(current_user, "core.manage_units"):
            abort(403)  # a new top-level unit is for an admin of the whole installation
        require("core.manage_units", parent)
        details = {field: getattr(form, field).data for field in FIELDS if field != "name"}
        unit = orgunits.create_unit(parent, OrgUnitKind(form.kind.data), form.name.data, **details)
        return respond.done(
            _("单位已创建。"),
            "admin_units.index",
            record=("core.unit_created", unit, f"新建单位 {unit.name}"),
        )
    return render_template("admin/unit_form.html", form=form, unit=None)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@permission_required("core.manage_units")
def edit(unit_id: int):
    """Edit details and, by choosing another parent, move the unit with everything below it."""
    unit = _unit_or_404(unit_id)
    require("core.manage_units", unit)
    form = OrgUnitForm(obj=unit)
    form.parent_id.choices = _parent_choices(exclude=unit)
    if request.method == "GET":
        form.parent_id.data = unit.parent_id or 0
        form.kind.data = unit.kind.value
    if form.validate_on_submit():
        new_parent = db.session.get(OrgUnit, form.parent_id.data) if form.parent_id.data else None
        if new_parent is not None:
            require("core.manage_units", new_parent)
        for field in FIELDS:
            setattr(unit, field, getattr(form, field).data)
        unit.kind = OrgUnitKind(form.kind.data)
        if (new_parent.id if new_parent else None) != unit.parent_id:
            try:
                orgunits.move_unit(unit, new_parent)
            except orgunits.TreeError as error:
                form.parent_id.errors.append(str(error))
                return render_template("admin/unit_form.html", form=form, unit=unit), 400
        return respond.done(
            _("单位已保存。"),
            "admin_units.index",
            record=("core.unit_updated", unit, f"修改单位 {unit.name}"),
        )
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.route("/<int:unit_id>/active", methods=["POST"])
@permission_required("core.manage_units")
def set_active(unit_id: int):
    """Deactivate (or reactivate) a unit; nothing is deleted, history keeps pointing at it."""
    unit = _unit_or_404(unit_id)
    require("core.manage_units", unit)
    ConfirmForm().validate_on_submit()
    unit.active = request.form.get("active") == "1"
    return respond.done(
        _("已保存。"),
        "admin_units.index",
        record=(
            "core.unit_activated" if unit.active else "core.unit_deactivated",
            unit,
            f"{'启用' if unit.active else '停用'}单位 {unit.name}",
        ),
    )
