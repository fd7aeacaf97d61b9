"""Rules pages: the list, a rule (current or an earlier version), its history, editing."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import respond
from core.extensions import db
from core.permissions import can, require
from plugins.steering import rules
from plugins.steering.blueprint import bp
from plugins.steering.forms import RuleForm
from plugins.steering.services import TaskError


def _slug(slug: str) -> str:
    if slug not in rules.RULES:
        abort(404)
    return slug


def _may_edit() -> bool:
    return can(current_user, "steering.edit_rules", rules.TOWN_WIDE)


@bp.route("/rules")
def rules_index():
    """The rules the policy asks for, each with its current version (readable by everyone)."""
    return render_template(
        "steering/rules.html", pages=rules.pages(), titles=rules.RULES, may_edit=_may_edit()
    )


@bp.route("/rules/<slug>")
@bp.route("/rules/<slug>/v/<int:number>")
def rule(slug: str, number: int | None = None):
    """A rule's current text, or an earlier version by number."""
    record = rules.page(_slug(slug))
    versions = record.versions if record else []
    if number is None:
        shown = versions[-1] if versions else None
    else:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            abort(404)
    return render_template(
        "steering/rule.html",
        slug=slug,
        title=rules.RULES[slug],
        shown=shown,
        latest=versions[-1] if versions else None,
        body=rules.render(shown.body) if shown else None,
        may_edit=_may_edit(),
    )


@bp.route("/rules/<slug>/history")
def rule_history(slug: str):
    """Who changed what, when: every version with its line changes from the one before."""
    record = rules.page(_slug(slug))
    versions = record.versions if record else []
    entries = [
        (version, rules.changes(versions[index - 1] if index else None, version))
        for index, version in enumerate(versions)
    ]
    return render_template(
        "steering/rule_history.html",
        slug=slug,
        title=rules.RULES[slug],
        entries=list(reversed(entries)),
    )


@bp.route("/rules/<slug>/edit", methods=["GET", "POST"])
@login_required
def rule_edit(slug: str):
    """Save a new version (managers of the town); the earlier ones stay."""
    _slug(slug)
    require("steering.edit_rules", rules.TOWN_WIDE)
    record = rules.page(slug)
    form = RuleForm(data={"body": record.current.body if record and record.current else ""})
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                version = rules.save_version(slug, form.body.data, form.note.data, current_user)
            except TaskError as error:
                db.session.rollback()
                form.body.errors = [*form.body.errors, error.message]
            else:
                return respond.done(
                    _("已保存为第 %(n)s 版。", n=version.number), "steering.rule", slug=slug
                )
    return render_template(
        "steering/rule_edit.html", slug=slug, title=rules.RULES[slug], form=form
    ), status
