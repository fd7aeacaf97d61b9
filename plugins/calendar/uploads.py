"""The calendar's upload limits and folder; the checks themselves are ``core.uploads``."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from core import uploads as core_uploads
from core.uploads import UploadError, display_name, serve, sniff

__all__ = [
    "UploadError",
    "display_name",
    "max_bytes",
    "read_checked",
    "serve",
    "sniff",
    "storage_dir",
    "store",
]


def max_bytes() -> int:
    return int(current_app.config.get("CALENDAR_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def read_checked(stream) -> tuple[bytes, str, str]:
    """Read at most the limit; return (data, content type, extension) or raise UploadError."""
    return core_uploads.read_checked(stream, max_bytes())


def storage_dir() -> Path:
    """Outside the web root: ``UPLOAD_DIR``/calendar/."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(data: bytes, extension: str) -> str:
    """Write under a generated name; return that name."""
    return core_uploads.store(storage_dir(), data, extension)
