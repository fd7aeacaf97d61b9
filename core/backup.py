"""Consistent backups: the database (SQLite backup API or pg_dump) plus uploaded files.

An archive is a .tar.gz holding ``manifest.json`` (when, which database, the Alembic revisions,
row counts and a SHA-256 of every member), ``database.sqlite`` or ``database.pgdump``, and
``uploads/``. ``check_archive`` verifies it without touching anything; ``restore`` replaces the
configured database and upload folder with the archive's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from core.extensions import db
from core.timeutil import utcnow
from core.uploads import PARTIAL_PREFIX


class BackupError(RuntimeError):
    """An archive that is damaged or does not fit, or a dump tool that failed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url() -> str:
    """The database URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _dump_database(target_dir: Path) -> str:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        destination = target_dir / "database.sqlite"
        source = sqlite3.connect(engine.url.database)
        with sqlite3.connect(destination) as copy:
            source.backup(copy)  # a consistent snapshot even while the site writes
        source.close()
        return destination.name
    if engine.dialect.name == "postgresql":
        destination = target_dir / "database.pgdump"
        result = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={destination}", _libpq_url()],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return destination.name
    raise BackupError(f"no backup method for {engine.dialect.name}")


def _row_counts(existing: set[str]) -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name in existing
    }


def _revisions(existing: set[str]) -> list[str]:
    if "alembic_version" not in existing:
        return []
    return sorted(db.session.scalars(text("SELECT version_num FROM alembic_version")))


def create_backup(output: Path) -> dict:
    """Write an archive to ``output``; returns its manifest."""
    uploads = Path(current_app.config["UPLOAD_DIR"])
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch)
        database_file = _dump_database(staging)
        if uploads.is_dir():
            # A file still being written (core.uploads.store) is not part of any record.
            shutil.copytree(
                uploads,
                staging / "uploads",
                ignore=shutil.ignore_patterns(f"{PARTIAL_PREFIX}*", ".ready-*"),
            )
        else:
            (staging / "uploads").mkdir()
        members = {
            str(path.relative_to(staging)): _sha256(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        existing = set(db.inspect(db.engine).get_table_names())
        manifest = {
            "format": 1,
            "created_at": utcnow().isoformat(),
            "dialect": db.engine.dialect.name,
            "database_file": database_file,
            "revisions": _revisions(existing),
            "row_counts": _row_counts(existing),
            "files": members,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            for path in sorted(staging.iterdir()):
                archive.add(path, arcname=path.name)
    return manifest


def _extract(archive_path: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(into, filter="data")  # refuses absolute paths and ../ members
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"不是有效的备份文件：{error}") from error
    manifest_path = into / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("备份中没有 manifest.json")
    manifest = json.loads(manifest_path.read_text())
    for name, digest in manifest.get("files", {}).items():
        member = into / name
        if not member.is_file() or _sha256(member) != digest:
            raise BackupError(f"备份文件已损坏：{name}")
    _read_dump(into / manifest.get("database_file", ""), manifest.get("dialect"))
    return manifest


def _read_dump(dump: Path, dialect: str | None) -> None:
    """Read the database dump through, not just its checksum: a dump written broken has a
    matching checksum too. SQLite: ``PRAGMA integrity_check``; PostgreSQL: ``pg_restore --list``."""
    if not dump.is_file():
        raise BackupError("备份中没有数据库文件")
    if dialect == "sqlite":
        try:
            with contextlib.closing(sqlite3.connect(f"file:{dump}?mode=ro", uri=True)) as copy:
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"数据库备份无法读取：{error}") from error
        if verdict != "ok":
            raise BackupError(f"数据库备份已损坏：{verdict}")
    elif dialect == "postgresql":
        # --list reads the table of contents (and takes a garbled header for an empty one);
        # a read into /dev/null goes through every table's data to the end of the file.
        listed = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
        entries = re.search(r"TOC Entries: (\d+)", listed.stdout)
        read = subprocess.run(
            ["pg_restore", "--file=/dev/null", str(dump)], capture_output=True, text=True
        )
        if listed.returncode or read.returncode or not entries or int(entries.group(1)) == 0:
            problem = (read.stderr or listed.stderr).strip() or "no table of contents"
            raise BackupError(f"数据库备份无法读取 (pg_restore): {problem}")
    else:
        raise BackupError(f"不认识的数据库类型：{dialect}")


def other_sessions() -> int:
    """Other connections to this database (web workers, cron jobs): a restore under them would
    be overwritten or fail half-way. SQLite cannot tell, so it answers 0."""
    if db.engine.dialect.name != "postgresql":
        return 0
    return db.session.scalar(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )


def check_archive(archive_path: Path) -> dict:
    """Verify every member against the manifest; return the manifest."""
    with tempfile.TemporaryDirectory() as scratch:
        return _extract(archive_path, Path(scratch))


def restore(archive_path: Path) -> dict:
    """Replace the configured database and upload folder with the archive's contents."""
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch)
        manifest = _extract(archive_path, staging)
        dialect = db.engine.dialect.name
        if manifest["dialect"] != dialect:
            raise BackupError(f"备份来自 {manifest['dialect']}，当前数据库是 {dialect}")
        db.session.remove()
        db.engine.dispose()
        dump = staging / manifest["database_file"]
        if dialect == "sqlite":
            target = db.engine.url.database
            with sqlite3.connect(dump) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
        else:
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={_libpq_url()}",
                    str(dump),
                ],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        uploads = Path(current_app.config["UPLOAD_DIR"])
        if uploads.exists():
            shutil.rmtree(uploads)
        shutil.copytree(staging / "uploads", uploads)
    return manifest
