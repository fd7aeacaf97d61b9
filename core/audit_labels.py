"""Human labels of the audit log: every plugin names its actions and object types."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from core.plugins import registry

#: The core's own actions and tables.
CORE_LABELS = {
    "core.district_created": _l("建立区县"),
    "core.password_changed": _l("修改密码"),
    "core.password_reset_by_code": _l("用短信验证码重设密码"),
    "core.password_reset": _l("重置密码"),
    "core.role_granted": _l("授予角色"),
    "core.role_revoked": _l("撤销角色"),
    "core.unit_activated": _l("启用组织单位"),
    "core.unit_created": _l("新建组织单位"),
    "core.unit_deactivated": _l("停用组织单位"),
    "core.unit_updated": _l("修改组织单位"),
    "core.user_created": _l("新建账号"),
    "core.user_disabled": _l("停用账号"),
    "core.user_enabled": _l("启用账号"),
    "core.wechat_group_posted": _l("发通知到村微信群"),
    "user_account": _l("账号"),
    "org_unit": _l("组织单位"),
    "notification": _l("通知"),
    "role_assignment": _l("角色"),
}


def labels() -> dict:
    """Every label from the core and the enabled plugins (computed once per app)."""
    cache = current_app.extensions.setdefault("xxt_audit_labels", {})
    if not cache:
        for group in registry().hook.audit_labels():
            cache.update(group or {})
    return cache


def label(key: str) -> str:
    """The label of an action or object type; an unknown key reads as "其他操作"."""
    if not key:
        return ""
    found = labels().get(key)
    return str(found) if found is not None else str(_l("其他操作"))
