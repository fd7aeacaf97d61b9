"""The ``calendar_holdings`` service: sign-in sheets and materials of a unit and period."""

from __future__ import annotations

from datetime import date, datetime

from core.extensions import db as _db
from core.plugins import get_service
from core.timeutil import from_local


def _event(town, unit_id, start):
    from plugins.calendar.models import CalendarEvent
    from plugins.calendar.services import ensure_categories

    category = ensure_categories()[0]
    event = CalendarEvent(
        uid=f"h-{unit_id}-{start.isoformat()}",
        title="十月夜校",
        category_id=category.id,
        org_unit_id=unit_id,
        start_at=start,
        end_at=start.replace(hour=start.hour + 1),
        last_end_at=start.replace(hour=start.hour + 1),
    )
    _db.session.add(event)
    _db.session.flush()
    return event


def test_holdings_list_sheets_with_live_attendance_and_materials_in_the_period(app, town):
    from plugins.calendar.models import CalendarAttendance, CalendarMaterial

    with app.test_request_context():
        inside = from_local(datetime(2026, 10, 10, 19, 0))
        held = _event(town, town.village_a_id, inside)
        revoked = _event(town, town.village_a_id, from_local(datetime(2026, 10, 12, 19, 0)))
        elsewhere = _event(town, town.village_b_id, inside)
        late = _event(town, town.village_a_id, from_local(datetime(2026, 11, 2, 19, 0)))
        for event, gone in ((held, None), (revoked, inside), (elsewhere, None), (late, None)):
            _db.session.add(
                CalendarAttendance(
                    event_id=event.id,
                    original_start=event.start_at,
                    walk_in_name="王",
                    revoked_at=gone,
                )
            )
        for event, kind, name in (
            (held, "photo", "合影.jpg"),
            (held, "other", "杂项.pdf"),
            (elsewhere, "photo", "乙村.jpg"),
        ):
            _db.session.add(
                CalendarMaterial(
                    event_id=event.id,
                    original_start=event.start_at,
                    org_unit_id=event.org_unit_id,
                    kind=kind,
                    original_name=name,
                    stored_name=f"{name}.bin",
                    content_type="image/jpeg",
                    size=1,
                )
            )
        _db.session.commit()
        found = get_service("calendar_holdings").unit_holdings(
            town.village_a_id, date(2026, 10, 1), date(2026, 11, 1)
        )
        assert [(h.kind, h.title, h.day) for h in found] == [
            ("signin", "十月夜校", date(2026, 10, 10)),
            ("photo", "合影.jpg", date(2026, 10, 10)),
        ]
        assert found[0].url.endswith("/signin") and "/calendar/" in found[1].url
        town_wide = get_service("calendar_holdings").unit_holdings(
            town.town_id, date(2026, 10, 1), date(2026, 11, 1)
        )
        assert len(town_wide) == 4
        assert (
            get_service("calendar_holdings").unit_holdings(
                987654, date(2026, 1, 1), date(2026, 2, 1)
            )
            == []
        )
