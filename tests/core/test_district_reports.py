"""Reports and staff lists in a district: town A's manager sees town A's units only.

With 测试区 → {测试镇 (甲村, 乙村, …), 第二镇 (丙村, 第二镇中学)}, every report page, XLSX and
staff list that names units is fetched as town A's programme manager (丙村 and 第二镇中学 must
never appear) and as the district's programme manager (both towns' units must appear where the
page lists units at all).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from core.extensions import db as _db
from tests.conftest import log_in

#: Pages (and XLSX) that list units or offer a unit filter to staff.
PAGES = (
    "/reports/",
    "/reports/progress",
    "/reports/bulletin",
    "/reports/bulletin.xlsx",
    "/reports/assessment",
    "/reports/funds",
    "/reports/funds.xlsx",
    "/reports/goals",
    "/reports/learn/",
    "/reports/learn/new",
    "/steering/coverage",
    "/steering/standard",
    "/steering/tasks",
    "/steering/tasks.xlsx",
    "/steering/tasks/new",
    "/steering/visits",
    "/steering/meetings",
    "/steering/meetings/new",
    "/steering/training",
    "/learning/manage/",
    "/learning/assignments/",
    "/learning/assignments/new",
    "/credits/people",
    "/credits/rankings",
    "/credits/households",
    "/volunteers/manage",
    "/volunteers/manage/shifts/new",
    "/volunteers/manage/volunteers",
    "/volunteers/reports/hours",
    "/volunteers/reports/roster",
    "/volunteers/reports/mediation",
    "/lectures/manage",
    "/calendar/manage",
    "/contests/manage",
    "/lectures/requests",
    "/lectures/reports/coverage",
    "/lectures/reports/coverage.xlsx",
)

#: Evidence pages behind the reports' figures, asked for one unit (``?unit_id=``).
EVIDENCE = (
    "/learning/reports/learners",
    "/learning/reports/completions",
    "/learning/reports/completion-rate",
    "/credits/ledger",
    "/lectures/reports/delivered",
    "/lectures/reports/audience",
    "/contests/participation",
    "/calendar/reports/held",
    "/calendar/reports/attended",
    "/steering/figures/overdue",
    "/steering/figures/on-time",
    "/steering/figures/visits",
    "/steering/figures/training",
)

TOWN_B_NAMES = ("丙村", "第二镇中学")


def _text(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.get_data(as_text=True)


def _walk(client, scope: int) -> dict[str, str]:
    pages = {}
    for url in (*PAGES, *(f"{page}?unit_id={scope}" for page in EVIDENCE)):
        response = client.get(url)
        pages[url] = _text(response) if response.status_code == 200 else response.status_code
    assert {url: text for url, text in pages.items() if isinstance(text, int)} == {}
    return pages


@pytest.fixture(autouse=True)
def weighted(app, tree):
    """Give this year an assessment weight (so the assessment lists units), flag 丙村 a
    demonstration village, and let 丙村 hold the only event (three hours ago)."""
    from decimal import Decimal

    from core.timeutil import local_today, utcnow
    from plugins.calendar import services as calendar
    from plugins.reports import services
    from tests.plugins.calendar.conftest import event_fields

    with app.app_context():
        services.save_weights(local_today().year, {"calendar.events_held": Decimal("100")})
        services.set_demonstration({tree.village_c_id})
        category = calendar.ensure_categories()[0]
        start = utcnow().replace(microsecond=0) - timedelta(hours=3)
        calendar.save_event(
            None, event_fields(category.id, tree.village_c_id, start, title="丙村夜校"), None
        )
        _db.session.commit()


@pytest.fixture
def town_a_staff(tree, managers, make_user) -> dict[str, int]:
    return {
        "manager": managers["town_a"],
        "admin": make_user("site_admin", tree.town_a_id, name="甲镇站长"),
    }


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_town_a_staff_never_see_town_b_units(app, client, tree, town_a_staff, who):
    log_in(client, app, town_a_staff[who])
    leaks = {
        url: name
        for url, text in _walk(client, tree.town_a_id).items()
        for name in TOWN_B_NAMES
        if name in text
    }
    assert leaks == {}
    assert "测试镇 逐月统计" in client.get("/reports/").get_data(as_text=True)
    for page in EVIDENCE:
        assert client.get(f"{page}?unit_id={tree.town_b_id}").status_code == 403, page


def test_district_manager_sees_both_towns(app, client, tree, managers):
    log_in(client, app, managers["district"])
    pages = _walk(client, tree.district_id)
    for url in ("/reports/progress", "/reports/bulletin", "/reports/assessment", "/reports/funds"):
        assert "甲村" in pages[url] and "丙村" in pages[url], url
    assert "甲村" in pages["/reports/bulletin.xlsx"] and "丙村" in pages["/reports/bulletin.xlsx"]
    assert "丙村夜校" in pages[f"/calendar/reports/held?unit_id={tree.district_id}"]
    assert "丙村夜校" in pages["/calendar/manage"]
    assert "测试区 逐月统计" in pages["/reports/"]  # the overview's months are the district's


def test_town_demonstration_villages_leave_other_towns_alone(app, client, tree, managers):
    from plugins.reports import services

    log_in(client, app, managers["town_a"])
    response = client.post(
        "/reports/goals", data={"which": "demonstration", "demo-villages": [tree.village_a_id]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert services.demonstration_ids() == {tree.village_a_id, tree.village_c_id}


def _ranks(client) -> dict[str, int]:
    """Village name → rank, read from the bulletin XLSX (columns 村（社区） … 排名)."""
    response = client.get("/reports/bulletin.xlsx")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    return {row[1]: row[-1] for row in rows if row[1] != "合计"}


def _assessment_ranks(client) -> dict[int, int]:
    """Unit id → rank on the assessment page (the last cell of each unit's row)."""
    html = client.get("/reports/assessment").get_data(as_text=True)
    found = re.findall(r'<tr data-unit="(\d+)">.*?<td class="num">(\d+)</td></tr>', html)
    return {int(unit): int(rank) for unit, rank in found}


def test_bulletin_and_assessment_rank_among_the_readers_towns(app, client, tree, managers):
    """丙村 held the only event: first in the district, but town A's ranking leaves it out."""
    log_in(client, app, managers["district"])
    district = _ranks(client)
    assert district["丙村"] == 1 and district["甲村"] == 2
    ranks = _assessment_ranks(client)
    assert ranks[tree.village_c_id] == 1 and ranks[tree.village_a_id] == 2

    log_in(client, app, managers["town_a"])
    town = _ranks(client)
    assert "丙村" not in town and town["甲村"] == 1
    ranks = _assessment_ranks(client)
    assert tree.village_c_id not in ranks and ranks[tree.village_a_id] == 1


def test_targets_and_weights_are_for_the_whole_installation(app, client, tree, managers):
    """Targets and weights apply to every town: town A's manager may read them, not set them."""
    from core.timeutil import local_today
    from plugins.reports import services

    year = local_today().year
    log_in(client, app, managers["town_a"])
    page = client.get("/reports/goals").get_data(as_text=True)
    assert "年度目标和考核权重由全区统一设置，本页只能查看。" in page
    assert (
        client.post(
            "/reports/goals", data={"which": "targets", "calendar__events_held": "5"}
        ).status_code
        == 403
    )
    assert client.post("/reports/weights", data={"calendar__events_held": "50"}).status_code == 403
    with app.app_context():
        assert services.targets(year) == {}
        assert services.weights(year) == {"calendar.events_held": 100.0}

    log_in(client, app, managers["district"])
    assert "保存目标" in client.get("/reports/goals").get_data(as_text=True)
    response = client.post(
        "/reports/goals", data={"which": "targets", "calendar__events_held": "5"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert services.targets(year) == {"calendar.events_held": 5}
