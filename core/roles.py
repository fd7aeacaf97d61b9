"""The roles of the programme. A role is held on an org unit and on all units below it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Role names used in code, with the Chinese label shown in the UI, in order of reach.
ROLES: dict[str, str] = {
    "resident": _l("居民"),
    "volunteer": _l("志愿者"),
    "lecturer": _l("讲师"),
    "village_coordinator": _l("村（社区）负责人"),
    "counsellor": _l("辅导员"),
    "mediator": _l("调解员"),
    "programme_manager": _l("社区教育管理员"),
    "site_admin": _l("系统管理员"),
}

#: Staff roles: their state changes are written to the audit log.
STAFF_ROLES = frozenset(
    {"village_coordinator", "counsellor", "mediator", "programme_manager", "site_admin"}
)

#: Holds every permission, declared or not yet declared by a plugin.
SUPERUSER_ROLE = "site_admin"


def role_label(role: str) -> str:
    return str(ROLES.get(role, role))
