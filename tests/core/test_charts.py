"""The SVG charts: every value labelled, scalable, nothing the CSP would block."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from core.charts import bar_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_labels_every_bar():
    svg = str(bar_chart("活动场次", [("甲村", 12), ("乙<村>", 3.5), ("丙村", 0)], "场"))
    root = ET.fromstring(svg)
    assert root.get("viewBox") and root.get("role") == "img"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"甲村", "乙<村>", "丙村", "12场", "3.5场", "0场"} <= set(texts)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0
    assert "style=" not in svg and "<script" not in svg


def test_trend_chart_points_and_empty():
    root = ET.fromstring(str(trend_chart("逐月", [("1月", 2), ("2月", 5), ("3月", 0)], "人次")))
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    assert root.find(f"{SVG}polyline") is not None
    empty = ET.fromstring(str(bar_chart("空", [])))
    assert "暂无数据" in [t.text for t in empty.iter(f"{SVG}text")]


def test_home_page_lists_todays_items(client, app):
    from plugins.reports.forms import today
    from tests.plugins.reports.test_learning import add_items

    add_items(app, (today(), "今日要点"))
    assert "今日要点" in client.get("/").get_data(as_text=True)
