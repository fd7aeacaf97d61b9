"""Written rules (工作制度): Markdown pages kept as versions; earlier versions stay readable."""

from __future__ import annotations

import difflib

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select

from core import audit
from core.extensions import db
from core.i18n import translate
from plugins.steering.models import N_, RulePage, RuleVersion
from plugins.steering.services import TaskError

#: The rules the policy (三(五)) asks the town to write, slug → title.
RULES: dict[str, str] = {
    "manager_duties": N_("社区教育管理干部职责"),
    "counsellor_duties": N_("社区教育辅导员职责"),
    "volunteer_rules": N_("社区教育志愿者管理办法"),
    "assessment_method": N_("社区教育工作年度考核办法"),
    "demonstration_standard": N_("示范社区评估标准"),
    "fund_rules": N_("社区教育专项经费管理使用办法"),
}
MAX_LENGTH = 20_000


class _TownWide:
    """The object rules are checked on: above every village, so only those holding
    ``steering.edit_rules`` at a root of the tree (the town's managers) may edit."""

    permission_unit_id = None


TOWN_WIDE = _TownWide()

# Raw HTML in the source is shown as text; what Markdown makes is cleaned again by nh3.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(body: str) -> Markup:
    return Markup(nh3.clean(_markdown.render(body or "")))


def page(slug: str) -> RulePage | None:
    return db.session.scalar(select(RulePage).where(RulePage.slug == slug))


def pages() -> dict[str, RulePage | None]:
    found = {row.slug: row for row in db.session.scalars(select(RulePage))}
    return {slug: found.get(slug) for slug in RULES}


def save_version(slug: str, body: str, note: str, user) -> RuleVersion:
    """Add a new version (the caller checked ``steering.edit_rules``); raise ``TaskError``."""
    if slug not in RULES:
        raise TaskError(translate("没有这项制度。"), "body")
    body = (body or "").strip()
    if not body:
        raise TaskError(translate("请填写制度内容。"), "body")
    if len(body) > MAX_LENGTH:
        raise TaskError(translate("制度内容不能超过 20000 字。"), "body")
    record = page(slug)
    if record is None:
        record = RulePage(slug=slug, title=RULES[slug])
        db.session.add(record)
        db.session.flush()
    current = record.current
    if current is not None and current.body == body:
        raise TaskError(translate("内容没有变化，未保存新版本。"), "body")
    version = RuleVersion(
        page_id=record.id,
        number=(current.number + 1) if current else 1,
        body=body,
        note=(note or "").strip()[:200],
        author_id=user.id,
    )
    record.versions.append(version)
    db.session.flush()
    audit.record(
        "steering.rule_saved",
        version,
        f"{RULES[slug]} 第 {version.number} 版" + (f": {version.note}" if version.note else ""),
    )
    return version


def changes(older: RuleVersion | None, newer: RuleVersion) -> list[tuple[str, str]]:
    """Line changes from ``older`` to ``newer``: ("+" added, "-" removed, " " context)."""
    before = older.body.splitlines() if older else []
    lines = difflib.unified_diff(before, newer.body.splitlines(), lineterm="", n=1)
    return [(line[0], line[1:]) for line in list(lines)[2:] if not line.startswith("@@")]
