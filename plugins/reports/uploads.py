"""Receipts and pictures: checked by their first bytes, stored under UPLOAD_DIR/reports/."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from core import uploads as core_uploads

MAX_BYTES = 5 * 1024 * 1024

#: Content types accepted, recognised by ``core.uploads.sniff`` from the bytes (never the name).
ACCEPTED_TYPES = {"application/pdf", "image/png", "image/jpeg"}
PICTURE_TYPES = {"image/png", "image/jpeg"}


class UploadError(ValueError):
    """A file refused, with the Chinese reason shown beside the field."""


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(upload: FileStorage | None, allowed: set[str] | None = None) -> tuple[str, str] | None:
    """Store an upload under a random name; return (file name, MIME type), None when absent.

    The type comes from the content, never from the name or the browser's claim.
    """
    if upload is None or not getattr(upload, "filename", ""):
        return None
    data = upload.read(MAX_BYTES + 1)
    if not data:
        raise UploadError("文件是空的。")
    if len(data) > MAX_BYTES:
        raise UploadError("文件不能超过 5 MB。")
    kind = core_uploads.sniff(data)
    if (
        kind is None
        or kind[0] not in ACCEPTED_TYPES
        or (allowed is not None and kind[0] not in allowed)
    ):
        raise UploadError(
            "只接受 PDF、JPG 或 PNG 文件。" if allowed is None else "只接受 JPG 或 PNG 图片。"
        )
    mime, extension = kind
    return core_uploads.store(folder(), data, extension), mime


def serve(name: str | None, mime: str | None, download_stem: str):
    """Send a stored file as ``<download_stem>.<its extension>`` (the caller has checked who
    may see it)."""
    extension = (name or "x.bin").rsplit(".", 1)[-1]  # no file: core's serve answers 404
    return core_uploads.serve(folder(), name, mime, f"{download_stem}.{extension}")


def remove(name: str | None) -> None:
    if name and "/" not in name:
        (folder() / name).unlink(missing_ok=True)
