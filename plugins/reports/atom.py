"""The 指尖学习 Atom 1.0 feed, built with xml.etree so every value is escaped."""

from __future__ import annotations

from datetime import UTC, datetime, time
from xml.etree import ElementTree as ET

from flask import current_app, url_for

from core.timeutil import local_zone

NS = "http://www.w3.org/2005/Atom"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _published(item) -> datetime:
    """An item counts as published at local midnight of its day."""
    return datetime.combine(item.publish_on, time(), tzinfo=local_zone())


def feed(items: list, entries: list = ()) -> bytes:
    """The feed of ``items`` (指尖学习 items) and ``entries`` (``LearningEntry`` from plugins)."""
    base = current_app.config["SITE_URL"].rstrip("/")
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")

    def add(parent, tag, text=None, **attributes):
        element = ET.SubElement(parent, f"{{{NS}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    add(root, "id", f"{base}{url_for('reports.learning_feed')}")
    add(root, "title", "指尖学习 · 双槐镇社区教育")
    add(
        root,
        "link",
        rel="self",
        type="application/atom+xml",
        href=f"{base}{url_for('reports.learning_feed')}",
    )
    add(
        root, "link", rel="alternate", type="text/html", href=f"{base}{url_for('reports.learning')}"
    )
    updated = max(
        [
            *(max(_published(item), item.updated_at) for item in items),
            *(entry.updated for entry in entries),
        ],
        default=datetime(2018, 1, 1, tzinfo=UTC),
    )
    add(root, "updated", _stamp(updated))
    author = add(root, "author")
    add(author, "name", "双槐镇社区教育学校")
    for item in items:
        entry = add(root, "entry")
        link = f"{base}{url_for('reports.learning_item', item_id=item.id)}"
        add(
            entry,
            "id",
            f"tag:xiangxuetong.local,{item.publish_on.isoformat()}:reports-learning-{item.id}",
        )
        add(entry, "title", item.title)
        add(entry, "link", rel="alternate", type="text/html", href=link)
        if item.link:
            add(entry, "link", rel="related", href=item.link)
        add(entry, "published", _stamp(_published(item)))
        add(entry, "updated", _stamp(max(_published(item), item.updated_at)))
        add(entry, "summary", item.body or item.title, type="text")
    for learning_entry in entries:
        entry = add(root, "entry")
        link = learning_entry.url if "://" in learning_entry.url else f"{base}{learning_entry.url}"
        add(entry, "id", f"tag:xiangxuetong.local,2018:{learning_entry.uid}")
        add(entry, "title", learning_entry.title)
        add(entry, "link", rel="alternate", type="text/html", href=link)
        add(entry, "published", _stamp(learning_entry.published))
        add(entry, "updated", _stamp(learning_entry.updated))
        add(entry, "summary", learning_entry.summary or learning_entry.title, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
