"""A full or read-only disk during an upload: a clear Chinese answer, nothing left behind.

The failure is injected where the operating system reports it (writing or flushing the file);
the database then holds exactly what the person was told was saved, and ``flask uploads check``
finds the orphans and missing files a crash could leave.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

import core.uploads
from core.extensions import db as _db
from plugins.calendar.models import CalendarMaterial
from tests.conftest import log_in
from tests.plugins.calendar.test_materials_metrics_demo import _png, key_of


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


def _upload(client, app, event_id):
    url = f"/calendar/e/{event_id}/{key_of(app, event_id)}/materials"
    return client.post(
        url,
        data={"kind": "photo", "file": (io.BytesIO(_png()), "现场.jpg")},
        content_type="multipart/form-data",
    )


def _files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / "calendar"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def _materials(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(CalendarMaterial))


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        (errno.ENOSPC, 507, "服务器存储空间已满，文件没有保存，请稍后再试或联系管理员。"),
        (errno.EROFS, 503, "服务器暂时无法保存文件，请稍后再试或联系管理员。"),
    ],
)
def test_full_or_read_only_disk_answers_clearly_and_leaves_nothing(
    app, client, town, make_event, make_user, monkeypatch, code, status, message
):
    event_id = make_event()
    log_in(client, app, make_user("counsellor", town.village_a_id))
    before = _files(app)

    def fail(fd):  # the data went into the partial file; the disk refuses to keep it
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(core.uploads.os, "fsync", fail)
    response = _upload(client, app, event_id)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _files(app) == before  # no partial file, no half-written file
    assert _materials(app) == 0


def test_a_read_only_upload_folder_is_503_wherever_it_is_noticed(
    app, client, town, make_event, make_user, monkeypatch
):
    event_id = make_event()
    log_in(client, app, make_user("counsellor", town.village_a_id))

    def read_only(self, *args, **kwargs):  # the plugin makes its folder before core stores
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "mkdir", read_only)
    response = _upload(client, app, event_id)
    assert response.status_code == 503
    assert "服务器暂时无法保存文件" in response.get_data(as_text=True)
    assert _materials(app) == 0


def test_a_stored_upload_is_complete_under_its_final_name(app, client, town, make_event, make_user):
    event_id = make_event()
    log_in(client, app, make_user("counsellor", town.village_a_id))
    assert _upload(client, app, event_id).status_code == 302
    names = _files(app)
    assert len(names) == 1 and not names[0].startswith(core.uploads.PARTIAL_PREFIX)
    assert (Path(app.config["UPLOAD_DIR"]) / "calendar" / names[0]).read_bytes() == _png()


def test_uploads_check_lists_and_fixes_orphans_and_lists_missing_files(
    app, client, town, make_event, make_user, runner
):
    event_id = make_event()
    log_in(client, app, make_user("counsellor", town.village_a_id))
    _upload(client, app, event_id)
    folder = Path(app.config["UPLOAD_DIR"]) / "calendar"
    kept = _files(app)[0]
    (folder / f"{core.uploads.PARTIAL_PREFIX}abc.jpg").write_bytes(b"half")
    (folder / "0123456789abcdef.pdf").write_bytes(b"%PDF- nobody's")
    result = runner.invoke(args=["uploads", "check"])
    assert result.exit_code == 1
    assert "orphan: calendar/.partial-abc.jpg" in result.output
    assert "orphan: calendar/0123456789abcdef.pdf" in result.output
    assert kept not in result.output

    result = runner.invoke(args=["uploads", "check", "--fix"])
    assert result.exit_code == 0, result.output
    assert _files(app) == [kept]

    (folder / kept).unlink()
    result = runner.invoke(args=["uploads", "check", "--fix"])
    assert result.exit_code == 1
    with app.app_context():
        material_id = _db.session.scalar(select(CalendarMaterial.id))
    assert f"missing: calendar/{kept} (calendar_material {material_id})" in result.output
    assert _materials(app) == 1  # the record is a fact: listed, never deleted


def test_backups_skip_partial_files(app, runner, tmp_path):
    import tarfile

    folder = Path(app.config["UPLOAD_DIR"]) / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{core.uploads.PARTIAL_PREFIX}x.jpg").write_bytes(b"half")
    (folder / "whole.jpg").write_bytes(b"whole")
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(name.endswith("uploads/calendar/whole.jpg") for name in names)
    assert not any(".partial-" in name for name in names)
