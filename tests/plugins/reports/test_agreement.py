"""One definition of every figure: every report page and export agrees with the others for each
village, cell by cell, and with the numbers worked out by hand in known_town.py; every figure
links to a list of exactly the items it counts, and those lists are permission-checked."""

from __future__ import annotations

import html as htmlmod
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.conftest import log_in
from tests.plugins.reports import known_town
from tests.plugins.reports.known_town import (
    EXPECTED,
    EXPECTED_MONTHS,
    EXPECTED_QUARTER,
    HEADINGS,
)
from tests.plugins.reports.tabletext import linked_cells, table, table_links

WHOLE_YEAR = {"start": "2025-01-01", "end": "2025-12-31"}  # ends in the future
KEYS = list(HEADINGS)
EVIDENCE_ENDPOINTS = [
    "/calendar/reports/held",
    "/calendar/reports/attended",
    "/lectures/reports/delivered",
    "/lectures/reports/audience",
    "/volunteers/reports/hours",
    "/volunteers/reports/mediation",
    "/contests/participation",
    "/credits/ledger",
]


@pytest.fixture
def app(make_app):
    return make_app(plugins="calendar,lecturers,volunteers,competitions,credits,reports")


@pytest.fixture
def built(app, town, make_user, monkeypatch):
    known_town.freeze(monkeypatch)
    return known_town.build(app, town, make_user)


@pytest.fixture
def manager(client, login_as, town, built):
    """Signed in as the town's programme manager, with weights and targets over all figures."""
    login_as("programme_manager", town.town_id)
    weights = {key.replace(".", "__"): "12.5" for key in KEYS}
    assert client.post("/reports/weights?year=2025", data=weights).status_code == 302
    targets = {key.replace(".", "__"): "24" for key in KEYS} | {"credits__earned": "15.2"}
    response = client.post("/reports/goals?year=2025", data={"which": "targets", **targets})
    assert response.status_code == 302
    return built


def get(client, url, **args) -> str:
    response = client.get(url, query_string=args or None)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def number(text: str) -> float:
    return float(text.split(" / ")[0].replace(",", ""))


def columns(header: list[str]) -> dict[str, int]:
    """Column index of each figure, found by its heading (progress headings carry a suffix)."""
    found = {}
    for key, heading in HEADINGS.items():
        found[key] = next(
            i for i, cell in enumerate(header) if cell.startswith(heading) and "本季度" not in cell
        )
    return found


def by_village(rows: list[list], name_column: int) -> dict[str, dict[str, float]]:
    where = columns([str(cell) for cell in rows[0]])
    return {
        str(row[name_column]).split()[0]: {key: number(str(row[i])) for key, i in where.items()}
        for row in rows[1:]
        if str(row[name_column]).split()[0] in EXPECTED
    }


def test_every_page_and_export_agrees_with_the_hand_count(client, town, manager):
    pages = {}
    for label, args in (("whole year", WHOLE_YEAR), ("to date", {})):
        pages[f"bulletin, {label}"] = by_village(
            table(get(client, "/reports/bulletin", **args), "bulletin"), 1
        )
        response = client.get("/reports/bulletin.xlsx", query_string=args)
        sheet = load_workbook(BytesIO(response.data)).active
        rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
        pages[f"bulletin XLSX, {label}"] = by_village(rows, 1)
        pages[f"overview, {label}"] = by_village(
            table(get(client, "/reports/", **args), "villages"), 0
        )
    pages["assessment"] = by_village(
        table(get(client, "/reports/assessment", year=2025), "assessment-villages"), 0
    )
    progress_html = get(client, "/reports/progress", year=2025)
    pages["progress"] = by_village(table(progress_html, "progress"), 0)
    for name, unit_id in manager.village_ids.items():
        monthly = table(get(client, f"/reports/units/{unit_id}", **WHOLE_YEAR), "monthly")
        where = columns(monthly[0])
        total = monthly[-1]
        assert total[0] == "合计"
        pages.setdefault("unit detail", {})[name] = {k: number(total[i]) for k, i in where.items()}
        for row in monthly[1:-1]:
            expected = EXPECTED_MONTHS[name].get(row[0], {})
            assert {k: number(row[i]) for k, i in where.items()} == {
                k: expected.get(k, 0) for k in KEYS
            }, (name, row[0])
    for page, figures in pages.items():
        assert figures == EXPECTED, page

    # 目标进度: the quarter's activities held, and the whole-number targets with their state
    rows = table(progress_html, "progress")
    quarter = {
        key: next(i for i, cell in enumerate(rows[0]) if cell.startswith("本季度" + heading))
        for key, (heading, _unit) in {
            "calendar.events_held": ("举办活动", ""),
            "lecturers.lectures_delivered": ("送讲场次", ""),
            "volunteers.mediation_sessions": ("人民调解场次", ""),
        }.items()
    }
    for row in rows[1:]:
        name = row[0].split()[0]
        assert {k: number(row[i]) for k, i in quarter.items()} == EXPECTED_QUARTER[name]
        # 165 of 365 days gone: due = ceil(24 × 165 / 365) = ceil(10.85) = 11 of 24; credits'
        # target 15.2 is 16, due ceil(7.23) = 8, and 90% of 8 is 7.2: 甲 (6) behind, 乙 (8) not
        states = dict.fromkeys(KEYS, (11, 24, "落后"))
        states["lecturers.audience"] = (11, 24, "已完成")  # 40 and 25 ≥ 24
        states["credits.earned"] = (8, 16, "落后" if name == "甲村" else "达标")
        for key, i in columns(rows[0]).items():
            due, target, state = states[key]
            assert row[i] == f"{EXPECTED[name][key]:g} / {due} / {target} {state}", (name, key)
    assert 'id="coverage-active">2 / 2' in progress_html

    # the plugins' own reports: lecture coverage and the credit rankings
    coverage = table(
        get(client, "/lectures/reports/coverage", period="year", year=2025), "coverage-villages"
    )
    assert {row[0]: [int(row[1]), int(row[2])] for row in coverage[1:]} == {
        name: [figures["lecturers.lectures_delivered"], figures["lecturers.audience"]]
        for name, figures in EXPECTED.items()
    }
    ranking = table(get(client, "/credits/rankings", **WHOLE_YEAR), "rank-villages")
    assert {row[1]: int(row[2]) for row in ranking[1:]} == {
        name: figures["credits.earned"] for name, figures in EXPECTED.items()
    }


