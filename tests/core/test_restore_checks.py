"""``restore --check`` reads the dump itself; ``restore`` refuses while others are connected."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile

import pytest
from sqlalchemy import create_engine, text


def _backup(runner, tmp_path):
    archive = tmp_path / "xxt.tar.gz"
    result = runner.invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    return archive


def _with_unreadable_dump(archive, tmp_path):
    """The same archive with its database file cut in half and the checksums made to match, as
    a dump written broken (disk full, killed pg_dump) would be."""
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    dump = unpacked / manifest["database_file"]
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])  # cut short, as by a full disk
    manifest["files"][manifest["database_file"]] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz") as tar:
        for name in os.listdir(unpacked):
            tar.add(unpacked / name, arcname=name)
    return broken


def test_restore_check_reads_the_dump_and_refuses_an_unreadable_one(app, runner, tmp_path, town):
    archive = _backup(runner, tmp_path)
    assert runner.invoke(args=["restore", "--check", str(archive)]).exit_code == 0
    result = runner.invoke(
        args=["restore", "--check", str(_with_unreadable_dump(archive, tmp_path))]
    )
    assert result.exit_code == 1, result.output
    assert "数据库备份" in result.output


def test_restore_refuses_while_other_sessions_are_connected(app, runner, tmp_path, town):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite has no sessions to count; PostgreSQL pass")
    archive = _backup(runner, tmp_path)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.connect() as worker:  # a web worker still connected
        worker.execute(text("SELECT 1"))
        result = runner.invoke(args=["restore", "--yes", str(archive)])
    other.dispose()
    assert result.exit_code == 1
    assert "other session(s) are connected" in result.output
