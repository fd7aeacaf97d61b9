"""Demo data: weekly night school and micro-lectures across the demo villages, with people.

Idempotent: events are found by title and village; running twice adds nothing.
"""

from __future__ import annotations

import zlib
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core import demo
from core.extensions import db
from core.timeutil import local_zone, utcnow
from plugins.calendar import attendance, recurrence, registration, services, uploads
from plugins.calendar.models import (
    CalendarAttendance,
    CalendarCategory,
    CalendarEvent,
    CalendarMaterial,
)

NIGHT_SCHOOL_VILLAGES = ["渭溪村", "黄土村", "三觉村", "双槐社区"]
LECTURES = [
    ("渭溪村", "微讲堂：春季农作物病虫害防治", "微讲堂", 5, 15),
    ("黄土村", "健康讲座：老年人高血压防治", "健康讲座", 9, 9),
    ("马寨村", "法治宣讲：人民调解与邻里纠纷", "法治宣讲", 12, 14),
    ("金鸡村", "微讲堂：手机里的“指尖学习”", "微讲堂", 16, 19),
    ("文星村", "村（居）民开放日", "村（居）民开放日", 20, 9),
    ("石堰社区", "微讲堂：家庭教育与亲子沟通", "微讲堂", 23, 19),
]


def _png() -> bytes:
    """A tiny valid 1×1 PNG (stands in for an activity photo)."""
    raw = b"\x00\xff\x00\x00"

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _find(title: str, unit_id: int) -> CalendarEvent | None:
    return db.session.scalar(
        select(CalendarEvent).where(
            CalendarEvent.title == title, CalendarEvent.org_unit_id == unit_id
        )
    )


def _local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_zone())


def load(town) -> None:
    services.ensure_categories()
    cats = {c.name: c for c in db.session.scalars(select(CalendarCategory))}
    manager = demo.demo_user("programme_manager")
    today = utcnow().astimezone(local_zone()).date()
    monday = today - timedelta(days=today.weekday())
    made = []
    for index, name in enumerate(NIGHT_SCHOOL_VILLAGES):
        village = demo.demo_village(town, name)
        if village is None:
            continue
        title = f"善书堂干部夜校（{name}）"
        if _find(title, village.id):
            continue
        first_day = monday - timedelta(weeks=3) + timedelta(days=1 + index)
        event = services.save_event(
            None,
            {
                "title": title,
                "description": "每周一次，学习政策理论、产业发展和乡村治理。\n请带上笔记本。",
                "markdown": False,
                "category_id": cats["干部夜校"].id,
                "org_unit_id": village.id,
                "venue": village.learning_centre_name or village.name,
                "all_day": False,
                "start_at": _local(first_day, 19, 30),
                "end_at": _local(first_day, 21, 0),
                "freq": "weekly",
                "interval": 1,
                "weekdays": str(first_day.weekday()),
                "count": 20,
                "until": None,
                "capacity": 40,
                "registration_open": True,
                "members_only": False,
            },
            manager.id if manager else None,
        )
        made.append(event)
    for name, title, category, offset, hour in LECTURES:
        village = demo.demo_village(town, name)
        if village is None or _find(title, village.id):
            continue
        day = today + timedelta(days=offset)
        made.append(
            services.save_event(
                None,
                {
                    "title": title,
                    "description": "主讲：镇讲师团成员。欢迎村（居）民参加。",
                    "markdown": False,
                    "category_id": cats[category].id,
                    "org_unit_id": village.id,
                    "venue": village.learning_centre_name or village.name,
                    "all_day": False,
                    "start_at": _local(day, hour),
                    "end_at": _local(day, hour + 1, 30),
                    "freq": "none",
                    "interval": 1,
                    "weekdays": "",
                    "count": None,
                    "until": None,
                    "capacity": 60,
                    "registration_open": True,
                    "members_only": False,
                },
                manager.id if manager else None,
            )
        )
    db.session.flush()
    if made:
        _people(made[0], manager)


def _people(event: CalendarEvent, manager) -> None:
    """Registrations on the first night school's last and next classes; attendance only on
    the class that has begun, recorded as at its start (records are facts: nothing is
    recorded for a class still to come)."""
    resident, coordinator = demo.demo_user("resident"), demo.demo_user("village_coordinator")
    starts = recurrence.all_original_starts(event)
    now = utcnow()
    past = [s for s in starts if s < now][-1:]
    upcoming = [s for s in starts if s >= now][:1]
    for start in past + upcoming:
        occ = recurrence.find_occurrence(event, start)
        if resident and occ.end > now:
            registration.register(event, occ, resident.id)
        if start in past:
            at = min(occ.start + timedelta(minutes=10), now)  # inside its check-in window
            for reg_user in (resident, coordinator):
                if reg_user and not db.session.scalar(
                    select(CalendarAttendance.id).where(
                        CalendarAttendance.event_id == event.id,
                        CalendarAttendance.user_id == reg_user.id,
                        CalendarAttendance.original_start == start,
                    )
                ):
                    attendance.check_in(
                        event,
                        occ,
                        user_id=reg_user.id,
                        method="rollcall",
                        recorded_by_id=coordinator.id if coordinator else None,
                        now=at,
                    )
            attendance.check_in(event, occ, walk_in_name="赵大爷", method="walk_in", now=at)
            for kind, name, data, ext in (
                ("photo", "夜校现场.png", _png(), "png"),
                (
                    "learning_record",
                    "学习记录.pdf",
                    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                    "pdf",
                ),
            ):
                db.session.add(
                    CalendarMaterial(
                        event_id=event.id,
                        original_start=start,
                        org_unit_id=event.org_unit_id,
                        kind=kind,
                        original_name=name,
                        stored_name=uploads.store(data, ext),
                        content_type="image/png" if ext == "png" else "application/pdf",
                        size=len(data),
                        uploaded_by_id=manager.id if manager else None,
                    )
                )
    db.session.flush()
