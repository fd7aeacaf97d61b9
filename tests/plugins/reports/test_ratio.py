"""A ratio metric (``Metric.denominators``): rows show the percentage, and every total is
Σnumerators / Σdenominators, not a sum (or an average) of the rows' rates."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import Metric
from core.models import OrgUnit
from core.plugins import Plugin
from plugins.reports import metrics as m
from tests.plugins.reports.tabletext import table

#: (village, due day, assigned, completed)
GROUPS = [
    ("甲村", date(2025, 1, 15), 3, 1),
    ("甲村", date(2025, 2, 15), 2, 2),
    ("乙村", date(2025, 1, 20), 4, 1),
]
Q1 = {"start": "2025-01-01", "end": "2025-03-31"}


class RateMetric(Plugin):
    name = "ratemetric"
    title = "测试比率"

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        paths = dict(_db.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
        by_name = {unit.name: unit.path for unit in _db.session.scalars(select(OrgUnit))}
        done, assigned = {}, {}
        for unit_id in unit_ids:
            rows = [
                row
                for row in GROUPS
                if start <= row[1] < end and by_name[row[0]].startswith(paths[unit_id])
            ]
            assigned[unit_id] = sum(row[2] for row in rows)
            done[unit_id] = sum(row[3] for row in rows)
        return [Metric("test.rate", "完成率", done, "%", denominators=assigned)]


@pytest.fixture
def app(make_app):
    return make_app(plugins="reports", extra_plugins=[RateMetric()])


def test_value_of_a_ratio_is_its_percentage():
    metric = Metric("k", "完成率", {1: 1, 2: 0}, "%", denominators={1: 3, 2: 0})
    assert metric.is_ratio and not Metric("k", "人数", {1: 1}).is_ratio
    assert metric.fraction(1) == (1, 3) and metric.fraction(9) == (0, 0)
    assert m.value(metric, 1) == 33.3
    assert m.value(metric, 2) == 0  # nobody assigned: nothing to divide


def test_bulletin_total_is_the_ratio_of_the_sums(client, login_as, town):
    login_as("programme_manager", town.town_id)
    html = client.get("/reports/bulletin", query_string=Q1).get_data(as_text=True)
    rows = table(html, "bulletin")
    assert rows[0][2] == "完成率（%）"
    # 甲村 3 of 5, 乙村 1 of 4; together 4 of 9 = 44.4% (a sum of rates would be 85).
    assert [row[1:3] for row in rows[1:]] == [["甲村", "60"], ["乙村", "25"], ["合计", "44.4"]]
    sheet = load_workbook(
        BytesIO(client.get("/reports/bulletin.xlsx", query_string=Q1).data)
    ).active
    last = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)][-1]
    assert last[1:3] == ["合计", 44.4]


def test_month_by_month_total_is_the_ratio_of_the_sums(client, login_as, town):
    login_as("programme_manager", town.town_id)
    url = f"/reports/units/{town.village_a_id}"
    html = client.get(url, query_string=Q1).get_data(as_text=True)
    # January 1 of 3, February 2 of 2, March none; the quarter 3 of 5 (not 133.3 or 66.7).
    assert table(html, "monthly")[1:] == [
        ["2025年1月", "33.3"],
        ["2025年2月", "100"],
        ["2025年3月", "0"],
        ["合计", "60"],
    ]
