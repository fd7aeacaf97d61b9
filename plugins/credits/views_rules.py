"""Managers set the credit rules: amount per activity, daily and monthly caps."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _

from core import respond
from core.extensions import db
from core.permissions import permission_required, require
from plugins.credits import services
from plugins.credits.blueprint import bp
from plugins.credits.forms import RuleForm


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
    require("credits.manage_rules", rule)  # installation-wide: a town's manager may not
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
    summary = (
        f"学分规则 {services.activity_label(activity_type)}：{rule.amount} 分，"
        f"每日上限 {rule.daily_cap if rule.daily_cap is not None else '不限'}，"
        f"每月上限 {rule.monthly_cap if rule.monthly_cap is not None else '不限'}"
    )
    return respond.done(
        _("学分规则已保存。"), "credits.rules", record=("credits.rule_changed", rule, summary)
    )
