"""The progress bulletin as an XLSX in a township office's layout (openpyxl)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core import exports
from plugins.reports.services import INCOME_SOURCES, SPENDING_CATEGORIES


def bulletin(start: date, last: date, cols, rows, total) -> BytesIO:
    """Title, period, header (序号, 村（社区）, metrics…, 综合得分, 排名), a row per village, 合计."""
    book = Workbook()
    sheet = book.active
    sheet.title = "工作进度通报"
    width = len(cols) + 4
    sheet.append(["双槐镇社区教育工作进度通报"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"统计期间：{start.isoformat()} 至 {last.isoformat()}"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    header = ["序号", "村（社区）"] + [
        f"{c.label}（{c.unit}）" if c.unit else c.label for c in cols
    ]
    sheet.append([*header, "综合得分", "排名"])
    for index, row in enumerate(rows, start=1):
        sheet.append([index, row.label, *[row.values[c.key] for c in cols], row.score, row.rank])
    if total is not None:
        sheet.append(["", "合计", *[total.values[c.key] for c in cols], "", ""])
    thin = Side(style="thin")
    for line in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=width):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    if total is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 14
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    return BytesIO(exports.xlsx_bytes(book))


def funds(year: int, rows, entries) -> BytesIO:
    """Sheet 专项经费: per village budget, income, spending and balances, with a total; sheet
    收支明细: every income and spending entry of the year."""
    book = Workbook()
    sheet = book.active
    sheet.title = "专项经费"
    sheet.append([f"双槐镇社区教育专项经费 {year} 年"])
    sheet["A1"].font = Font(size=14, bold=True)
    header = [
        "村（社区）",
        "人口",
        "标准（元）",
        "预算（元）",
        "收入（元）",
        "已支出（元）",
        "结余（元）",
        "收支结余（元）",
    ]
    sheet.append(header)
    for row in rows:
        sheet.append(
            [
                row["unit"].name,
                row["population"],
                float(row["standard"]),
                None if row["budget"] is None else float(row["budget"]),
                float(row["income"]),
                float(row["spent"]),
                float(row["balance"]),
                float(row["funds_balance"]),
            ]
        )
    sheet.append(
        [
            "合计",
            sum(row["population"] for row in rows),
            float(sum(row["standard"] for row in rows)),
            float(sum(row["budget"] or 0 for row in rows)),
            float(sum(row["income"] for row in rows)),
            float(sum(row["spent"] for row in rows)),
            float(sum(row["balance"] for row in rows)),
            float(sum(row["funds_balance"] for row in rows)),
        ]
    )
    for cell in (*sheet[2], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    for column in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    detail = book.create_sheet("收支明细")
    detail.append(["村（社区）", "日期", "收支", "来源或类别", "金额（元）", "说明"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for village, incomes, spendings in entries:
        for income in sorted(incomes, key=lambda entry: (entry.received_on, entry.id)):
            detail.append(
                [
                    village.name,
                    income.received_on.isoformat(),
                    "收入",
                    INCOME_SOURCES.get(income.source, income.source),
                    float(income.amount),
                    income.description,
                ]
            )
        for spending in sorted(spendings, key=lambda entry: (entry.spent_on, entry.id)):
            detail.append(
                [
                    village.name,
                    spending.spent_on.isoformat(),
                    "支出",
                    SPENDING_CATEGORIES.get(spending.category, spending.category),
                    float(spending.amount),
                    spending.description,
                ]
            )
    return BytesIO(exports.xlsx_bytes(book))
