"""Materials (sniffed uploads, access), report metrics, demo data, the migration."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.plugins import registry
from core.timeutil import utcnow
from plugins.calendar import attendance, recurrence
from plugins.calendar.demo import _png
from plugins.calendar.models import CalendarEvent, CalendarMaterial
from plugins.calendar.uploads import sniff
from tests.conftest import log_in


def key_of(app, event_id):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return recurrence.find_occurrence(event, event.start_at).key


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_sniffing():
    assert sniff(_png())[0] == "image/png"
    assert sniff(b"%PDF-1.7 ...")[1] == "pdf"
    assert sniff(docx_bytes())[1] == "docx"
    assert sniff(b"#!/bin/sh\nrm -rf /") is None
    assert sniff(b"PK\x03\x04broken") is None


def test_upload_and_access(app, client, town, make_event, make_user):
    event_id = make_event()
    key = key_of(app, event_id)
    url = f"/calendar/e/{event_id}/{key}/materials"
    log_in(client, app, make_user("counsellor", town.village_a_id))
    ok = client.post(
        url,
        data={"kind": "photo", "file": (io.BytesIO(_png()), "现场.jpg")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    script = client.post(
        url,
        data={"kind": "photo", "file": (io.BytesIO(b"<?php system($_GET[1]);"), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert "不支持这种文件" in script.get_data(as_text=True)
    with app.app_context():
        app.config["CALENDAR_MAX_UPLOAD_MB"] = 1
    big = client.post(
        url,
        data={"kind": "other", "file": (io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024 + 10)), "b.pdf")},
        content_type="multipart/form-data",
    )
    assert "文件太大" in big.get_data(as_text=True)
    with app.app_context():
        material = _db.session.scalar(select(CalendarMaterial))
        assert _db.session.scalar(select(func.count(CalendarMaterial.id))) == 1
        assert material.content_type == "image/png" and material.stored_name.endswith(".png")
        stored = Path(app.config["UPLOAD_DIR"]) / "calendar" / material.stored_name
        assert stored.read_bytes() == _png()
        material_id = material.id
    assert client.get(f"/calendar/materials/{material_id}").data == _png()
    when = recurrence.local_naive(recurrence.parse_key(key)).strftime("%Y-%m")
    month = client.get(f"/calendar/materials?month={when}").get_data(as_text=True)
    assert "现场.jpg" in month
    log_in(client, app, make_user("resident"))
    assert client.get(f"/calendar/materials/{material_id}").status_code == 403
    log_in(client, app, make_user("counsellor", town.village_b_id))
    assert client.get(f"/calendar/materials/{material_id}").status_code == 403
    assert client.get("/calendar/materials/99999").status_code == 404


def test_report_metrics(app, town, make_event, make_user):
    past = (utcnow() - timedelta(days=10)).date()
    event_id = make_event(freq="weekly", weekdays=str(past.weekday()), count=3, day=past)
    make_event(org_unit_id=town.village_b_id, day=past)
    users = [make_user() for _ in range(2)]
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        occ = recurrence.find_occurrence(event, event.start_at)
        at = occ.start + timedelta(minutes=10)  # recorded at the class, as it happened
        for user_id in users:
            attendance.check_in(event, occ, user_id=user_id, now=at)
        attendance.check_in(event, occ, walk_in_name="路人", now=at)
        undone, _created = attendance.check_in(event, occ, walk_in_name="误录", now=at)
        attendance.revoke(undone, "误录")  # revoked records are not counted
        _db.session.commit()
        start = datetime.combine(past - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        end = utcnow()
        results = [
            m
            for group in registry(app).hook.report_metrics(
                unit_ids=[town.town_id, town.village_a_id, town.village_b_id], start=start, end=end
            )
            for m in group
        ]
    by_key = {m.key: m for m in results}
    held = by_key["calendar.events_held"].values
    assert held[town.village_a_id] == 2 and held[town.village_b_id] == 1 and held[town.town_id] == 3
    people = by_key["calendar.participant_times"]
    assert people.values[town.village_a_id] == 3 and people.values[town.town_id] == 3
    assert people.unit == "人次" and people.evidence_endpoint == "calendar.report_attended"


@pytest.mark.demo_town
def test_demo_data_twice(app, runner):
    with app.app_context():
        first = _db.session.scalar(select(func.count(CalendarEvent.id)))
        materials = _db.session.scalar(select(func.count(CalendarMaterial.id)))
    assert first >= 10 and materials >= 2
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with app.app_context():
        assert _db.session.scalar(select(func.count(CalendarEvent.id))) == first
        assert _db.session.scalar(select(func.count(CalendarMaterial.id))) == materials
