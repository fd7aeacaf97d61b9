"""Files of a lecture: who may add and read them, checks, storage.

Content is sniffed by ``core.uploads`` (never trusted from the name); files are stored outside
the web root under ``UPLOAD_DIR``/lecturers/ with generated names and served only to the
request's manager, its lecturer and its village's coordinator, except 课件讲义 (slides), which
are meant for the audience and shown on the lecture's public page.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from core import audit, uploads
from core.extensions import db
from core.uploads import display_name
from plugins.lecturers.requests import workflow
from plugins.lecturers.requests.models import (
    BOOKED_STATES,
    DONE_STATES,
    MATERIAL_KINDS,
    PUBLIC_MATERIAL_KINDS,
    LectureRequest,
    LecturerMaterial,
)

ALLOWED = frozenset({"jpg", "png", "pdf", "docx", "xlsx"})
UploadError = uploads.UploadError


def max_bytes() -> int:
    return int(current_app.config.get("LECTURERS_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def storage_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "lecturers"


def can_view(user, lecture: LectureRequest) -> bool:
    """Manager, the assigned lecturer, or that village's coordinator."""
    return bool(workflow.actor_kinds(user, lecture))


def upload_kinds(user, lecture: LectureRequest) -> list[str]:
    """The kinds of file ``user`` may add now: slides once the lecturer accepted, every kind
    after delivery; only the assigned lecturer, the village's coordinator and managers."""
    if not workflow.actor_kinds(user, lecture):
        return []
    if lecture.state in DONE_STATES:
        return list(MATERIAL_KINDS)
    if lecture.state in BOOKED_STATES:
        return list(PUBLIC_MATERIAL_KINDS)
    return []


def can_upload(user, lecture: LectureRequest) -> bool:
    return bool(upload_kinds(user, lecture))


def is_public(material: LecturerMaterial) -> bool:
    """Slides and handouts are for everyone who may see the lecture's public page."""
    return material.kind in PUBLIC_MATERIAL_KINDS


def check(stream) -> tuple[bytes, str, str]:
    """(data, content type, extension) of an allowed file, or raise ``UploadError``."""
    return uploads.read_checked(stream, max_bytes(), ALLOWED)


def save(
    lecture: LectureRequest, user, kind: str, filename: str, checked: tuple[bytes, str, str]
) -> LecturerMaterial:
    """Store checked bytes and add their row (audited). Caller commits."""
    data, content_type, extension = checked
    material = LecturerMaterial(
        request_id=lecture.id,
        kind=kind,
        stored_name=uploads.store(storage_dir(), data, extension),
        original_name=display_name(filename),
        content_type=content_type,
        size=len(data),
        uploaded_by_id=user.id,
    )
    db.session.add(material)
    db.session.flush()
    audit.record(
        "lecturers.material_uploaded",
        lecture,
        f"点单 #{lecture.id} 上传资料 {material.original_name}",
    )
    return material
