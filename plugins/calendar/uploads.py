"""Upload checks: the file's content decides its type (magic bytes), never its name."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

from flask import current_app

#: content type → (extension, leading bytes)
SIGNATURES = [
    ("image/jpeg", "jpg", (b"\xff\xd8\xff",)),
    ("image/png", "png", (b"\x89PNG\r\n\x1a\n",)),
    ("image/gif", "gif", (b"GIF87a", b"GIF89a")),
    ("application/pdf", "pdf", (b"%PDF-",)),
]
OFFICE = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}


class UploadError(ValueError):
    """Why a file was refused, in Chinese."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the bytes, or None for anything not allowed."""
    for content_type, extension, prefixes in SIGNATURES:
        if any(data.startswith(prefix) for prefix in prefixes):
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for member, found in OFFICE.items():
                if member in names:
                    return found
    return None


def max_bytes() -> int:
    return int(current_app.config.get("CALENDAR_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def read_checked(stream) -> tuple[bytes, str, str]:
    """Read at most the limit; return (data, content type, extension) or raise UploadError."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"文件太大:最大 {limit // (1024 * 1024)} MB。")
    if not data:
        raise UploadError("文件是空的。")
    found = sniff(data)
    if found is None:
        raise UploadError(
            "不支持这种文件:只能上传图片(jpg/png/gif/webp)、PDF 或 Word/Excel/PPT 文档。"
        )
    return data, *found


def storage_dir() -> Path:
    """Outside the web root: ``UPLOAD_DIR``/calendar/."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def display_name(filename: str | None) -> str:
    """The name shown and offered on download: no folders, no control characters (NUL breaks
    PostgreSQL text), never empty."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "file"


def store(data: bytes, extension: str) -> str:
    """Write under a generated name; return that name."""
    name = f"{secrets.token_hex(16)}.{extension}"
    (storage_dir() / name).write_bytes(data)
    return name
