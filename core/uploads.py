"""Upload checks shared by plugins: the file's content decides its type, never its name.

A file called ``photo.jpg`` may be a script; only its leading bytes (and for Office files the
members of the zip) decide what it is. Plugins keep their own limits, allowed types and folder
under ``UPLOAD_DIR`` and call ``read_checked`` and ``store`` with them.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import zipfile
from pathlib import Path

from flask import abort, send_file
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

#: Names of files being written; never served, skipped by backups, removed by ``uploads check``.
PARTIAL_PREFIX = ".partial-"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)

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


class InsufficientStorage(HTTPException):
    """507: the disk is full (werkzeug has no class for it)."""

    code = 507


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


def read_checked(
    stream, limit: int, allowed: frozenset[str] | None = None
) -> tuple[bytes, str, str]:
    """Read at most ``limit`` bytes; return (data, content type, extension) or raise UploadError.

    ``allowed`` narrows the accepted extensions (None: everything ``sniff`` knows).
    """
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"文件太大：最大 {limit // (1024 * 1024)} MB。")
    if not data:
        raise UploadError("文件是空的。")
    found = sniff(data)
    if found is None or (allowed is not None and found[1] not in allowed):
        kinds = "/".join(sorted(allowed)) if allowed else "jpg/png/gif/webp/pdf/docx/xlsx/pptx"
        raise UploadError(f"不支持这种文件：只能上传 {kinds} 文件（按内容识别，不看文件名）。")
    return data, *found


def store(folder: Path, data: bytes, extension: str) -> str:
    """Write ``data`` into ``folder`` (made if missing) under a generated name; return it.

    Atomic: written to a partial file, flushed to disk, then renamed, so a full or read-only disk
    leaves nothing behind and answers 507 or 503 with a Chinese message (:func:`refuse_storage`).
    """
    name = f"{secrets.token_hex(16)}.{extension}"
    partial = folder / f"{PARTIAL_PREFIX}{name}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, folder / name)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        refuse_storage(error)
    return name


def refuse_storage(error: OSError):
    """Answer a storage failure: 507 when the disk is full, 503 when it is read-only."""
    if error.errno in DISK_FULL:
        raise InsufficientStorage(
            description=_("服务器存储空间已满，文件没有保存，请稍后再试或联系管理员。")
        )
    if error.errno in READ_ONLY:
        abort(503, description=_("服务器暂时无法保存文件，请稍后再试或联系管理员。"))
    raise error


def display_name(filename: str | None, default: str = "file") -> str:
    """The name shown and offered on download: no folders (either slash), no control
    characters (NUL breaks PostgreSQL text), at most 200 characters, never empty."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or default


def serve(folder: Path, stored_name: str | None, content_type: str | None, download_name: str):
    """Send a stored upload; the caller has already checked who may see it.

    Only images open in the page; anything else (a PDF can carry script) is downloaded, in a
    sandbox, never sniffed, never cached by shared proxies. A name that is not one of ours
    (a folder, a dot file) or a file that has gone is a 404.
    """
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        abort(404)
    path = folder / stored_name
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=content_type,
        download_name=download_name,
        as_attachment=not (content_type or "").startswith("image/"),
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response
