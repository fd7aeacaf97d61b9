"""Funds received: income entries beside spending, the balances, the page and its XLSX."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.extensions import db as _db
from tests.plugins.reports.tabletext import table

PDF = b"%PDF-1.4\n% test\n"


def page(client, url, **args):
    response = client.get(url, query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _income(client, unit_id, **fields):
    data = {
        "income-received_on": "2025-02-01",
        "income-source": "town_budget",
        "income-amount": "2000",
        "income-description": "镇财政拨付",
        **fields,
    }
    return client.post(f"/reports/funds/{unit_id}/income?year=2025", data=data)


def _count(app):
    from plugins.reports.models import Income

    with app.app_context():
        return _db.session.scalar(select(func.count(Income.id)))


def test_income_spending_and_balances_on_the_page_and_in_the_xlsx(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    a = town.village_a_id
    client.post(f"/reports/funds/{a}/budget?year=2025", data={"budget-amount": "3000"})
    assert (
        _income(client, a, **{"income-document": (io.BytesIO(PDF), "通知.pdf")}).status_code == 302
    )
    assert (
        _income(
            client,
            a,
            **{
                "income-source": "sponsor",
                "income-amount": "500.50",
                "income-received_on": "2025-05-01",
            },
        ).status_code
        == 302
    )
    assert (
        _income(client, a, **{"income-received_on": "2024-12-31"}).status_code == 302
    )  # other year
    client.post(
        f"/reports/funds/{a}/spending?year=2025",
        data={"spend-spent_on": "2025-03-01", "spend-category": "activity", "spend-amount": "800"},
    )
    html = page(client, "/reports/funds", year=2025)
    assert table(html, "funds")[2] == [
        "甲村",
        "1200",
        "2400.00",
        "3000.00",
        "2500.50",
        "800.00",
        "2200.00",
        "1700.50",
        "达标",
    ]
    detail = page(client, f"/reports/funds/{a}", year=2025)
    assert [row[:3] for row in table(detail, "incomes")[1:]] == [
        ["2025-05-01", "社会赞助", "500.50"],
        ["2025-02-01", "镇财政预算", "2000.00"],
    ]
    book = load_workbook(io.BytesIO(client.get("/reports/funds.xlsx?year=2025").data))
    summary = list(book["专项经费"].iter_rows(values_only=True))
    assert summary[1] == (
        "村（社区）",
        "人口",
        "标准（元）",
        "预算（元）",
        "收入（元）",
        "已支出（元）",
        "结余（元）",
        "收支结余（元）",
    )
    assert summary[3] == ("甲村", 1200, 2400, 3000, 2500.5, 800, 2200, 1700.5)
    assert summary[-1][0] == "合计" and summary[-1][4] == 2500.5
    entries = list(book["收支明细"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1], r[2], r[4]) for r in entries] == [
        ("甲村", "2025-02-01", "收入", 2000),
        ("甲村", "2025-05-01", "收入", 500.5),
        ("甲村", "2025-03-01", "支出", 800),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"income-amount": "-5"}, "收入金额必须大于 0。"),
        ({"income-amount": ""}, "请填写金额。"),
        ({"income-received_on": "2999-01-01"}, "到账日期不能晚于今天"),
        ({"income-source": "lottery"}, "不是有效的选择。"),
        (
            {"income-document": (io.BytesIO(b"MZ\x90\x00"), "a.pdf")},
            "只接受 PDF、JPG 或 PNG 文件。",
        ),
    ],
    ids=["negative", "empty", "future", "source", "document-type"],
)
def test_bad_income_saves_nothing(client, login_as, town, app, fields, message):
    login_as("programme_manager", town.town_id)
    response = _income(client, town.village_a_id, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_income_only_by_managers_of_that_village(client, login_as, town, app, make_user):
    from tests.conftest import log_in

    login_as("village_coordinator", town.village_a_id)
    assert _income(client, town.village_a_id).status_code == 403
    village_manager = make_user("programme_manager", town.village_b_id)
    log_in(client, app, village_manager)
    assert _income(client, town.village_a_id).status_code == 403
    assert _count(app) == 0
    login_as("programme_manager", town.town_id)
    _income(client, town.village_a_id, **{"income-document": (io.BytesIO(PDF), "x.pdf")})
    from plugins.reports.models import Income

    with app.app_context():
        income_id = _db.session.scalar(select(Income.id))
    assert client.get(f"/reports/funds/income/{income_id}/document").data == PDF
    log_in(client, app, village_manager)
    assert client.get(f"/reports/funds/income/{income_id}/document").status_code == 403
    assert client.post(f"/reports/funds/income/{income_id}/delete").status_code == 403
    login_as("programme_manager", town.town_id)
    assert client.post(f"/reports/funds/income/{income_id}/delete").status_code == 302
    assert _count(app) == 0
    assert client.post(f"/reports/funds/income/{income_id}/delete").status_code == 404
    assert client.get(f"/reports/funds/income/{income_id}/document").status_code == 404


def test_income_counts_only_once_received(client, login_as, town, app, monkeypatch):
    """收入 counts income dated up to today; the detail page lists exactly those."""
    from datetime import date
    from decimal import Decimal

    from plugins.reports.models import Income
    from tests.plugins.reports import known_town

    known_town.freeze(monkeypatch)  # today is 2025-06-15
    a = town.village_a_id
    with app.app_context():
        for day, amount in ((date(2025, 6, 1), "300"), (date(2025, 6, 20), "999")):
            _db.session.add(
                Income(org_unit_id=a, received_on=day, source="sponsor", amount=Decimal(amount))
            )
        _db.session.commit()
    login_as("programme_manager", town.town_id)
    row = next(
        r for r in table(page(client, "/reports/funds", year=2025), "funds") if r[0] == "甲村"
    )
    assert row[4] == "300.00"
    detail = page(client, f"/reports/funds/{a}", year=2025)
    assert [r[2] for r in table(detail, "incomes")[1:]] == ["300.00"]


def test_uploads_check_keeps_income_documents(client, login_as, town, app, runner):
    """An income's document is referenced: ``flask uploads check --fix`` must not delete it."""
    from pathlib import Path

    from plugins.reports.models import Income

    login_as("programme_manager", town.town_id)
    posted = _income(client, town.village_a_id, **{"income-document": (io.BytesIO(PDF), "a.pdf")})
    assert posted.status_code == 302
    with app.app_context():
        income_id, name = _db.session.execute(select(Income.id, Income.document_file)).one()
    stored = Path(app.config["UPLOAD_DIR"]) / "reports" / name
    result = runner.invoke(args=["uploads", "check", "--fix"])
    assert f"reports/{name}" not in result.output
    assert stored.read_bytes() == PDF

    stored.unlink()
    result = runner.invoke(args=["uploads", "check"])
    assert f"missing: reports/{name} (reports_income {income_id})" in result.output
