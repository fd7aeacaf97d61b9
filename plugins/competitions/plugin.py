"""The competitions plugin object and its hook implementations."""

from __future__ import annotations

import click
from flask import render_template
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import Plugin
from plugins.competitions import models, models_awards, models_live  # noqa: F401  (tables)


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
        from plugins.competitions import api, api_live

        return [api.blp, api_live.blp]

    @hookimpl
    def register_permissions(self):
        return [
            Permission(
                "competitions.manage", _l("管理题库、知识竞赛和评比"), ("programme_manager",)
            ),
            Permission(
                "competitions.host",
                _l("主持现场有奖知识问答"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
            Permission(
                "competitions.nominate",
                _l("为评比推荐对象并上传材料"),
                ("village_coordinator", "counsellor", "programme_manager"),
            ),
            Permission(
                "competitions.judge",
                _l("评比评审（按轮次在评委名单中指派，不随角色授予）"),
                (),
            ),
        ]

    @hookimpl
    def register_services(self):
        from plugins.competitions import hooks

        return {"competitions": hooks.CompetitionsService()}

    @hookimpl
    def register_commands(self):
        @click.group("competitions", help="知识竞赛：定时任务")
        def group():
            pass

        @group.command("finish-overdue", help="为已超时的答题自动交卷")
        @with_appcontext
        def finish_overdue():
            from plugins.competitions.services import finish_overdue as run

            click.echo(f"finished {run()} attempt(s)")

        return [group]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("competitions.index", _l("知识竞赛"), order=50)]

    @hookimpl
    def render_slot(self, slot, user):
        if slot != "dashboard" or user is None or not user.is_authenticated:
            return None
        from plugins.competitions import hooks

        return Markup(render_template("competitions/_panel.html", **hooks.panel(user)))

    @hookimpl
    def calendar_entry_tables(self):
        return ["competitions_contest", "competitions_live_session"]

    @hookimpl
    def calendar_personal_tables(self):
        # Personal: contests the person started.
        return ["competitions_attempt.user_id"]

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
        return {
            "competitions.contest_saved": _l("保存竞赛"),
            "competitions.contest_state": _l("更改竞赛状态"),
            "competitions.evidence_added": _l("上传证明材料"),
            "competitions.judge_added": _l("指派评委"),
            "competitions.live_created": _l("创建有奖问答"),
            "competitions.live_finished": _l("结束有奖问答"),
            "competitions.live_paper": _l("录入纸质答卷"),
            "competitions.nominated": _l("推荐参评"),
            "competitions.question_saved": _l("保存题目"),
            "competitions.question_toggled": _l("停用或启用题目"),
            "competitions.questions_imported": _l("导入题目"),
            "competitions.round_created": _l("新建评比"),
            "competitions.round_state": _l("更改评比状态"),
            "competitions.scored": _l("评委打分"),
            "competitions.winner_marked": _l("确定获奖"),
            "competitions.winner_removed": _l("撤销获奖"),
            "competitions_contest": _l("竞赛"),
            "competitions_question": _l("题目"),
            "competitions_import": _l("题目导入"),
            "competitions_live_session": _l("有奖问答"),
            "competitions_award_round": _l("评比"),
            "competitions_nomination": _l("参评推荐"),
            "competitions_evidence": _l("证明材料"),
            "competitions_award_judge": _l("评委"),
            "competitions_judge_score": _l("评分"),
            "competitions_winner": _l("获奖"),
        }

    @hookimpl
    def load_demo_data(self, town):
        from plugins.competitions.demo import load

        load(town)

    @hookimpl
    def uploaded_files(self):
        from sqlalchemy import select

        from core.extensions import db
        from plugins.competitions.models_awards import Evidence

        rows = []
        rows += [
            (name, f"competitions_evidence {row_id}")
            for row_id, name in db.session.execute(select(Evidence.id, Evidence.stored_name))
            if name
        ]
        return {"competitions": dict(rows)}
