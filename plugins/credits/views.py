"""Pages of the credit bank: my credits, a person's credits, certificate, rankings, rules."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import audit
from core.extensions import db
from core.models import User
from core.permissions import permission_required, require
from core.timeutil import to_local, utcnow
from plugins.credits import services
from plugins.credits.forms import PeriodForm, RuleForm

bp = Blueprint(
    "credits",
    __name__,
    url_prefix="/credits",
    template_folder="templates",
    static_folder="static",
)


def _person_page(user: User, template: str, **extra):
    history = db.paginate(
        services.history_query(user.id), per_page=30, error_out=False, max_per_page=30
    )
    return render_template(
        template,
        person=user,
        balance=services.balance(user.id),
        by_rule=services.totals_by_rule(user.id),
        history=history,
        label=services.activity_label,
        today=to_local(utcnow()).date(),
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


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.route("/")
def index():
    """My credits (or, signed out, what the credit bank is)."""
    if not current_user.is_authenticated:
        return render_template(
            "credits/about.html", rules=services.all_rules(), label=services.activity_label
        )
    return _person_page(current_user, "credits/person.html", own=True)


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
        by_rule=services.totals_by_rule(user.id),
        today=to_local(utcnow()).date(),
    )


@bp.route("/rankings")
@login_required
def rankings():
    """Who and which village earned most in a period."""
    form = PeriodForm(request.args)
    form.validate()
    if form.errors:
        first, after = PeriodForm().bounds()
    else:
        first, after = form.bounds()
        before = _iso_date(request.args.get("before"))  # exclusive end, from evidence links
        if before and before > first:
            after = before
    start, end = services.period_bounds(first, after)
    return render_template(
        "credits/rankings.html",
        form=form,
        people=services.person_ranking(start, end),
        villages=services.village_ranking(start, end),
        first=first,
        last=after,
        one_day=timedelta(days=1),
    )


@bp.route("/rules")
@permission_required("credits.manage_rules")
def rules():
    """Every activity type with its amount and caps."""
    rules = services.all_rules()
    db.session.commit()  # defaults made on first view
    forms = {rule.activity_type: RuleForm(obj=rule, prefix=rule.activity_type) for rule in rules}
    return render_template(
        "credits/rules.html", rules=rules, forms=forms, label=services.activity_label
    )


@bp.route("/rules/<activity_type>", methods=["POST"])
@permission_required("credits.manage_rules")
def edit_rule(activity_type: str):
    """Change one rule; a bad value (a negative cap) changes nothing."""
    if activity_type not in services.ACTIVITY_TYPES:
        abort(404)
    rule = services.get_rule(activity_type)
    form = RuleForm(prefix=activity_type)
    if not form.validate():
        db.session.rollback()
        forms = {
            r.activity_type: (
                form
                if r.activity_type == activity_type
                else RuleForm(obj=r, prefix=r.activity_type)
            )
            for r in services.all_rules()
        }
        return (
            render_template(
                "credits/rules.html",
                rules=services.all_rules(),
                forms=forms,
                label=services.activity_label,
            ),
            400,
        )
    form.populate_obj(rule)
    audit.record(
        "credits.rule_changed",
        rule,
        f"学分规则 {services.activity_label(activity_type)}: {rule.amount} 分,"
        f"每日上限 {rule.daily_cap if rule.daily_cap is not None else '不限'},"
        f"每月上限 {rule.monthly_cap if rule.monthly_cap is not None else '不限'}",
    )
    db.session.commit()
    flash(_("学分规则已保存。"), "success")
    return redirect(url_for("credits.rules"))
