"""Spreadsheets of the steering plugin (openpyxl): the task list."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from plugins.steering.models import TASK_SOURCES, TASK_STATES


def tasks(rows, today: date) -> BytesIO:
    """One row per task: unit, title, owner, deadline, source, state, overdue."""
    book = Workbook()
    sheet = book.active
    sheet.title = "督办任务"
    sheet.append(["序号", "单位", "任务内容", "负责人", "办结期限", "来源", "状态", "是否逾期"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, task in enumerate(rows, start=1):
        sheet.append(
            [
                index,
                task.org_unit.name,
                task.title,
                task.owner.display_name,
                task.deadline.isoformat(),
                TASK_SOURCES.get(task.source, task.source),
                TASK_STATES.get(task.state, task.state),
                "逾期" if task.overdue_on(today) else "",
            ]
        )
    for column, width in zip("ABCDEFGH", (6, 14, 40, 12, 12, 10, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
