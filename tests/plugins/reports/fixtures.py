"""A known set of activities, served by a test metrics plugin, plus credits sent by signal.

Every expected number in the reports tests is worked out by hand from this table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from core import signals
from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import Metric
from core.models import OrgUnit
from core.plugins import Plugin

#: (unit name, day, metric key, amount)
ACTIVITIES = [
    ("甲村", date(2025, 1, 10), "calendar.events_held", 1),
    ("甲村", date(2025, 1, 20), "calendar.events_held", 1),
    ("甲村", date(2025, 3, 5), "calendar.events_held", 1),
    ("甲村", date(2025, 11, 5), "calendar.events_held", 1),
    ("乙村", date(2025, 2, 1), "calendar.events_held", 1),
    ("中心小学", date(2025, 3, 1), "calendar.events_held", 1),
    ("甲村", date(2025, 1, 10), "calendar.participant_times", 30),
    ("甲村", date(2025, 3, 5), "calendar.participant_times", 20),
    ("乙村", date(2025, 2, 1), "calendar.participant_times", 15),
    ("甲村", date(2025, 2, 2), "volunteers.hours", 4.5),
    ("乙村", date(2025, 1, 3), "volunteers.hours", 10),
]
LABELS = {
    "calendar.events_held": ("活动场次", "场"),
    "calendar.participant_times": ("参与人次", "人次"),
    "volunteers.hours": ("志愿服务时长", "小时"),
}


class FakeMetrics(Plugin):
    """Stands in for calendar and volunteers: sums ACTIVITIES over the tree and period."""

    name = "fakemetrics"
    title = "测试指标"

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        units = {unit.name: unit.path for unit in _db.session.scalars(select(OrgUnit))}
        paths = dict(_db.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
        result = []
        for key, (label, unit) in LABELS.items():
            values = {}
            for unit_id in unit_ids:
                values[unit_id] = sum(
                    amount
                    for name, day, metric_key, amount in ACTIVITIES
                    if metric_key == key
                    and start <= day < end
                    and units[name].startswith(paths[unit_id])
                )
            result.append(
                Metric(
                    key,
                    label,
                    values,
                    unit,
                    evidence_url="/evidence/" + key + "?unit={unit_id}&from={start}&to={end}",
                )
            )
        return result


def send_credits(app, town, make_user) -> tuple[int, int]:
    """a1 (甲村) attends once on 2025-01-10; b1 (乙村) attends twice on 2025-02-01: 2 and 4 credits."""
    a1 = make_user(home_unit_id=town.village_a_id, name="甲一")
    b1 = make_user(home_unit_id=town.village_b_id, name="乙一")
    sends = [
        (1, a1, datetime(2025, 1, 10, 2, tzinfo=UTC)),
        (2, b1, datetime(2025, 2, 1, 2, tzinfo=UTC)),
        (3, b1, datetime(2025, 2, 1, 3, tzinfo=UTC)),
    ]
    with app.test_request_context():
        for attendance_id, user_id, when in sends:
            signals.send(
                signals.attendance_recorded,
                signals.AttendanceRecorded(attendance_id, 1, when, user_id, None, "微讲堂", when),
            )
    return a1, b1


def open_centre_a(app, town) -> None:
    with app.app_context():
        _db.session.get(OrgUnit, town.village_a_id).learning_centre_opened_on = date(2024, 1, 1)
        _db.session.commit()
