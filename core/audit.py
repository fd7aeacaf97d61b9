"""Record staff state changes in the audit log (who, what, object, when, IP)."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from core.extensions import db
from core.models import AuditLog


def record(
    action: str,
    obj=None,
    summary: str = "",
    *,
    object_type: str | None = None,
    object_id: int | str | None = None,
    actor_id: int | None = None,
) -> AuditLog:
    """Add an audit row to the session (committed with the change it describes).

    ``action`` is "<plugin>.<verb>" such as "core.user_disabled"; ``obj`` an ORM object whose
    table name and id identify it, unless ``object_type``/``object_id`` are given.
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    entry = AuditLog(
        org_unit_id=_unit_of(obj),
        actor_id=actor_id,
        action=action,
        object_type=object_type or "",
        object_id=None if object_id is None else str(object_id),
        summary=summary[:2000],
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def _unit_of(obj) -> int | None:
    """The org unit an audited object belongs to (a person: their home village), if any."""
    from core.permissions import object_unit_id

    if obj is None:
        return None
    if hasattr(obj, "home_unit_id"):
        return obj.home_unit_id
    try:
        return object_unit_id(obj)
    except TypeError:
        return None
