"""Every XLSX and CSV export writes a typed value that looks like a formula as inert text.

The demo town's names, titles and question stems are rewritten to start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return; then each export is fetched as a site admin and every
cell read back: no formula, and each such text carries Excel's quote prefix (core.exports).
"""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from core import exports
from core.extensions import db as _db

#: One hostile start per kind of record, each exported somewhere below.
HOSTILE_UPDATES = {
    "org_unit": ("name", '=HYPERLINK("http://evil";"x")'),
    "user_account": ("display_name", "@SUM(1+1)*cmd|"),
    "competitions_question": ("stem", "=1+2"),
    "volunteers_shift": ("title", "+1+cmd|' /C calc'!A0"),
    "lecturers_topic": ("name", "-2+3"),
    "calendar_event": ("title", "\t=1+1"),
}


def _admin_client(app, client):
    from core.models import User
    from tests.conftest import log_in

    with app.app_context():
        admin_id = _db.session.scalar(_db.select(User.id).where(User.phone == "13800000001"))
    log_in(client, app, admin_id)
    return client


def _signin_url(app) -> str:
    from plugins.calendar.models import CalendarRegistration

    with app.app_context():
        registration = _db.session.scalars(_db.select(CalendarRegistration).limit(1)).one()
        key = registration.original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"/calendar/e/{registration.event_id}/{key}/signin.xlsx"


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.mark.demo_town
def test_every_xlsx_export_writes_hostile_text_as_inert_text(app, client):
    with app.app_context():
        for table, (column, prefix) in HOSTILE_UPDATES.items():
            # Prefix, so unique names stay unique.
            joined = f"'{prefix.replace(chr(39), chr(39) * 2)}' || {column}"
            _db.session.execute(text(f"UPDATE {table} SET {column} = {joined}"))
        _db.session.commit()
    _admin_client(app, client)
    exports_to_fetch = {
        "/contests/bank/export.xlsx": "=1+2",
        "/contests/bank/template.xlsx": None,
        "/lectures/reports/coverage.xlsx?period=year": "=HYPERLINK",
        "/volunteers/reports/hours?format=xlsx&start=2000-01-01&end=2100-01-01": "+1+cmd",
        "/reports/bulletin.xlsx": "=HYPERLINK",
        _signin_url(app): "@SUM",
    }
    for url, expected_start in exports_to_fetch.items():
        response = client.get(url)
        assert response.status_code == 200, url
        cells = list(_cells(response.data))
        formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert formulas == [], url
        risky = [cell for cell in cells if exports.is_risky(cell.value)]
        assert all(cell.quotePrefix for cell in risky), url
        if expected_start:
            assert any(str(cell.value).startswith(expected_start) for cell in risky), url


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("渭溪村", "渭溪村"),
        (-5, "-5"),
    ],
)
def test_csv_values_that_could_run_get_a_quote(value, written):
    data = exports.csv_bytes([[value]], excel_bom=False).decode()
    assert data.rstrip("\r\n").strip('"') == written
    assert exports.strip_csv_guard(written) == str(value)


def test_xlsx_formulas_set_by_a_caller_are_written_as_text():
    book = Workbook()
    book.active.append(["=1+2", "+3", "普通", 7])
    cells = list(_cells(exports.xlsx_bytes(book)))
    assert [(cell.value, cell.data_type, cell.quotePrefix) for cell in cells] == [
        ("=1+2", "s", True),
        ("+3", "s", True),
        ("普通", "s", False),
        (7, "n", False),
    ]
