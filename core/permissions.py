"""Permissions: declared by core and plugins, checked with one helper, ``can``.

A permission ``<plugin>.<action>`` lists the roles that hold it. A user holds it on an object when
they hold one of those roles on the object's org unit or on any unit above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import or_, select

from core.extensions import db
from core.models import OrgUnit, RoleAssignment
from core.roles import ROLES, SUPERUSER_ROLE

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    default_roles: tuple[str, ...] = ()


class PermissionError_(ValueError):
    """A permission declaration that start-up refuses."""


def validate(declared: Iterable[tuple[str, Permission]]) -> dict[str, Permission]:
    """Check ``(plugin name, permission)`` pairs and return them by name; raise on any fault."""
    table: dict[str, Permission] = {}
    for owner, permission in declared:
        if not NAME_PATTERN.match(permission.name):
            raise PermissionError_(f"插件 {owner}: 权限名 {permission.name!r} 应为 <插件>.<动作>")
        if permission.name.split(".")[0] != owner:
            raise PermissionError_(f"插件 {owner}: 权限 {permission.name!r} 必须以 '{owner}.' 开头")
        unknown = set(permission.default_roles) - set(ROLES)
        if unknown:
            raise PermissionError_(
                f"插件 {owner}: 权限 {permission.name} 引用了未知角色 {sorted(unknown)}"
            )
        if not permission.description:
            raise PermissionError_(f"插件 {owner}: 权限 {permission.name} 缺少说明")
        if permission.name in table:
            raise PermissionError_(f"权限 {permission.name} 被重复声明")
        table[permission.name] = permission
    return table


def roles_holding(name: str) -> set[str]:
    """The roles that hold permission ``name`` (the superuser role always does)."""
    permissions = current_app.extensions["xiangxuetong"].permissions
    if name not in permissions:
        raise LookupError(f"undeclared permission {name!r}")
    return set(permissions[name].default_roles) | {SUPERUSER_ROLE}


def _assignments(user) -> list[tuple[str, str]]:
    """(role, unit path) pairs of ``user``, read once per request."""
    cache = g.setdefault("_role_paths", {})
    if user.id not in cache:
        rows = db.session.execute(
            select(RoleAssignment.role, OrgUnit.path)
            .join(OrgUnit, OrgUnit.id == RoleAssignment.org_unit_id)
            .where(RoleAssignment.user_id == user.id, OrgUnit.active.is_(True))
        ).all()
        cache[user.id] = [(role, path) for role, path in rows]
    return cache[user.id]


def unit_path(unit_id: int | None) -> str | None:
    """The materialised path of an org unit, cached for the request."""
    if unit_id is None:
        return None
    cache = g.setdefault("_unit_paths", {})
    if unit_id not in cache:
        cache[unit_id] = db.session.scalar(select(OrgUnit.path).where(OrgUnit.id == unit_id))
    return cache[unit_id]


def object_unit_id(obj) -> int | None:
    """The org unit an object belongs to: the unit itself, or its ``org_unit_id``."""
    if obj is None:
        return None
    if isinstance(obj, OrgUnit):
        return obj.id
    if isinstance(obj, int):
        return obj
    for attribute in ("permission_unit_id", "org_unit_id"):
        if hasattr(obj, attribute):
            return getattr(obj, attribute)
    raise TypeError(f"cannot tell the org unit of {obj!r}")


def held_paths(user, name: str) -> list[str]:
    """The paths of the units on which ``user`` (signed in) holds ``name`` (and so below them)."""
    roles = roles_holding(name)
    return [path for role, path in _assignments(user) if role in roles]


def can(user, name: str, obj=None) -> bool:
    """May ``user`` do ``name`` on ``obj`` (an OrgUnit, a unit id, or an object with a unit)?

    With ``obj`` None the question is "anywhere at all", used for menus and list pages that then
    filter by ``unit_ids_where``.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    held = held_paths(user, name)
    if not held:
        return False
    if obj is None:
        return True
    target = unit_path(object_unit_id(obj))
    if target is None:
        # An object outside the tree (no unit) is only for those holding the role at a root.
        return any(path.count("/") == 2 for path in held)
    return any(target.startswith(path) for path in held)


def unit_ids_where(user, name: str) -> set[int]:
    """Ids of every org unit on which ``user`` holds ``name`` (for filtering list queries)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    roles = roles_holding(name)
    prefixes = sorted({path for role, path in _assignments(user) if role in roles})
    if not prefixes:
        return set()
    clauses = [OrgUnit.path.startswith(prefix) for prefix in prefixes]
    return set(db.session.scalars(select(OrgUnit.id).where(or_(*clauses))))


def holds_at_top(user, name: str) -> bool:
    """Does ``user`` hold ``name`` on every top-level unit (the whole installation)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    roots = db.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))).all()
    return bool(roots) and all(can(user, name, root) for root in roots)


def require(name: str, obj=None) -> None:
    """Stop the request unless the current user may do ``name`` on ``obj``.

    Anonymous visitors are sent to the log-in page; signed-in people get 403.
    """
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    if not can(current_user, name, obj):
        abort(403)


def permission_required(name: str):
    """View decorator: the current user must hold ``name`` somewhere (login first)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(name)
            return view(*args, **kwargs)

        return wrapped

    return decorator
