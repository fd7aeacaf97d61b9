"""`flask backup` / `flask restore`: an archive restores into an empty database with everything."""

from __future__ import annotations

import tarfile

from sqlalchemy import func, select

from core import create_app
from core.extensions import db as _db
from core.models import OrgUnit, RoleAssignment, User


def counts():
    return [_db.session.scalar(select(func.count(m.id))) for m in (OrgUnit, User, RoleAssignment)]


def test_backup_then_restore_into_an_empty_database(demo_database_url, tmp_path):
    uploads = tmp_path / "uploads"
    app = create_app(
        {"TESTING": True, "DATABASE_URL": demo_database_url, "UPLOAD_DIR": str(uploads)}
    )
    runner = app.test_cli_runner()
    (uploads / "calendar").mkdir(parents=True, exist_ok=True)  # demo materials may be there
    (uploads / "calendar" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo bytes")
    with app.app_context():
        before = counts()
    archive = tmp_path / "xxt.tar.gz"
    result = runner.invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 0, result.output

    with app.app_context():
        _db.drop_all()
    (uploads / "calendar" / "photo.jpg").unlink()

    assert runner.invoke(args=["restore", "--check", str(archive)]).exit_code == 0
    result = runner.invoke(args=["restore", "--yes", str(archive)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert counts() == before
        assert _db.session.scalar(select(User).where(User.phone == "13800000001")).check_password(
            "shuanghuai2018"
        )
        _db.engine.dispose()
    assert (uploads / "calendar" / "photo.jpg").read_bytes() == b"\xff\xd8\xff photo bytes"


def test_damaged_archive_is_refused_and_nothing_changes(app, runner, tmp_path, town):
    archive = tmp_path / "xxt.tar.gz"
    assert runner.invoke(args=["backup", "--output", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.startswith("database"):
                content = data.read()[:-10] + b"0123456789"
                import io

                member.size = len(content)
                target.addfile(member, io.BytesIO(content))
            else:
                target.addfile(member, data)
    result = runner.invoke(args=["restore", "--yes", str(damaged)])
    assert result.exit_code != 0 and "损坏" in result.output
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    assert "不是有效的备份文件" in runner.invoke(args=["restore", "--check", str(junk)]).output
    with app.app_context():
        assert _db.session.scalar(select(func.count(OrgUnit.id))) == 5