def evidence_total(client, link: str) -> tuple[float, float, int]:
    """(the total the list page states, the sum of its rows, how many rows).

    A ratio's list (``data-denominator``) has a row per counted item, 1 or 0: its "sum" is
    then the percentage of the rows that are 1."""
    html = get(client, htmlmod.unescape(link))
    total = float(re.search(r'id="evidence"[^>]*data-total="([^"]*)"', html).group(1))
    values = [float(v) for v in re.findall(r'<tr data-value="([^"]*)"', html)]
    if re.search(r'id="evidence"[^>]*data-denominator=', html):
        return total, round(100 * sum(values) / len(values), 1) if values else 0.0, len(values)
    return total, sum(values), len(values)


def test_every_figure_links_to_exactly_what_it_counts(client, town, manager):
    checked = set()
    for url, args, table_id in (
        ("/reports/bulletin", {}, "bulletin"),
        ("/reports/assessment", {"year": 2025}, "assessment-villages"),
        ("/reports/progress", {"year": 2025}, "progress"),
        ("/reports/", WHOLE_YEAR, "villages"),
        (f"/reports/units/{town.village_a_id}", WHOLE_YEAR, "monthly"),
    ):
        rows = linked_cells(get(client, url, **args), table_id)
        for row in rows[1:]:
            if row[1][0] == "合计":  # the bulletin's sum of the rows above
                continue
            figures = [
                (text, link) for text, link in row if link and not link.startswith("/reports/")
            ]
            assert len(figures) >= 8, (url, row)
            for text, link in figures:
                total, summed, _rows = evidence_total(client, link)
                assert total == summed == number(text), (url, row[0], link)
                checked.add(link.split("?")[0])
    assert checked == set(EVIDENCE_ENDPOINTS)

    # the counts on a count figure's page are its rows: 甲村's two activities, five attendances
    period = f"unit_id={town.village_a_id}&start=2025-01-01&end=2026-01-01"
    assert evidence_total(client, f"/calendar/reports/held?{period}")[2] == 2
    assert evidence_total(client, f"/calendar/reports/attended?{period}")[2] == 5
    held = get(client, f"/calendar/reports/held?{period}")
    assert "周一夜校" in held and "2025-06-02" in held and "2025-06-09" not in held


def test_evidence_lists_are_for_their_units_staff_only(app, client, town, make_user, built):
    a, b = town.village_a_id, town.village_b_id
    period = "start=2025-01-01&end=2026-01-01"
    for endpoint in EVIDENCE_ENDPOINTS:
        assert client.get(f"{endpoint}?unit_id={a}&{period}").status_code == 302  # log in first
    log_in(client, app, make_user("village_coordinator", a))
    for endpoint in EVIDENCE_ENDPOINTS:
        assert client.get(f"{endpoint}?unit_id={a}&{period}").status_code == 200, endpoint
        assert client.get(f"{endpoint}?unit_id={b}&{period}").status_code == 403, endpoint
        assert client.get(f"{endpoint}?unit_id=99999&{period}").status_code == 404, endpoint
        # a malformed period: refused, or (the volunteers' pages) shown back on their form
        bad = client.get(f"{endpoint}?unit_id={a}&start=2025-13-01&end=x")
        assert bad.status_code in (400, 200), endpoint
    # every figure on the coordinator's own bulletin opens for them
    html = get(client, "/reports/bulletin")
    for link in [link for row in table_links(html, "bulletin") for link in row]:
        assert client.get(htmlmod.unescape(link)).status_code == 200, link
    log_in(client, app, make_user("resident", a))
    for endpoint in EVIDENCE_ENDPOINTS:
        assert client.get(f"{endpoint}?unit_id={a}&{period}").status_code == 403, endpoint
