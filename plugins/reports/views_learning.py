"""指尖学习: short learning items by day, digests (page, plain text, Atom) and item pages.

Opening an item while signed in sends ``learning_item_opened``; the credits plugin, when
enabled, turns it into a small capped credit. Nothing here imports credits.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import orgunits, respond, signals, timeutil
from core.extensions import db
from core.hooktypes import LearningEntry
from core.models import OrgUnit, OrgUnitKind
from core.permissions import can, permission_required, require, unit_ids_where
from core.plugins import registry
from core.timeutil import period_bounds, utcnow
from plugins.reports import atom, uploads
from plugins.reports.blueprint import bp
from plugins.reports.forms import LearningItemForm
from plugins.reports.models import LearningItem
from plugins.reports.services import for_requested_town, items_between


def plugin_entries(first: date, after: date) -> list[LearningEntry]:
    """What other plugins published on the local days [first, after) and before now (new
    lessons of online courses), through the ``learning_entries`` hook; oldest first."""
    start, end = period_bounds(first, after)
    end = min(end, utcnow())
    if end <= start:
        return []
    found = [
        entry
        for entries in registry().hook.learning_entries(start=start, end=end)
        for entry in entries or []
    ]
    return sorted(found, key=lambda entry: (entry.published, entry.uid))


def audience_choices() -> list[tuple[int, str]]:
    """Everyone (top of the tree), or one of the towns this manager runs."""
    managed = unit_ids_where(current_user, "reports.manage")  # one query, not one per town
    towns = [
        unit
        for unit in orgunits.tree_rows(include_inactive=False)
        if unit.kind in (OrgUnitKind.district, OrgUnitKind.town) and unit.id in managed
    ]
    return [(0, _("全部（整个安装）")), *((unit.id, unit.name) for unit in towns)]


def _parse(day: str | None) -> date:
    if day is None:
        return timeutil.local_today()
    try:
        return date.fromisoformat(day)
    except ValueError:
        abort(404)


def _span(kind: str, day: date) -> tuple[date, date, str]:
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        sunday = monday + timedelta(days=6)
        return monday, monday + timedelta(days=7), f"{monday.isoformat()} 至 {sunday.isoformat()}"
    return day, day + timedelta(days=1), day.isoformat()


def digest_text(
    kind: str, label: str, items: list[LearningItem], entries: list[LearningEntry] = ()
) -> str:
    """The digest as plain text to paste into WeChat or QQ groups."""
    base = current_app.config["SITE_URL"].rstrip("/")
    heading = "每周" if kind == "week" else "每日"
    lines = [f"【指尖学习·{heading}】{label}", ""]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. {item.title}")
        if item.body:
            lines.append(item.body)
        if item.link:
            lines.append(f"链接：{item.link}")
        lines.append(f"详情：{base}{url_for('reports.learning_item', item_id=item.id)}")
        lines.append("")
    for number, entry in enumerate(entries, start=len(items) + 1):
        lines.append(f"{number}. {entry.title}")
        if entry.summary:
            lines.append(entry.summary)
        url = entry.url if "://" in entry.url else f"{base}{entry.url}"
        lines.append(f"详情：{url}")
        lines.append("")
    if not items and not entries:
        lines.append("本期暂无学习内容。")
    lines.append("—— 双槐镇社区教育 · 人人皆学、时时能学、处处可学")
    return "\n".join(lines)


@bp.route("/learn/")
@bp.route("/learn/<any(day, week):kind>/<day>")
def learning(kind: str = "day", day: str | None = None):
    """The daily (or weekly) digest page; public."""
    chosen = _parse(day)
    first, after, label = _span(kind, chosen)
    step = timedelta(days=7 if kind == "week" else 1)
    return render_template(
        "reports/learning.html",
        kind=kind,
        day=chosen,
        label=label,
        items=items_between(first, after),
        entries=plugin_entries(first, after),
        previous=(chosen - step).isoformat(),
        following=(chosen + step).isoformat() if chosen + step <= timeutil.local_today() else None,
        may_publish=can(current_user, "reports.manage"),
    )


@bp.route("/learn/<any(day, week):kind>/<day>.txt")
def learning_text(kind: str, day: str):
    """The same digest as plain text (UTF-8) for messaging groups."""
    first, after, label = _span(kind, _parse(day))
    text = digest_text(kind, label, items_between(first, after), plugin_entries(first, after))
    return Response(text, mimetype="text/plain; charset=utf-8")


@bp.route("/learn/feed.atom")
def learning_feed():
    """An Atom 1.0 feed of the latest items."""
    today = timeutil.local_today()
    items = list(
        db.session.scalars(
            for_requested_town(select(LearningItem))
            .where(LearningItem.publish_on <= today, LearningItem.withdrawn.is_(False))
            .order_by(LearningItem.publish_on.desc(), LearningItem.id.desc())
            .limit(30)
        )
    )
    entries = plugin_entries(today - timedelta(days=60), today + timedelta(days=1))[-30:]
    return Response(atom.feed(items, entries), mimetype="application/atom+xml; charset=utf-8")


def _published_or_404(item_id: int) -> LearningItem:
    item = db.session.get(LearningItem, item_id)
    if item is None or item.withdrawn:
        abort(404)
    if item.publish_on > timeutil.local_today() and not can(current_user, "reports.manage"):
        abort(404)
    return item


@bp.route("/learn/items/<int:item_id>")
def learning_item(item_id: int):
    """One item; opening it signed in may earn a small credit (heard by the credits plugin)."""
    item = _published_or_404(item_id)
    if current_user.is_authenticated and item.publish_on <= timeutil.local_today():
        opened = signals.LearningItemOpened(
            item_id=item.id,
            user_id=current_user.id,
            org_unit_id=current_user.home_unit_id,
            opened_at=utcnow(),
        )
        db.session.commit()  # end the read, so the signal goes out now rather than never
        signals.send(signals.learning_item_opened, opened)
    return render_template("reports/learning_item.html", item=item)


@bp.route("/learn/items/<int:item_id>/picture")
def learning_picture(item_id: int):
    item = _published_or_404(item_id)
    return uploads.serve(item.picture_file, item.picture_type, f"item-{item.id}")


@bp.route("/learn/new", methods=["GET", "POST"])
@permission_required("reports.manage")
def learning_new():
    """Publish an item for a day (today or later)."""
    form = LearningItemForm(
        data={"publish_on": timeutil.local_today()} if not form_posted() else None
    )
    form.org_unit_id.choices = audience_choices()
    if form.validate_on_submit():
        audience = db.session.get(OrgUnit, form.org_unit_id.data) if form.org_unit_id.data else None
        # an item for everyone needs a manager at the top of the tree
        require("reports.manage", audience or orgunits.roots()[0])
        try:
            stored = uploads.save(form.picture.data, uploads.PICTURE_TYPES)
        except uploads.UploadError as error:
            form.picture.errors = [str(error)]
        else:
            item = LearningItem(
                publish_on=form.publish_on.data,
                title=form.title.data,
                body=form.body.data or "",
                link=form.link.data or None,
                picture_file=stored[0] if stored else None,
                picture_type=stored[1] if stored else None,
                created_by_id=current_user.id,
                org_unit_id=audience.id if audience else None,
            )
            db.session.add(item)
            db.session.flush()
            return respond.done(
                _("学习内容已发布。"),
                "reports.learning_item",
                record=("reports.learning_published", item, f"发布指尖学习：{item.title}"),
                item_id=item.id,
            )
    status = 400 if form_posted() else 200
    return render_template("reports/learning_new.html", form=form), status


@bp.route("/learn/items/<int:item_id>/withdraw", methods=["POST"])
@permission_required("reports.manage")
def learning_withdraw(item_id: int):
    item = db.session.get(LearningItem, item_id)
    if item is None or item.withdrawn:
        abort(404)
    require("reports.manage", item.org_unit_id or orgunits.roots()[0])
    item.withdrawn = True
    return respond.done(
        _("已撤下。"),
        "reports.learning",
        record=("reports.learning_withdrawn", item, f"撤下指尖学习：{item.title}"),
    )


def form_posted() -> bool:
    return request.method == "POST"
