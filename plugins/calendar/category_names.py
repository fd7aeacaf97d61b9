"""The calendar's built-in categories, whose names are shown translated.

Categories are rows (staff add and rename them), so a name is shown in the page's language only
when it is still one of the built-in names below (the catalog's message ids); a name staff typed
is shown as typed. Feeds keep the stored name.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:
    """Mark a msgid for extraction; translated when shown (``shown_name``)."""
    return text


DEFAULT_CATEGORIES = [
    (N_("干部夜校"), "#8a1c12"),
    (N_("微讲堂"), "#0b4f9c"),
    (N_("党员远程教育"), "#a31515"),
    (N_("村（居）民开放日"), "#1e6b2f"),
    (N_("文艺活动"), "#7a3e9d"),
    (N_("体育活动"), "#b35900"),
    (N_("法治宣讲"), "#2f4f4f"),
    (N_("健康讲座"), "#00707a"),
]
BUILT_IN = frozenset(name for name, _colour in DEFAULT_CATEGORIES)


def shown_name(name: str | None) -> str:
    """``name`` in the page's language if it is a built-in category, else as stored."""
    if not name:
        return ""
    return gettext(name) if name in BUILT_IN else name
