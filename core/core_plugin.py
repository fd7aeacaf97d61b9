"""The core's own features, registered through the same hooks every plugin uses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin


class CorePlugin(Plugin):
    name = "core"
    title = _l("核心")

    @hookimpl
    def register_blueprints(self):
        from core.views import (
            admin_units,
            admin_users,
            api_tokens,
            audit_log,
            auth,
            availability,
            channels,
            main,
            notifications,
            verify,
            wechat,
            wechat_group,
        )

        return [
            main.bp,
            auth.bp,
            verify.bp,
            channels.bp,
            availability.bp,
            wechat.bp,
            wechat_group.bp,
            notifications.bp,
            admin_users.bp,
            admin_units.bp,
            audit_log.bp,
            api_tokens.bp,
        ]

    @hookimpl
    def register_permissions(self):
        return [
            Permission("core.manage_users", _l("管理账号：新建、重置密码、停用"), ("site_admin",)),
            Permission("core.manage_roles", _l("授予和撤销角色"), ("site_admin",)),
            Permission(
                "core.manage_units", _l("管理组织单位（镇、村、学校、部门）"), ("site_admin",)
            ),
            Permission("core.view_audit", _l("查看审计日志"), ("site_admin", "programme_manager")),
            Permission(
                "core.view_availability",
                _l("查看他人的空闲时间（排班、派单时参考）"),
                ("site_admin", "programme_manager", "village_coordinator"),
            ),
            Permission(
                "core.post_wechat_group",
                _l("发通知到村微信群"),
                ("site_admin", "programme_manager"),
            ),
        ]

    @hookimpl
    def nav_items(self, user):
        return [
            NavItem("main.home", _l("首页"), order=0),
            NavItem("main.dashboard", _l("我的"), login_required=True, order=10),
            NavItem("admin_users.index", _l("管理"), permission="core.manage_users", order=900),
            NavItem("audit_log.index", _l("审计日志"), permission="core.view_audit", order=910),
            NavItem(
                "wechat_group.index",
                _l("微信群通知"),
                permission="core.post_wechat_group",
                order=905,
            ),
        ]

    @hookimpl
    def register_commands(self):
        from core import cli, district, outbox_cli, static_files, uploads_check
        from core.wechat import cli as wechat_cli

        return [
            cli.create_admin,
            cli.demo_data,
            outbox_cli.notifications,
            wechat_cli.wechat,
            cli.translations,
            cli.backup,
            cli.restore,
            uploads_check.uploads,
            static_files.collect_static,
            district.units,
        ]

    @hookimpl
    def render_slot(self, slot, user):
        if slot == "profile" and user is not None:
            from core.views import api_tokens, channels

            return channels.profile_section(user) + api_tokens.profile_section(user)
        return None

    @hookimpl
    def audit_labels(self):
        from core.audit_labels import CORE_LABELS

        return CORE_LABELS

    @hookimpl
    def load_demo_data(self, town):
        from core import demo

        demo.load_people(town)
