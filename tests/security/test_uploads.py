"""Every upload path: content decides the type, names are generated, downloads are safe.

Paths: calendar materials, competitions award evidence, reports receipts (and learning pictures,
which share reports/uploads.py). SVG and HTML are never accepted, whatever they are called; a
hostile file name never chooses where the bytes land; non-images are sent as attachments.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from core.extensions import db as _db
from tests.conftest import log_in
from tests.plugins.calendar.conftest import event_fields, local, next_weekday

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
HOSTILE = [
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b"<?xml version='1.0'?><svg onload='alert(1)'/>",
    b"<html><script>alert(1)</script></html>",
    b"<!DOCTYPE html><p>x",
    b"GIF8<script>",  # looks like a GIF to a careless check
]
EVIL_NAMES = ["../../etc/passwd", "..\\..\\x.png", "a\x00.png", "/etc/cron.d/x.png", "x.svg"]


def _files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def upload_root(app, tmp_path):
    root = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(root)
    return root


@pytest.fixture
def calendar_occurrence(app, town):
    from plugins.calendar import recurrence, services

    with app.app_context():
        category = services.ensure_categories()[0]
        day = next_weekday(1)
        event = services.save_event(
            None,
            event_fields(
                category.id,
                town.village_a_id,
                local(day),
                title="夜校",
                venue="甲村",
                end_at=local(day, 21, 0),
            ),
            None,
        )
        _db.session.commit()
        key = recurrence.find_occurrence(event, event.start_at).key
        return f"/calendar/e/{event.id}/{key}/materials"


def _post_material(client, url, data: bytes, name: str):
    return client.post(
        url,
        data={"kind": "other", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_calendar_refuses_svg_and_html_whatever_the_name(
    app, client, make_user, town, upload_root, calendar_occurrence
):
    from plugins.calendar.models import CalendarMaterial

    log_in(client, app, make_user("programme_manager", town.town_id))
    for payload in HOSTILE:
        for name in ("photo.png", "photo.svg", "page.html"):
            response = _post_material(client, calendar_occurrence, payload, name)
            assert response.status_code != 302, (payload, name)
    with app.app_context():
        assert _db.session.scalar(select(CalendarMaterial.id)) is None
    assert _files_under(upload_root) == set()


def test_calendar_hostile_names_land_under_generated_names(
    app, client, make_user, town, upload_root, calendar_occurrence, tmp_path
):
    from plugins.calendar.models import CalendarMaterial

    log_in(client, app, make_user("programme_manager", town.town_id))
    for name in EVIL_NAMES:
        response = _post_material(client, calendar_occurrence, PNG, name)
        assert response.status_code in (302, 400), name
    stored = _files_under(upload_root)
    assert stored, "at least the plain hostile names must be stored (as PNG)"
    for path in stored:
        assert path.parent == upload_root / "calendar"
        assert len(path.stem) == 32 and path.suffix == ".png"
    assert not (tmp_path / "etc").exists() and not (upload_root.parent / "x.png").exists()
    with app.app_context():
        materials = _db.session.scalars(select(CalendarMaterial)).all()
        ids = [material.id for material in materials]
        assert len(ids) == len(EVIL_NAMES)  # NUL in a name once broke PostgreSQL (500)
        for material in materials:
            assert not {"/", "\\", "\x00"} & set(material.original_name)
    for material_id in ids:
        response = client.get(f"/calendar/materials/{material_id}")
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_calendar_pdf_and_documents_download_as_attachments(
    app, client, make_user, town, upload_root, calendar_occurrence
):
    from plugins.calendar.models import CalendarMaterial

    log_in(client, app, make_user("programme_manager", town.town_id))
    assert _post_material(client, calendar_occurrence, PDF, "plan.pdf").status_code == 302
    assert _post_material(client, calendar_occurrence, PNG, "p.png").status_code == 302
    with app.app_context():
        rows = {m.content_type: m.id for m in _db.session.scalars(select(CalendarMaterial))}
    pdf = client.get(f"/calendar/materials/{rows['application/pdf']}")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    image = client.get(f"/calendar/materials/{rows['image/png']}")
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"


def test_calendar_size_limit(app, client, make_user, town, upload_root, calendar_occurrence):
    app.config["CALENDAR_MAX_UPLOAD_MB"] = 1
    log_in(client, app, make_user("programme_manager", town.town_id))
    response = _post_material(client, calendar_occurrence, PDF + b"0" * (1024 * 1024), "b.pdf")
    assert "文件太大" in response.get_data(as_text=True)
    assert _files_under(upload_root) == set()


def test_competitions_evidence_sniffed_and_named_safely(app, upload_root):
    from plugins.competitions.awards import services as awards
    from plugins.competitions.services import ContestError

    with app.test_request_context():
        for payload in HOSTILE:
            with pytest.raises(ContestError):
                awards.store_evidence(None, "x.png", payload)
        with pytest.raises(ContestError):
            awards.store_evidence(None, "big.pdf", PDF + b"0" * awards.MAX_EVIDENCE_BYTES)
        for name in EVIL_NAMES:
            evidence = awards.store_evidence(None, name, PNG)
            assert not {"/", "\\", "\x00"} & set(evidence.filename + evidence.stored_name)
            assert len(evidence.stored_name) == 36
        _db.session.rollback()
    for path in _files_under(upload_root):
        assert path.parent == upload_root / "competitions"


def test_reports_uploads_sniffed_named_safely_and_served_as_attachments(app, upload_root):
    from werkzeug.datastructures import FileStorage

    from plugins.reports import uploads

    with app.test_request_context():
        for payload in HOSTILE:
            with pytest.raises(uploads.UploadError):
                uploads.save(FileStorage(io.BytesIO(payload), "x.png"))
        with pytest.raises(uploads.UploadError):
            uploads.save(FileStorage(io.BytesIO(PDF), "p.pdf"), uploads.PICTURE_TYPES)
        with pytest.raises(uploads.UploadError):
            uploads.save(FileStorage(io.BytesIO(PDF + b"0" * uploads.MAX_BYTES), "big.pdf"))
        names = [uploads.save(FileStorage(io.BytesIO(PNG), name))[0] for name in EVIL_NAMES]
        pdf_name, _ = uploads.save(FileStorage(io.BytesIO(PDF), "../r.pdf"))
        for name in names:
            assert len(name) == 36 and name.endswith(".png")
        for bad in ("../x", "..\\x", ".hidden", "a/b", None):
            with pytest.raises(NotFound):
                uploads.serve(bad, "image/png", "x.png")
        response = uploads.serve(pdf_name, "application/pdf", "receipt.pdf")
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        response.close()
    for path in _files_under(upload_root):
        assert path.parent == upload_root / "reports"
