"""Server-side SVG charts: bars per village and a trend per month.

Plain SVG with a viewBox so it scales to a phone's width and prints sharply; no script, no
inline style (the CSP forbids both); colours through the .chart classes in core/static/css/site.css.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 420
BAR_HEIGHT = 26
LABEL_WIDTH = 88


def _number(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.1f}"


def bar_chart(title: str, items: list[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), longest first as given; each labelled with its value."""
    height = 40 + BAR_HEIGHT * max(len(items), 1)
    top = max((value for _label, value in items), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 64
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="0" y="20">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(items):
        y = 32 + index * BAR_HEIGHT
        length = max(room * value / top, 0)
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y + 17}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT - 8}"/>'
            f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 17}">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    if not items:
        parts.append(f'<text class="chart-label" x="0" y="52">{escape("暂无数据")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(title: str, points: list[tuple[str, float]], unit: str = "") -> Markup:
    """A line over months with a dot and the value at each point."""
    height, left, bottom, top_pad = 240, 24, 36, 44
    inner_w, inner_h = WIDTH - left - 20, height - bottom - top_pad
    top = max((value for _label, value in points), default=0) or 1
    step = inner_w / max(len(points) - 1, 1)
    coords = [
        (left + index * step, top_pad + inner_h - inner_h * value / top)
        for index, (_label, value) in enumerate(points)
    ]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="0" y="20">{escape(title)}</text>',
        f'<line class="chart-axis" x1="{left}" y1="{top_pad + inner_h}" x2="{WIDTH - 20}" '
        f'y2="{top_pad + inner_h}"/>',
    ]
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="chart-line" points="{path}"/>')
    for (x, y), (label, value) in zip(coords, points, strict=True):
        parts.append(
            f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
            f'<text class="chart-value" x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">'
            f"{_number(value)}</text>"
            f'<text class="chart-label" x="{x:.1f}" y="{height - 14}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    if unit:
        parts.append(
            f'<text class="chart-label" x="{WIDTH - 20}" y="20" text-anchor="end">{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
