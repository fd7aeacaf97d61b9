"""What goes to WeChat: the daily 指尖学习 digest (robot) and the weekly article (draft box).

Both are assembled from the public calendar entries every plugin contributes
(``calendar_entries`` hook), so a plugin that is off simply adds nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import escape

from flask import current_app

from core.plugins import get_service, registry
from core.timeutil import to_local

WEEKDAYS = "一二三四五六日"


def public_entries(start: datetime, end: datetime) -> list:
    """Public activities in [start, end): the calendar's own (with every plugin's entries)
    through its service, or only the plugins' entries when the calendar is off."""
    calendar = get_service("calendar")
    if calendar is not None:
        # Cron runs have no request; the calendar builds its links with url_for.
        with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
            found = calendar.occurrences_between(start, end)
    else:
        found = []
        for batch in registry().hook.calendar_entries(
            start=start, end=end, viewer=None, personal=False
        ):
            found.extend(batch or [])
    return sorted(
        (e for e in found if e.public and not getattr(e, "cancelled", False)),
        key=lambda entry: (entry.start, entry.title),
    )


def _place(entry) -> str:
    return getattr(entry, "location", "") or getattr(entry, "venue", "")


def _link(entry) -> str:
    url = entry.url or ""
    return url if url.startswith("http") else f"{current_app.config['SITE_URL']}{url}"


def _day_start(now: datetime) -> datetime:
    local = to_local(now)
    return datetime.combine(local.date(), time(0), local.tzinfo)


def daily_markdown(now: datetime) -> str:
    """Today's and tomorrow's activities as WeCom markdown."""
    start = _day_start(now)
    lines = [f"**指尖学习 · {start.month}月{start.day}日**"]
    for offset, label in ((0, "今日活动"), (1, "明日预告")):
        day = start + timedelta(days=offset)
        entries = public_entries(day, day + timedelta(days=1))
        lines.append(f"> {label}（{len(entries)}）")
        for entry in entries:
            when = "全天" if entry.all_day else to_local(entry.start).strftime("%H:%M")
            place = f"，{_place(entry)}" if _place(entry) else ""
            lines.append(f"- {when} [{entry.title}]({_link(entry)}){place}")
    lines.append(f"[打开乡学通]({current_app.config['SITE_URL']})")
    return "\n".join(lines)


def weekly_article(now: datetime) -> tuple[str, str, str]:
    """(title, HTML content, digest) of next seven days' activities, for the draft box."""
    start = _day_start(now)
    end = start + timedelta(days=7)
    entries = public_entries(start, end)
    title = f"首善双槐 · 本周学习活动（{start.month}月{start.day}日起）"
    parts = [f"<p>本周共有 {len(entries)} 场活动，欢迎乡亲们参加。</p>"]
    for offset in range(7):
        day = start + timedelta(days=offset)
        todays = [e for e in entries if to_local(e.start).date() == day.date()]
        if not todays:
            continue
        parts.append(f"<h3>{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}</h3><ul>")
        for entry in todays:
            when = "全天" if entry.all_day else to_local(entry.start).strftime("%H:%M")
            place = f"（{escape(_place(entry))}）" if _place(entry) else ""
            parts.append(f"<li>{when} {escape(entry.title)}{place}</li>")
        parts.append("</ul>")
    parts.append(
        f'<p>报名与详情：<a href="{escape(current_app.config["SITE_URL"])}">乡学通</a></p>'
    )
    return title, "".join(parts), f"本周共有 {len(entries)} 场学习活动"
