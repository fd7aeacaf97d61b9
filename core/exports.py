"""Every XLSX and CSV the site produces is written here, with formula injection neutralised.

A question stem, a village or a person's name is typed by someone; opened in Excel or WPS, a
value such as ``=HYPERLINK(...)`` or ``+cmd|...`` would run. So a text that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is written as text that cannot run:

- XLSX: the cell is a plain string (never a formula) and carries Excel's quote prefix, so even
  editing the cell keeps it text;
- CSV: the value is prefixed with ``'`` (OWASP's advice; spreadsheet programs show the rest).

Numbers stay numbers. Callers build sheets with openpyxl as usual and hand the workbook to
:func:`xlsx_bytes`, which checks every cell of every sheet, or write rows with :func:`csv_bytes`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: object) -> bool:
    """A text a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_workbook(book: Workbook) -> Workbook:
    """Make every text cell of ``book`` plain text: no formulas, quote prefix where risky."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (cell.data_type == "s" and is_risky(cell.value)):
                    cell.data_type = "s"  # openpyxl takes any "=..." string for a formula
                    cell.quotePrefix = True
    return book


def xlsx_bytes(book: Workbook) -> bytes:
    """``book`` saved as XLSX bytes, neutralised first."""
    buffer = io.BytesIO()
    neutralise_workbook(book).save(buffer)
    return buffer.getvalue()


def csv_cell(value: object) -> object:
    """One CSV value, prefixed with ``'`` when a spreadsheet could run it."""
    return "'" + value if is_risky(value) else value


def csv_bytes(rows: Iterable[Iterable[object]], *, excel_bom: bool = True) -> bytes:
    """Rows as UTF-8 CSV (with a BOM by default, so Excel reads Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    text = buffer.getvalue()
    return text.encode("utf-8-sig" if excel_bom else "utf-8")


def strip_csv_guard(value: str) -> str:
    """Undo :func:`csv_cell` on import, so an exported file can be read back unchanged."""
    if value.startswith("'") and is_risky(value[1:]):
        return value[1:]
    return value
