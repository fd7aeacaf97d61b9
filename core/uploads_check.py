"""``flask uploads check [--fix]``: files no record refers to, and records whose file is gone.

Each plugin says which stored files its rows refer to (hook ``uploaded_files``). Orphans are
files in ``UPLOAD_DIR/<subfolder>`` that nothing refers to, including partial files left by an
interrupted write; missing files are references without a file. ``--fix`` deletes the orphans;
missing files are only listed, since the record (an attendance's material, a receipt) is a fact
and must be looked at by a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.plugins import registry
from core.uploads import PARTIAL_PREFIX


@dataclass
class UploadReport:
    orphans: list[Path] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (path, what refers to it)


def referenced_files() -> dict[str, dict[str, str]]:
    """``{subfolder: {stored name: what refers to it}}`` from every enabled plugin."""
    merged: dict[str, dict[str, str]] = {}
    for answer in registry().hook.uploaded_files():
        for folder, names in (answer or {}).items():
            merged.setdefault(folder, {}).update(names)
    return merged


def check_uploads() -> UploadReport:
    root = Path(current_app.config["UPLOAD_DIR"])
    report = UploadReport()
    references = referenced_files()
    for folder, names in sorted(references.items()):
        for name, owner in sorted(names.items()):
            if not (root / folder / name).is_file():
                report.missing.append((f"{folder}/{name}", owner))
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or (path.parent == root and path.name.startswith(".ready-")):
                continue
            folder = str(path.parent.relative_to(root))
            partial = path.name.startswith(PARTIAL_PREFIX)
            if partial or path.name not in references.get(folder, {}):
                report.orphans.append(path)
    return report


@click.group("uploads")
def uploads() -> None:
    """Uploaded files: find orphans and missing files."""


@uploads.command("check")
@click.option("--fix", is_flag=True, help="Delete orphan files (missing files are only listed).")
@with_appcontext
def check(fix: bool) -> None:
    """List orphan files and records whose file is missing; exit 1 if any remain."""
    report = check_uploads()
    root = Path(current_app.config["UPLOAD_DIR"])
    for path in report.orphans:
        action = "removed" if fix else "orphan"
        click.echo(f"{action}: {path.relative_to(root)}")
        if fix:
            path.unlink(missing_ok=True)
    for path, owner in report.missing:
        click.echo(f"missing: {path} ({owner})")
    click.echo(f"{len(report.orphans)} orphan(s), {len(report.missing)} missing file(s)")
    if report.missing or (report.orphans and not fix):
        raise SystemExit(1)
