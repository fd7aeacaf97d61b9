"""/reports/ runs as many queries for many villages and records as for a few: each metric is
one grouped query per month shown, whatever the data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from core import orgunits, signals
from core.extensions import db as _db
from core.models import OrgUnit, OrgUnitKind
from tests.conftest import log_in


def test_reports_page_does_not_query_per_village_or_record(make_app, town, make_user):
    app = make_app()  # every plugin: every real metric
    client = app.test_client()
    log_in(client, app, make_user("programme_manager", town.town_id))
    with app.app_context():
        engine = _db.engine
    attendance_ids = iter(range(1, 1000))

    def add(villages: int) -> None:
        with app.app_context():
            parent = _db.session.get(OrgUnit, town.town_id)
            ids = [
                orgunits.create_unit(parent, OrgUnitKind.village, f"新村{next(attendance_ids)}").id
                for _ in range(villages)
            ]
            _db.session.commit()
        for unit_id in ids:
            person = make_user(home_unit_id=unit_id)
            when = datetime(2025, 3, 1, 2, tzinfo=UTC)
            with app.test_request_context():
                signals.send(
                    signals.attendance_recorded,
                    signals.AttendanceRecorded(
                        next(attendance_ids), 1, when, person, None, "微讲堂", when
                    ),
                )

    def statements() -> int:
        path = f"/reports/?start=2025-01-01&end=2025-12-31&unit_id={town.town_id}"
        assert client.get(path).status_code == 200
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert page.status_code == 200
        return len(seen)

    add(1)
    few = statements()
    add(4)
    assert statements() == few
