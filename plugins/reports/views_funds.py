"""Programme funds: budgets against the standard, spending with receipts, balances."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from core import audit, respond
from core.extensions import db
from core.permissions import can, permission_required, require
from core.sms import policy as sms_policy
from plugins.reports import services, uploads
from plugins.reports.blueprint import bp
from plugins.reports.forms import BudgetForm, IncomeForm, SpendingForm, year
from plugins.reports.models import Budget, Spending
from plugins.reports.views_reports import unit_or_404


@bp.route("/funds")
@permission_required("reports.view")
def funds():
    """Each visible village's budget, spending and balance; below the standard flagged."""
    form, chosen = year()
    rows = services.funds_rows(services.visible_villages(current_user), chosen)
    return render_template(
        "reports/funds.html",
        form=form,
        year=chosen,
        rows=rows,
        per_resident=services.funds_per_resident(),
        sms_spend=sms_policy.year_spend(chosen),
    )


def _village(unit_id: int):
    unit = unit_or_404(unit_id)
    if not unit.kind.is_village:
        abort(404)
    require("reports.view", unit)
    return unit


def _detail(unit, chosen, budget_form, spending_form, status=200, income_form=None):
    row = services.funds_rows([unit], chosen)[0]
    return render_template(
        "reports/funds_unit.html",
        unit=unit,
        year=chosen,
        row=row,
        spendings=services.spendings(unit.id, chosen),
        incomes=services.incomes(unit.id, chosen),
        budget_form=budget_form,
        spending_form=spending_form,
        income_form=income_form or IncomeForm(prefix="income"),
        categories=services.SPENDING_CATEGORIES,
        sources=services.INCOME_SOURCES,
        may_budget=can(current_user, "reports.manage", unit),
        may_spend=can(current_user, "reports.record_spending", unit),
    ), status


@bp.route("/funds/<int:unit_id>")
@permission_required("reports.view")
def funds_unit(unit_id: int):
    unit = _village(unit_id)
    _form, chosen = year()
    budget = services.budget(unit.id, chosen)
    return _detail(
        unit,
        chosen,
        BudgetForm(prefix="budget", data={"amount": budget.amount if budget else None}),
        SpendingForm(prefix="spend"),
    )


@bp.route("/funds/<int:unit_id>/budget", methods=["POST"])
@permission_required("reports.manage")
def set_budget(unit_id: int):
    unit = _village(unit_id)
    require("reports.manage", unit)
    _form, chosen = year()
    form = BudgetForm(prefix="budget")
    if not form.validate():
        return _detail(unit, chosen, form, SpendingForm(prefix="spend"), 400)
    budget = services.budget(unit.id, chosen)
    if budget is None:
        budget = Budget(org_unit_id=unit.id, year=chosen, amount=form.amount.data)
        db.session.add(budget)
        db.session.flush()
    else:
        budget.amount = form.amount.data
    return respond.done(
        _("预算已保存。"),
        "reports.funds_unit",
        record=("reports.budget_set", budget, f"{unit.name} {chosen} 年预算 {form.amount.data} 元"),
        unit_id=unit.id,
        year=chosen,
    )


@bp.route("/funds/<int:unit_id>/spending", methods=["POST"])
@permission_required("reports.record_spending")
def add_spending(unit_id: int):
    unit = _village(unit_id)
    require("reports.record_spending", unit)
    _form, chosen = year()
    form = SpendingForm(prefix="spend")
    budget_form = BudgetForm(prefix="budget")
    if not form.validate():
        return _detail(unit, chosen, budget_form, form, 400)
    try:
        stored = uploads.save(form.receipt.data)
    except uploads.UploadError as error:
        form.receipt.errors = [str(error)]
        return _detail(unit, chosen, budget_form, form, 400)
    spending = Spending(
        org_unit_id=unit.id,
        spent_on=form.spent_on.data,
        category=form.category.data,
        amount=form.amount.data,
        description=form.description.data or "",
        receipt_file=stored[0] if stored else None,
        receipt_type=stored[1] if stored else None,
        created_by_id=current_user.id,
    )
    db.session.add(spending)
    db.session.flush()
    category = services.SPENDING_CATEGORIES[spending.category]
    return respond.done(
        _("支出已登记。"),
        "reports.funds_unit",
        record=(
            "reports.spending_added",
            spending,
            f"{unit.name} 支出 {spending.amount} 元（{category}）",
        ),
        unit_id=unit.id,
        year=form.spent_on.data.year,
    )


@bp.route("/funds/receipts/<int:spending_id>")
@permission_required("reports.view")
def receipt(spending_id: int):
    """A receipt, only to those who may see the village's funds."""
    spending = db.session.get(Spending, spending_id)
    if spending is None or not spending.receipt_file:
        abort(404)
    require("reports.view", spending.org_unit_id)
    return uploads.serve(spending.receipt_file, spending.receipt_type, f"receipt-{spending.id}")


@bp.route("/funds/spending/<int:spending_id>/delete", methods=["POST"])
@permission_required("reports.manage")
def delete_spending(spending_id: int):
    """Remove a mistaken spending entry (managers only; the audit log keeps what it was)."""
    spending = db.session.get(Spending, spending_id)
    if spending is None:
        abort(404)
    require("reports.manage", spending.org_unit_id)
    unit_id, year_of, receipt_file = (
        spending.org_unit_id,
        spending.spent_on.year,
        spending.receipt_file,
    )
    audit.record(
        "reports.spending_deleted",
        spending,
        f"删除支出 {spending.spent_on.isoformat()} {spending.amount} 元"
        f"（{services.SPENDING_CATEGORIES.get(spending.category, spending.category)}）："
        f"{spending.description}",
    )
    db.session.delete(spending)
    response = respond.done(_("支出已删除。"), "reports.funds_unit", unit_id=unit_id, year=year_of)
    uploads.remove(receipt_file)  # only once the row is gone for good
    return response
