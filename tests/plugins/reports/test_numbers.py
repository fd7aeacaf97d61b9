"""Every report cell checked against the known activities in fixtures.py."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.plugins.reports.tabletext import table, table_links

Q1 = {"start": "2025-01-01", "end": "2025-03-31"}


def page(client, url, **args):
    response = client.get(url, query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_town_month_by_month(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    html = page(client, "/reports/", **Q1)
    assert table(html, "monthly") == [
        ["月份", "活动场次（场）", "参与人次（人次）", "志愿服务时长（小时）", "学分（分）"],
        ["2025年1月", "2", "30", "10", "2"],
        ["2025年2月", "1", "15", "4.5", "4"],
        ["2025年3月", "2", "20", "0", "0"],
        ["合计", "5", "65", "14.5", "6"],
    ]
    assert table(html, "villages") == [
        ["村（社区）", "活动场次（场）", "参与人次（人次）", "志愿服务时长（小时）", "学分（分）"],
        ["甲村", "3", "50", "4.5", "2"],
        ["乙村", "1", "15", "10", "4"],
    ]
    assert html.count("<svg") == 2


def test_unit_detail_and_evidence_links(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    html = page(client, f"/reports/units/{town.village_b_id}", **Q1)
    assert table(html, "monthly")[1:] == [
        ["2025年1月", "0", "0", "10", "0"],
        ["2025年2月", "1", "15", "0", "4"],
        ["2025年3月", "0", "0", "0", "0"],
        ["合计", "1", "15", "10", "4"],
    ]
    links = table_links(html, "monthly")
    assert (
        f"/evidence/calendar.events_held?unit={town.village_b_id}&from=2025-02-01&to=2025-03-01"
        in [link.replace("&amp;", "&") for link in links[2]]
    )


def test_bulletin_rows_totals_rank(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    html = page(client, "/reports/bulletin", **Q1)
    # equal weights (25 each), measured against the best village:
    # 甲: 25 + 25 + 25×4.5/10 + 25×2/4 = 73.75; 乙: 8.33 + 7.5 + 25 + 25 = 65.83
    assert table(html, "bulletin") == [
        [
            "序号",
            "村（社区）",
            "活动场次（场）",
            "参与人次（人次）",
            "志愿服务时长（小时）",
            "学分（分）",
            "综合得分",
            "排名",
        ],
        ["1", "甲村", "3", "50", "4.5", "2", "73.75", "1"],
        ["2", "乙村", "1", "15", "10", "4", "65.83", "2"],
        ["", "合计", "4", "65", "14.5", "6", "", ""],
    ]


def test_bulletin_xlsx_matches_the_page(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    response = client.get("/reports/bulletin.xlsx", query_string=Q1)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[0] == [
        "序号",
        "村（社区）",
        "活动场次（场）",
        "参与人次（人次）",
        "志愿服务时长（小时）",
        "学分（分）",
        "综合得分",
        "排名",
    ]
    assert rows[1] == [1, "甲村", 3, 50, 4.5, 2, 73.75, 1]
    assert rows[2] == [2, "乙村", 1, 15, 10, 4, 65.83, 2]
    assert rows[3][:6] == [None, "合计", 4, 65, 14.5, 6]
    assert "2025-01-01" in sheet["A2"].value and "2025-03-31" in sheet["A2"].value


def _set_weights_and_target(client):
    response = client.post(
        "/reports/weights?year=2025",
        data={
            "calendar__events_held": "50",
            "volunteers__hours": "30",
            "credits__earned": "20",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/reports/goals?year=2025",
        data={
            "which": "targets",
            "calendar__events_held": "4",
            "calendar__participant_times": "60",
        },
    )
    assert response.status_code == 302


def test_assessment_scores_ranks_and_evidence(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    _set_weights_and_target(client)
    html = page(client, "/reports/assessment", year=2025)
    # 甲: events 4/4×50 = 50, hours 4.5/10×30 = 13.5, credits 2/4×20 = 10 → 73.5
    # 乙: 1/4×50 = 12.5, 30, 20 → 62.5
    assert table(html, "assessment-villages") == [
        [
            "单位",
            "活动场次（场）",
            "得分",
            "志愿服务时长（小时）",
            "得分",
            "学分（分）",
            "得分",
            "总分",
            "排名",
        ],
        ["甲村", "4", "50.00", "4.5", "13.50", "2", "10.00", "73.50", "1"],
        ["乙村", "1", "12.50", "10", "30.00", "4", "20.00", "62.50", "2"],
    ]
    assert table(html, "assessment-units")[1:] == [
        ["中心小学", "1", "12.50", "0", "0.00", "0", "0.00", "12.50", "1"],
        ["司法所", "0", "0.00", "0", "0.00", "0", "0.00", "0.00", "2"],
    ]
    links = [link.replace("&amp;", "&") for link in table_links(html, "assessment-villages")[1]]
    assert (
        f"/evidence/calendar.events_held?unit={town.village_a_id}&from=2025-01-01&to=2026-01-01"
        in links
    )
    assert f"/credits/ledger?unit_id={town.village_a_id}&start=2025-01-01&end=2026-01-01" in links


def test_progress_goals_and_behind(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    _set_weights_and_target(client)
    response = client.post(
        "/reports/goals?year=2025",
        data={"which": "demonstration", "demo-villages": [str(town.village_a_id)]},
    )
    assert response.status_code == 302
    html = page(client, "/reports/progress", year=2025)
    rows = table(html, "progress")
    # villages in name order (乙 sorts before 甲); 2025 is over, so due = the whole target.
    # Q4 2025: 甲 held one activity (11-05), 乙 none. 甲 has done 4 of 4 activities but only
    # 50 of 60 participant-times (below 90% of 60 = 54): behind on that one.
    assert rows[0][3] == "本季度活动场次（场）"
    assert rows[1] == ["乙村 落后", "", "未建", "0", "1 / 4 / 4 落后", "15 / 60 / 60 落后"]
    assert rows[2] == ["甲村 落后", "是", "已建", "1", "4 / 4 / 4 已完成", "50 / 60 / 60 落后"]
    assert 'id="coverage-set-up">1 / 2' in html
    assert 'id="coverage-active">1 / 2' in html
    assert html.count('class="behind"') == 2


def test_funds_budget_spending_balance(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    a, b = town.village_a_id, town.village_b_id
    assert (
        client.post(
            f"/reports/funds/{a}/budget?year=2025", data={"budget-amount": "3000"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/reports/funds/{b}/budget?year=2025", data={"budget-amount": "1000"}
        ).status_code
        == 302
    )
    for amount, day in (("500", "2025-03-01"), ("250.50", "2025-06-01"), ("99", "2024-12-31")):
        response = client.post(
            f"/reports/funds/{a}/spending?year=2025",
            data={"spend-spent_on": day, "spend-category": "activity", "spend-amount": amount},
        )
        assert response.status_code == 302
    html = page(client, "/reports/funds", year=2025)
    assert table(html, "funds")[1:] == [
        ["乙村", "800", "1600.00", "1000.00", "0.00", "0.00", "1000.00", "0.00", "低于标准"],
        ["甲村", "1200", "2400.00", "3000.00", "0.00", "750.50", "2249.50", "-750.50", "达标"],
    ]
    assert html.count('class="behind"') == 1
    # the standard follows the configured amount per resident
    app.config["REPORTS_FUNDS_PER_RESIDENT"] = 3
    html = page(client, "/reports/funds", year=2025)
    assert table(html, "funds")[2][2:4] == ["3600.00", "3000.00"]
    assert table(html, "funds")[2][-1] == "低于标准"


def test_spending_counts_only_once_paid(client, login_as, town, app, monkeypatch):
    """已支出 counts spending dated up to today; its link lists exactly those; a future date
    is refused on the form."""
    from datetime import date
    from decimal import Decimal

    from core.extensions import db as _db
    from plugins.reports.models import Spending
    from tests.plugins.reports import known_town

    known_town.freeze(monkeypatch)  # today is 2025-06-15
    a = town.village_a_id
    with app.app_context():
        for day, amount in ((date(2025, 6, 1), "300"), (date(2025, 6, 20), "999")):
            _db.session.add(
                Spending(org_unit_id=a, spent_on=day, category="activity", amount=Decimal(amount))
            )
        _db.session.commit()
    login_as("programme_manager", town.town_id)
    html = page(client, "/reports/funds", year=2025)
    row = next(r for r in table(html, "funds") if r[0] == "甲村")
    assert row[5] == "300.00"  # 已支出, after 收入
    link = next(link for link in table_links(html, "funds")[2] if "#spendings" in link)
    detail = client.get(link.replace("&amp;", "&").split("#")[0]).get_data(as_text=True)
    assert [r[2] for r in table(detail, "spendings")[1:]] == ["300.00"]
    response = client.post(
        f"/reports/funds/{a}/spending?year=2025",
        data={"spend-spent_on": "2025-06-16", "spend-category": "activity", "spend-amount": "5"},
    )
    assert response.status_code == 400
    assert "支出日期不能晚于今天" in response.get_data(as_text=True)
