"""Categories and their colours, edited by programme managers."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import select, update

from core import respond
from core.extensions import db
from core.permissions import permission_required
from core.timeutil import utcnow
from plugins.calendar import services
from plugins.calendar.blueprint import bp
from plugins.calendar.forms import CategoryForm
from plugins.calendar.models import CalendarCategory, CalendarEvent


@bp.route("/categories", methods=["GET", "POST"])
@permission_required("calendar.manage_categories")
def categories():
    """List categories and add one."""
    form = CategoryForm()
    if form.validate_on_submit():
        if _name_taken(form.name.data, None):
            form.name.errors.append("已有同名类别。")
        else:
            category = CalendarCategory()
            form.populate_obj(category)
            category.position = form.position.data or 100
            db.session.add(category)
            db.session.flush()
            return respond.done(
                "类别已添加。",
                "calendar.categories",
                record=("calendar.category_created", category, f"新建类别「{category.name}」"),
            )
    return render_template(
        "calendar/categories.html", form=form, rows=services.categories(active_only=False)
    )


def _name_taken(name: str, own_id: int | None) -> bool:
    found = db.session.scalar(select(CalendarCategory).where(CalendarCategory.name == name))
    return found is not None and found.id != own_id


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@permission_required("calendar.manage_categories")
def edit_category(category_id: int):
    """Rename, recolour, reorder or switch off a category."""
    category = db.session.get(CalendarCategory, category_id)
    if category is None:
        abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        if _name_taken(form.name.data, category.id):
            form.name.errors.append("已有同名类别。")
        else:
            form.populate_obj(category)
            category.position = form.position.data or 100
            # Feeds carry the category name: every event of it must be re-serialised.
            db.session.execute(
                update(CalendarEvent)
                .where(CalendarEvent.category_id == category.id)
                .values(updated_at=utcnow())
            )
            services.bump_version()
            return respond.done(
                "类别已保存。",
                "calendar.categories",
                record=("calendar.category_updated", category, f"修改类别「{category.name}」"),
            )
    return render_template("calendar/category_form.html", form=form, category=category)
