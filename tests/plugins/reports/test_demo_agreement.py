"""On the demo town, 工作进度通报 (page and XLSX), 年度考核 and 目标进度 give every village the
same figures, and each bulletin figure's evidence list adds up to it."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.timeutil import to_local, utcnow
from tests.conftest import log_in
from tests.plugins.reports.known_town import HEADINGS
from tests.plugins.reports.tabletext import linked_cells, table
from tests.plugins.reports.test_agreement import evidence_total, get, number

pytestmark = pytest.mark.demo_town


def figures_by_village(rows: list[list], name_column: int) -> dict[str, dict[str, float]]:
    """Village → {figure key: value} for the figures this table shows (the demo weights some)."""
    header = [str(cell) for cell in rows[0]]
    where = {
        key: next(i for i, cell in enumerate(header) if cell.startswith(heading))
        for key, heading in HEADINGS.items()
        if any(cell.startswith(heading) and "本季度" not in cell for cell in header)
    }
    where = {key: i for key, i in where.items() if "本季度" not in header[i]}
    found = {}
    for row in rows[1:]:
        name = str(row[name_column] or "").split()
        if name and name[0] != "合计":
            found[name[0]] = {key: number(str(row[i])) for key, i in where.items()}
    return found


@pytest.fixture
def app(make_app, demo_database_url):
    """Every plugin on a copy of the demo town (this folder's ``app`` has only two plugins)."""
    return make_app(DATABASE_URL=demo_database_url)


@pytest.fixture
def manager_client(app, client):
    from core.demo import demo_user

    with app.app_context():
        log_in(client, app, demo_user("programme_manager").id)
    return client


def test_every_report_gives_each_demo_village_the_same_figures(manager_client):
    client = manager_client
    year = to_local(utcnow()).year
    workbook = load_workbook(BytesIO(client.get("/reports/bulletin.xlsx").data))
    pages = {
        "bulletin": figures_by_village(table(get(client, "/reports/bulletin"), "bulletin"), 1),
        "bulletin XLSX": figures_by_village(
            [list(row) for row in workbook.active.iter_rows(min_row=3, values_only=True)], 1
        ),
        "assessment": figures_by_village(
            table(get(client, "/reports/assessment", year=year), "assessment-villages"), 0
        ),
        "progress": figures_by_village(
            table(get(client, "/reports/progress", year=year), "progress"), 0
        ),
    }
    bulletin = pages["bulletin"]
    assert len(bulletin) >= 9 and "渭溪村" in bulletin
    assert sum(figures["calendar.events_held"] for figures in bulletin.values()) > 0
    for page, figures in pages.items():
        assert figures.keys() == bulletin.keys(), page
        for village, values in figures.items():
            shared = values.keys() & bulletin[village].keys()
            assert len(shared) >= 4, (page, sorted(values))
            assert {k: values[k] for k in shared} == {k: bulletin[village][k] for k in shared}, (
                page,
                village,
            )


def test_each_demo_bulletin_figure_is_the_length_of_its_list(manager_client):
    client = manager_client
    rows = linked_cells(get(client, "/reports/bulletin"), "bulletin")
    checked = 0
    for row in rows[1:]:
        if row[1][0] == "合计":
            continue
        for text, link in row:
            if link and not link.startswith("/reports/"):
                total, summed, _count = evidence_total(client, link)
                assert total == summed == number(text), (row[1][0], link)
                checked += 1
    assert checked >= 9 * 8
