"""Lesson media and attachments: checked by content, stored under UPLOAD_DIR/learning, served
with HTTP range requests so a phone can seek and resume.

Large files are never read into memory: the upload is copied to disk in chunks while counted,
and ``send_file`` streams the stored file (``conditional=True`` answers ``Range`` with 206, a
range past the end with 416, and ``If-None-Match`` with 304).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, send_file

from core import uploads

CHUNK = 1024 * 1024
#: extension → content type, for the media a lesson may carry (found by ``sniff_media``).
MEDIA_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
#: Names people give files, mapped to the extension we store: "lesson.jpeg" is a jpg.
NAME_ALIASES = {"jpeg": "jpg", "oga": "ogg", "mpeg": "mp3", "m4v": "mp4", "ogv": "ogg"}
KIND_LABELS = {"image": "图片", "audio": "音频", "video": "视频"}


class MediaError(uploads.UploadError):
    """Why a media file was refused, in Chinese."""


def sniff_media(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image, audio or video file from its first bytes."""
    found = uploads.sniff(head)
    if found and found[0].startswith("image/"):
        return found
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", "wav"
    if head[:4] == b"OggS":
        if b"theora" in head[:128]:
            return "video/ogg", "ogg"
        return "audio/ogg", "ogg"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg", "mp3"
    if head[4:8] == b"ftyp":
        if head[8:12] in (b"M4A ", b"M4B "):
            return "audio/mp4", "m4a"
        return "video/mp4", "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm", "webm"
    return None


def media_limit() -> int:
    """The largest lesson medium in bytes (``LEARNING_MEDIA_MAX_MB``, default 200)."""
    return int(current_app.config.get("LEARNING_MEDIA_MAX_MB", 200)) * 1024 * 1024


def too_big_message(limit: int) -> str:
    return f"文件太大：课时的音频、视频或图片最大 {limit // (1024 * 1024)} MB，请压缩后再上传。"


def folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "learning"


def _name_extension(filename: str | None) -> str:
    name = uploads.display_name(filename, "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return NAME_ALIASES.get(extension, extension)


def save_media(storage, limit: int | None = None) -> tuple[str, str, int]:
    """Store an uploaded lesson medium; (stored name, content type, size) or MediaError.

    The content decides the type; a name that claims another type ("lesson.mp3" holding a
    picture or a program) is refused, so what people download is what it says."""
    limit = media_limit() if limit is None else limit
    stream = storage.stream
    head = stream.read(512)
    if not head:
        raise MediaError("文件是空的。")
    found = sniff_media(head)
    claimed = _name_extension(storage.filename)
    if found is None:
        raise MediaError(
            "不支持这种文件：课时媒体只能是 jpg/png/gif/webp 图片、mp3/ogg/wav/m4a 音频"
            "或 mp4/webm 视频（按内容识别，不看文件名）。"
        )
    content_type, extension = found
    if (
        claimed
        and claimed in MEDIA_TYPES
        and MEDIA_TYPES[claimed].split("/")[0] != (content_type.split("/")[0])
    ):
        raise MediaError(
            f"文件内容与文件名不符：文件名是 .{claimed}，内容却是"
            f"{KIND_LABELS[content_type.split('/')[0]]}（{extension}）。请检查后重新上传。"
        )
    name, size = _copy(head, stream, extension, limit)
    return name, content_type, size


def _copy(head: bytes, stream, extension: str, limit: int) -> tuple[str, int]:
    """Write ``head`` and the rest of ``stream`` to a new file, at most ``limit`` bytes."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    path = target / name
    size = len(head)
    try:
        with path.open("wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise MediaError(too_big_message(limit))
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name, size


def save_attachment(storage) -> tuple[str, str, str, int]:
    """Store a hand-out (pdf, Office, image); (stored name, type, display name, size)."""
    limit = int(current_app.config.get("LEARNING_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024
    data, content_type, extension = uploads.read_checked(storage.stream, limit)
    stored = uploads.store(folder(), data, extension)
    return (
        stored,
        content_type,
        uploads.display_name(storage.filename, f"附件.{extension}"),
        len(data),
    )


def remove(stored_name: str | None) -> None:
    if stored_name and "/" not in stored_name and not stored_name.startswith("."):
        (folder() / stored_name).unlink(missing_ok=True)


def serve_media(stored_name: str | None, content_type: str | None):
    """Stream a lesson medium inline, with ranges (206/416) and validators (304)."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        abort(404)
    path = folder() / stored_name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, conditional=True, etag=True, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Accept-Ranges"] = "bytes"
    response.cache_control.private = True
    return response


def serve_attachment(stored_name: str, content_type: str, display: str):
    return uploads.serve(folder(), stored_name, content_type, display)
