"""Lesson media: checked by content, refused when too big, served with ranges (206, 416)."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.learning.models import Lesson
from tests.plugins.learning.conftest import OGG, PNG


def lesson_count(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(Lesson.id)))


def stored_files(app) -> set[str]:
    folder = os.path.join(app.config["UPLOAD_DIR"], "learning")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def post_lesson(client, course_id, media: bytes, filename: str, **extra):
    data = {"title": "有声课", "position": "1", "body": "正文", "question_id": "0"}
    data["media"] = (io.BytesIO(media), filename)
    return client.post(
        f"/learning/manage/courses/{course_id}/lessons/new",
        data=data,
        content_type="multipart/form-data",
        **extra,
    )


def test_audio_is_stored_and_served_with_ranges(app, client, login_as, town, make_course):
    course_id, _ = make_course(lessons=0)
    login_as("programme_manager", town.town_id)
    response = post_lesson(client, course_id, OGG, "第一课.ogg")
    assert response.status_code == 302, response.data.decode()
    with app.app_context():
        lesson = _db.session.scalar(select(Lesson).where(Lesson.course_id == course_id))
        assert (lesson.media_type, lesson.media_size) == ("audio/ogg", len(OGG))
        lesson_id = lesson.id
    url = f"/learning/lessons/{lesson_id}/media"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.data == OGG
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=4-9"})
    assert part.status_code == 206
    assert part.data == OGG[4:10]
    assert part.headers["Content-Range"] == f"bytes 4-9/{len(OGG)}"
    past = client.get(url, headers={"Range": f"bytes={len(OGG) + 10}-"})
    assert past.status_code == 416
    page = client.get(f"/learning/lessons/{lesson_id}").data.decode()
    assert f'<audio id="lesson-media" controls preload="none" src="{url}"' in page


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (PNG, "第一课.mp3", "文件内容与文件名不符：文件名是 .mp3，内容却是图片（png）"),
        (b"#!/bin/sh\nrm -rf /\n", "第一课.mp3", "不支持这种文件"),
        (b"", "第一课.ogg", "文件是空的"),
    ],
    ids=["picture-named-mp3", "script-named-mp3", "empty"],
)
def test_media_not_what_its_name_says_is_refused(
    app, client, login_as, town, make_course, content, filename, message
):
    course_id, _ = make_course(lessons=0)
    login_as("programme_manager", town.town_id)
    before = stored_files(app)
    response = post_lesson(client, course_id, content, filename)
    assert response.status_code == 400
    assert message in response.data.decode()
    assert lesson_count(app) == 0
    assert stored_files(app) == before


def test_two_gigabyte_upload_is_refused_before_reading_it(app, client, login_as, town, make_course):
    course_id, _ = make_course(lessons=0)
    login_as("programme_manager", town.town_id)
    response = post_lesson(
        client, course_id, OGG, "大文件.ogg", environ_overrides={"CONTENT_LENGTH": str(2 * 1024**3)}
    )
    assert response.status_code == 413
    assert "文件太大：课时的音频、视频或图片最大 200 MB，请压缩后再上传。" in response.data.decode()
    assert lesson_count(app) == 0


def test_a_body_past_the_limit_is_cut_off_while_copied(app):
    from werkzeug.datastructures import FileStorage

    from plugins.learning import media

    before = stored_files(app)
    with app.test_request_context():
        upload = FileStorage(io.BytesIO(OGG + b"\x00" * 5000), "长.ogg")
        with pytest.raises(media.MediaError, match="文件太大"):
            media.save_media(upload, limit=1000)
    assert stored_files(app) == before


@pytest.mark.parametrize(
    "head, found",
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", ("audio/wav", "wav")),
        (b"ID3\x03\x00", ("audio/mpeg", "mp3")),
        (b"\xff\xfb\x90\x00", ("audio/mpeg", "mp3")),
        (b"\x00\x00\x00\x20ftypM4A \x00", ("audio/mp4", "m4a")),
        (b"\x00\x00\x00\x20ftypisom\x00", ("video/mp4", "mp4")),
        (b"\x1a\x45\xdf\xa3\x01", ("video/webm", "webm")),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x80theora", ("video/ogg", "ogg")),
        (PNG, ("image/png", "png")),
        (b"%PDF-1.4", None),
    ],
    ids=["wav", "mp3-id3", "mp3-frame", "m4a", "mp4", "webm", "ogg-video", "png", "pdf"],
)
def test_media_types_are_told_by_content(head, found):
    from plugins.learning.media import sniff_media

    assert sniff_media(head) == found


@pytest.mark.parametrize(
    "role, unit",
    [
        ("resident", "village_a_id"),
        ("village_coordinator", "village_a_id"),
        ("programme_manager", "village_b_id"),
    ],
)
def test_only_the_courses_managers_may_add_lessons(client, login_as, town, make_course, role, unit):
    course_id, _ = make_course(lessons=0, unit_id=town.village_a_id)
    login_as(role, getattr(town, unit))
    assert post_lesson(client, course_id, OGG, "课.ogg").status_code == 403
    assert client.get(f"/learning/manage/courses/{course_id}").status_code == 403


def test_unpublished_course_is_hidden_from_residents_and_visitors(
    client, login_as, town, make_course
):
    course_id, lessons = make_course(published=False)
    for url in (f"/learning/courses/{course_id}", f"/learning/lessons/{lessons[0]}"):
        assert client.get(url).status_code == 404
    login_as("resident", town.village_a_id)
    assert client.get(f"/learning/lessons/{lessons[0]}/media").status_code == 404


def test_uploads_check_knows_lesson_media_and_attachments(app, client, login_as, town, make_course):
    """``flask uploads check`` sees stored media and attachments as referred to (``--fix``
    must not delete them) and nothing else under ``learning/`` as theirs."""
    from core.uploads_check import check_uploads

    course_id, _ = make_course(lessons=0)
    before = stored_files(app)
    login_as("programme_manager", town.town_id)
    assert post_lesson(client, course_id, OGG, "第一课.ogg").status_code == 302
    with app.app_context():
        lesson_id = _db.session.scalar(select(Lesson.id).where(Lesson.course_id == course_id))
    client.post(
        f"/learning/manage/lessons/{lesson_id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 hand-out"), "讲义.pdf")},
        content_type="multipart/form-data",
    )
    kept = stored_files(app) - before
    assert len(kept) == 2
    stray = os.path.join(app.config["UPLOAD_DIR"], "learning", "stray.ogg")
    with open(stray, "wb") as handle:
        handle.write(OGG)
    with app.app_context():
        report = check_uploads()
    os.remove(stray)
    orphans = {path.name for path in report.orphans if path.parent.name == "learning"}
    assert "stray.ogg" in orphans and not kept & orphans
    assert not [name for name, _owner in report.missing if name.startswith("learning/")]
