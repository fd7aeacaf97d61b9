"""Coverage report: lectures delivered per village for a period, topics, lecturer load; the
policy's full-coverage goal shows as the villages with none. XLSX export (the page's bar chart
is ``core.charts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from core import exports
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import as_moment, to_local
from plugins.lecturers.models import Lecturer, Topic
from plugins.lecturers.requests.models import LectureRequest
from plugins.lecturers.services import delivered

PERIODS = {"month": "月", "quarter": "季度", "year": "年"}


@dataclass
class Period:
    kind: str
    year: int
    number: int  # month 1-12, quarter 1-4, or 1 for a year
    first: date
    last_exclusive: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        if self.kind == "custom":
            return f"{self.first.isoformat()} 至 {self.last_exclusive.isoformat()}（不含）"
        return f"{self.year}年"

    @property
    def start(self) -> datetime:
        return as_moment(self.first)

    @property
    def end(self) -> datetime:
        return as_moment(self.last_exclusive)


def make_period(kind: str, year: int, number: int) -> Period:
    """A month, quarter or year in local dates; bad numbers are clamped."""
    kind = kind if kind in PERIODS else "month"
    year = min(max(year, 2000), 2100)
    if kind == "month":
        number = min(max(number, 1), 12)
        first = date(year, number, 1)
        following = date(year + (number == 12), number % 12 + 1, 1)
    elif kind == "quarter":
        number = min(max(number, 1), 4)
        first = date(year, 3 * number - 2, 1)
        following = date(year + (number == 4), (3 * number) % 12 + 1, 1)
    else:
        number, first, following = 1, date(year, 1, 1), date(year + 1, 1, 1)
    return Period(kind, year, number, first, following)


def custom_period(first: date, last_exclusive: date) -> Period:
    return Period("custom", first.year, 1, first, last_exclusive)


@dataclass
class Coverage:
    period: Period
    villages: list[dict] = field(default_factory=list)  # name, id, lectures, audience, topics
    topics: list[tuple[str, int]] = field(default_factory=list)
    lecturers: list[dict] = field(default_factory=list)  # name, unit, lectures, audience, rating
    months: list[str] = field(default_factory=list)  # "2026-01" … when the period spans several

    @property
    def without(self) -> list[dict]:
        return [row for row in self.villages if not row["lectures"]]

    @property
    def total(self) -> int:
        return sum(row["lectures"] for row in self.villages)


def coverage(villages: list[OrgUnit], period: Period) -> Coverage:
    """Aggregate delivered lectures of ``villages`` held in ``period`` (three grouped queries)."""
    ids = [v.id for v in villages]
    # The same lectures the report figures count (``services.delivered``).
    done = (delivered(period.first, period.last_exclusive), LectureRequest.org_unit_id.in_(ids))
    per_village: dict[int, dict] = {
        v.id: {"id": v.id, "name": v.name, "lectures": 0, "audience": 0, "topics": []}
        for v in villages
    }
    for unit_id, topic, count, audience in db.session.execute(
        select(
            LectureRequest.org_unit_id,
            Topic.name,
            func.count(LectureRequest.id),
            func.coalesce(func.sum(LectureRequest.attendance), 0),
        )
        .join(Topic, Topic.id == LectureRequest.topic_id)
        .where(*done)
        .group_by(LectureRequest.org_unit_id, Topic.name)
    ):
        row = per_village[unit_id]
        row["lectures"] += int(count)
        row["audience"] += int(audience)
        row["topics"].append(topic)
    topic_counts: dict[str, int] = {}
    for row in per_village.values():
        row["topics"].sort()
    for name, count in db.session.execute(
        select(Topic.name, func.count(LectureRequest.id))
        .join(Topic, Topic.id == LectureRequest.topic_id)
        .where(*done)
        .group_by(Topic.name)
    ):
        topic_counts[name] = int(count)
    lecturers = [
        {
            "name": name,
            "unit": unit or "",
            "lectures": int(count),
            "audience": int(audience or 0),
            "rating": round(float(avg), 2) if avg is not None else None,
            "monthly_max": monthly_max,
        }
        for name, unit, monthly_max, count, audience, avg in db.session.execute(
            select(
                User.display_name,
                OrgUnit.name,
                Lecturer.monthly_max,
                func.count(LectureRequest.id),
                func.sum(LectureRequest.attendance),
                func.avg(LectureRequest.rating),
            )
            .join(Lecturer, Lecturer.id == LectureRequest.lecturer_id)
            .join(User, User.id == Lecturer.user_id)
            .outerjoin(OrgUnit, OrgUnit.id == Lecturer.org_unit_id)
            .where(*done)
            .group_by(Lecturer.id, User.display_name, OrgUnit.name, Lecturer.monthly_max)
            .order_by(func.count(LectureRequest.id).desc())
        )
    ]
    months = _months(period)
    if len(months) > 1:
        for row in per_village.values():
            row["by_month"] = dict.fromkeys(months, 0)
        for unit_id, end in db.session.execute(
            select(LectureRequest.org_unit_id, LectureRequest.scheduled_end).where(*done)
        ):
            key = to_local(end).strftime("%Y-%m")
            if key in per_village[unit_id]["by_month"]:
                per_village[unit_id]["by_month"][key] += 1
    return Coverage(
        months=months if len(months) > 1 else [],
        period=period,
        villages=sorted(per_village.values(), key=lambda r: (-r["lectures"], r["name"])),
        topics=sorted(topic_counts.items(), key=lambda item: (-item[1], item[0])),
        lecturers=lecturers,
    )


def _months(period: Period) -> list[str]:
    months, day = [], period.first.replace(day=1)
    while day < period.last_exclusive and len(months) < 120:
        months.append(day.strftime("%Y-%m"))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def xlsx_bytes(report: Coverage) -> bytes:
    """The report as an Excel workbook: villages, topics and lecturers on three sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "各村送讲"
    sheet.append([f"送讲覆盖报表 {report.period.label}"])
    sheet.append(["村（社区）", "送讲场次", "听讲人次", "专题"])
    for row in report.villages:
        sheet.append([row["name"], row["lectures"], row["audience"], "、".join(row["topics"])])
    sheet.append(["合计", report.total, sum(r["audience"] for r in report.villages), ""])
    if report.months:
        monthly = book.create_sheet("按月")
        monthly.append(["村（社区）", *report.months])
        for row in report.villages:
            monthly.append([row["name"], *row["by_month"].values()])
    topics = book.create_sheet("专题")
    topics.append(["专题", "场次"])
    for name, count in report.topics:
        topics.append([name, count])
    people = book.create_sheet("讲师")
    people.append(["讲师", "单位", "场次", "听讲人次", "平均评分"])
    for row in report.lecturers:
        people.append([row["name"], row["unit"], row["lectures"], row["audience"], row["rating"]])
    for ws in book.worksheets:
        for cell in ws[1 if ws is not sheet else 2]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 18
    return exports.xlsx_bytes(book)
