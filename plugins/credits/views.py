"""Pages of the credit bank: my credits, people's credits, certificate, household."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import respond
from core.extensions import db
from core.models import User
from core.permissions import require, unit_ids_where
from core.timeutil import local_today
from plugins.credits import rankings as sums
from plugins.credits import services
from plugins.credits.blueprint import bp
from plugins.credits.forms import HouseholdForm
from plugins.credits.models import CreditEntry, CreditHousehold


def _person_page(user: User, template: str, **extra):
    history = db.paginate(
        services.history_query(user.id), per_page=30, error_out=False, max_per_page=30
    )
    return render_template(
        template,
        person=user,
        balance=services.balance(user.id),
        by_rule=sums.totals_by_rule(user.id),
        history=history,
        label=services.activity_label,
        today=local_today(),
        household=sums.household_members(user.id),
        **extra,
    )


def _viewable_person(user_id: int) -> User:
    """A person whose credits the current user may see: themself or staff over their village."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id != current_user.id:
        require("credits.view_people", user.home_unit_id)
    return user


@bp.route("/")
def index():
    """My credits (or, signed out, what the credit bank is)."""
    if not current_user.is_authenticated:
        return render_template(
            "credits/about.html", rules=services.all_rules(), label=services.activity_label
        )
    return _person_page(
        current_user,
        "credits/person.html",
        own=True,
        household_form=HouseholdForm(data={"name": sums.household_members(current_user.id)[0]}),
    )


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id: int):
    """A person's balance and history, for themself and the staff of their village."""
    return _person_page(_viewable_person(user_id), "credits/person.html", own=False)


@bp.route("/certificate")
@bp.route("/people/<int:user_id>/certificate")
@login_required
def certificate(user_id: int | None = None):
    """A printable learning certificate (学习证明)."""
    user = _viewable_person(user_id or current_user.id)
    return render_template(
        "credits/certificate.html",
        person=user,
        balance=services.balance(user.id),
        by_rule=sums.totals_by_rule(user.id),
        today=local_today(),
    )


@bp.route("/household", methods=["POST"])
@login_required
def set_household():
    """Say which household one belongs to (blank: none); people of a village group by it."""
    form = HouseholdForm()
    if not form.validate():
        flash(form.name.errors[0], "error")
        return redirect(url_for("credits.index"))
    row = db.session.scalar(
        select(CreditHousehold).where(CreditHousehold.user_id == current_user.id)
    )
    if not form.name.data:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(CreditHousehold(user_id=current_user.id, name=form.name.data))
    else:
        row.name = form.name.data
    return respond.done(_("家庭信息已保存。"), "credits.index")


@bp.route("/people")
@login_required
def people():
    """Staff find the residents of their villages, with each one's balance."""
    require("credits.view_people")
    allowed = unit_ids_where(current_user, "credits.view_people")
    query = (
        select(User)
        .options(joinedload(User.home_unit))  # the page shows each one's village
        .where(User.home_unit_id.in_(allowed), User.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    search = (request.args.get("q") or "").strip()[:20]
    if search:
        query = query.where(User.display_name.contains(search))
    page = db.paginate(query, per_page=30, error_out=False)
    ids = [user.id for user in page.items]
    balances = dict(
        db.session.execute(
            select(CreditEntry.user_id, func.sum(CreditEntry.amount))
            .where(CreditEntry.user_id.in_(ids))
            .group_by(CreditEntry.user_id)
        ).all()
    )
    return render_template("credits/people.html", page=page, search=search, balances=balances)
