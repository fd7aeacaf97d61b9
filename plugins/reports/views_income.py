"""Funds received (经费收入): income entries with their documents, and the funds spreadsheet.

Income lives here, beside budgets and spending, because the fund page and its balance are
computed from these tables in one function (``services.funds_rows``).
"""

from __future__ import annotations

from flask import abort, send_file
from flask_babel import gettext as _
from flask_login import current_user

from core import audit, respond
from core.extensions import db
from core.permissions import permission_required, require
from plugins.reports import services, uploads, xlsx
from plugins.reports.blueprint import bp
from plugins.reports.forms import BudgetForm, IncomeForm, SpendingForm, year
from plugins.reports.models import Income
from plugins.reports.views_funds import _detail, _village


@bp.route("/funds/<int:unit_id>/income", methods=["POST"])
@permission_required("reports.manage")
def add_income(unit_id: int):
    """Record money received for a village's programme funds, with its document."""
    unit = _village(unit_id)
    require("reports.manage", unit)
    _form, chosen = year()
    form = IncomeForm(prefix="income")
    others = (BudgetForm(prefix="budget"), SpendingForm(prefix="spend"))
    if not form.validate():
        return _detail(unit, chosen, *others, status=400, income_form=form)
    try:
        stored = uploads.save(form.document.data)
    except uploads.UploadError as error:
        form.document.errors = [str(error)]
        return _detail(unit, chosen, *others, status=400, income_form=form)
    income = Income(
        org_unit_id=unit.id,
        received_on=form.received_on.data,
        source=form.source.data,
        amount=form.amount.data,
        description=form.description.data or "",
        document_file=stored[0] if stored else None,
        document_type=stored[1] if stored else None,
        created_by_id=current_user.id,
    )
    db.session.add(income)
    db.session.flush()
    source = services.INCOME_SOURCES[income.source]
    return respond.done(
        _("收入已登记。"),
        "reports.funds_unit",
        record=("reports.income_added", income, f"{unit.name} 收入 {income.amount} 元（{source}）"),
        unit_id=unit.id,
        year=income.received_on.year,
    )


@bp.route("/funds/income/<int:income_id>/document")
@permission_required("reports.view")
def income_document(income_id: int):
    """An income's document, only to those who may see the village's funds."""
    income = db.session.get(Income, income_id)
    if income is None or not income.document_file:
        abort(404)
    require("reports.view", income.org_unit_id)
    return uploads.serve(income.document_file, income.document_type, f"income-{income.id}")


@bp.route("/funds/income/<int:income_id>/delete", methods=["POST"])
@permission_required("reports.manage")
def delete_income(income_id: int):
    """Remove a mistaken income entry (the audit log keeps what it was)."""
    income = db.session.get(Income, income_id)
    if income is None:
        abort(404)
    require("reports.manage", income.org_unit_id)
    unit_id, year_of, document = income.org_unit_id, income.received_on.year, income.document_file
    audit.record(
        "reports.income_deleted",
        income,
        f"删除收入 {income.received_on.isoformat()} {income.amount} 元"
        f"（{services.INCOME_SOURCES.get(income.source, income.source)}）：{income.description}",
    )
    db.session.delete(income)
    response = respond.done(_("收入已删除。"), "reports.funds_unit", unit_id=unit_id, year=year_of)
    uploads.remove(document)  # only once the row is gone for good
    return response


@bp.route("/funds.xlsx")
@permission_required("reports.view")
def funds_xlsx():
    """The fund page as a spreadsheet: budget, income, spending and balances per village,
    then every income and spending entry behind them."""
    _form, chosen = year()
    villages = services.visible_villages(current_user)
    rows = services.funds_rows(villages, chosen)
    entries = [
        (village, services.incomes(village.id, chosen), services.spendings(village.id, chosen))
        for village in villages
    ]
    data = xlsx.funds(chosen, rows, entries)
    return send_file(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"专项经费_{chosen}.xlsx",
    )
