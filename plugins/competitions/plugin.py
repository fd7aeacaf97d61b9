"""The competitions plugin object; each hook delegates to the module that does the job."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

import plugins.competitions.awards.models
import plugins.competitions.live.models
import plugins.competitions.models  # noqa: F401  (every table reaches the metadata)
from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.plugins import Plugin


class CompetitionsPlugin(Plugin):
    name = "competitions"
    title = _l("知识竞赛")
    uses = ("calendar",)

    @hookimpl
    def register_blueprints(self):
        from plugins.competitions.blueprint import load_routes

        return [load_routes()]

    @hookimpl
    def register_api(self):
        from plugins.competitions import api
        from plugins.competitions.live import api as live_api

        return [api.blp, live_api.blp]

    @hookimpl
    def register_permissions(self):
        from plugins.competitions import hooks

        return hooks.PERMISSIONS

    @hookimpl
    def register_services(self):
        from plugins.competitions import hooks

        return {"competitions": hooks.CompetitionsService()}

    @hookimpl
    def register_commands(self):
        from plugins.competitions import cli

        return [cli.competitions]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("competitions.index", _l("知识竞赛"), order=50)]

    @hookimpl
    def render_slot(self, slot, user):
        from plugins.competitions import hooks

        return hooks.render_slot(slot, user)

    @hookimpl
    def calendar_entry_tables(self):
        from plugins.competitions import hooks

        return hooks.CALENDAR_TABLES

    @hookimpl
    def calendar_personal_tables(self):
        from plugins.competitions import hooks

        return hooks.CALENDAR_PERSONAL_TABLES

    @hookimpl
    def calendar_entries(self, start, end, viewer, personal):
        from plugins.competitions import hooks

        return hooks.calendar_entries(start, end, viewer, personal)

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from plugins.competitions import hooks

        return hooks.report_metrics(unit_ids, start, end)

    @hookimpl
    def audit_labels(self):
        from plugins.competitions import hooks

        return hooks.AUDIT_LABELS

    @hookimpl
    def load_demo_data(self, town):
        from plugins.competitions.demo import load

        load(town)

    @hookimpl
    def uploaded_files(self):
        from plugins.competitions import hooks

        return hooks.uploaded_files()
