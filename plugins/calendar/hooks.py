"""What the calendar gives the rest of the site: permissions, the tables behind its entries,
report figures, panels, audit labels, uploaded files and its two public services.

``plugin.py`` delegates each hook here in one line. The calendar implements no
``calendar_entries`` of its own: its events are the calendar, and other plugins' entries are
merged in by ``entries.py``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Protocol, runtime_checkable

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from core.extensions import db
from core.hooktypes import Metric, NavItem
from core.orgunits import roll_up
from core.permissions import Permission
from core.timeutil import utcnow
from plugins.calendar import entries, feeds, holdings, metrics, registration, services, tracking
from plugins.calendar.blueprint import clock
from plugins.calendar.category_names import shown_name
from plugins.calendar.holdings import Holding
from plugins.calendar.models import CalendarMaterial
from plugins.calendar.recurrence import Occurrence

PERMISSIONS = [
    Permission(
        "calendar.manage_events",
        _l("创建和编辑活动（管理员全镇，村负责人本村）"),
        ("programme_manager", "village_coordinator"),
    ),
    Permission("calendar.manage_categories", _l("管理活动类别和颜色"), ("programme_manager",)),
    Permission(
        "calendar.checkin",
        _l("点名签到、代报名、导出签到册"),
        ("village_coordinator", "counsellor", "programme_manager"),
    ),
    Permission(
        "calendar.view_reports",
        _l("查看本村（社区）举办的活动和签到记录（工作进度的依据）"),
        ("village_coordinator", "counsellor", "programme_manager"),
    ),
    Permission(
        "calendar.view_materials",
        _l("查看和上传活动资料"),
        ("counsellor", "programme_manager", "village_coordinator"),
    ),
]

#: What the calendar's own pages and feeds read besides its events (``calendar_entry_tables``):
#: category names and colours, unit names and the unit tree (village filters); a unit's
#: population or learning-centre details do not show.
ENTRY_TABLES = [
    "calendar_category",
    *(f"org_unit.{column}" for column in ("name", "path", "parent_id", "kind", "active")),
]

#: The private feed's own dates: the person's registrations (``calendar_personal_tables``).
PERSONAL_TABLES = ["calendar_registration.user_id"]

AUDIT_LABELS = {
    "calendar.attendance_late_recorded": _l("补录签到"),
    "calendar.attendance_ticked": _l("点名签到"),
    "calendar.attendance_undone": _l("撤销签到"),
    "calendar.walk_in_recorded": _l("登记现场签到"),
    "calendar.category_created": _l("新增活动类别"),
    "calendar.category_updated": _l("修改活动类别"),
    "calendar.event_created": _l("创建活动"),
    "calendar.event_updated": _l("修改活动"),
    "calendar.event_cancelled": _l("取消整个活动"),
    "calendar.occurrence_cancelled": _l("取消一次活动"),
    "calendar.occurrence_restored": _l("恢复一次活动"),
    "calendar.occurrence_edited": _l("修改一次活动"),
    "calendar.series_split": _l("拆分系列活动"),
    "calendar.series_paused": _l("暂停系列活动"),
    "calendar.series_unpaused": _l("取消暂停系列活动"),
    "calendar.material_uploaded": _l("上传活动资料"),
    "calendar.proxy_registered": _l("代报名"),
    "calendar_event": _l("活动"),
    "calendar_category": _l("活动类别"),
    "calendar_material": _l("活动资料"),
    "calendar_registration": _l("报名"),
    "calendar_attendance": _l("签到记录"),
}

HOME_DAYS = timedelta(days=7)

CONFIG_DEFAULTS = {
    "CALENDAR_FEED_DAYS_BACK": 90,
    "CALENDAR_FEED_DAYS_AHEAD": 365,
    "CALENDAR_MAX_UPLOAD_MB": 10,
    "CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE": 60,
    "CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER": 60,
    # A feed of more events is streamed from the stored rows, not kept whole in each worker
    # (20,000 events are about 9 MiB).
    "CALENDAR_FEED_CACHE_EVENTS": 20_000,
}


def setup_app(app: Flask) -> None:
    """Settings' defaults, the template filters and the listeners that keep feeds current."""
    tracking.install()
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["category_name"] = shown_name


def nav_items() -> list[NavItem]:
    return [
        NavItem("calendar.index", _l("活动日历"), order=20),
        NavItem("calendar.manage", _l("活动管理"), permission="calendar.manage_events", order=21),
    ]


def report_metrics(unit_ids: Collection[int], start, end) -> list[Metric]:
    """举办活动 = occurrences held; 参与人次 = attendances on them (``metrics.counts``)."""
    held_by_unit, attended_by_unit = metrics.counts(start, end)
    return [
        Metric(
            "calendar.events_held",
            "举办活动",
            roll_up(unit_ids, held_by_unit),
            "场",
            evidence_endpoint="calendar.report_held",
        ),
        Metric(
            "calendar.participant_times",
            "参与人次",
            roll_up(unit_ids, attended_by_unit),
            "人次",
            evidence_endpoint="calendar.report_attended",
        ),
    ]


def render_slot(slot: str, user) -> Markup | None:
    """The profile's feed section, the dashboard's next registrations, the home page's week."""
    if slot == "profile" and user is not None:
        row = feeds.token_for(user.id)
        return Markup(render_template("calendar/_profile.html", token=row.token if row else None))
    if slot == "dashboard" and user is not None:
        return dashboard_panel(user)
    if slot == "home":
        return home_panel()
    return None


def home_panel() -> Markup:
    """What is on in the next seven days, town-wide (first eight)."""
    now = utcnow()
    end = now + HOME_DAYS
    # The occurrence list is cached by its window: ask for whole hours so the key repeats
    # within the hour, then keep only what overlaps [now, now + 7 days) as before.
    hour = now.replace(minute=0, second=0, microsecond=0)
    window = services.occurrences_between(hour, hour + HOME_DAYS + timedelta(hours=1))
    items = [
        o
        for o in window
        if o.start < end and (o.end > now or (o.start == o.end and o.start >= now))
    ][:8]
    return Markup(render_template("calendar/_home.html", items=items))


def dashboard_panel(user) -> Markup:
    """The person's next registered occurrences."""
    items = registration.upcoming_for(user.id, utcnow() - timedelta(hours=6), limit=5)
    return Markup(render_template("calendar/_panel.html", items=items))


def uploaded_files() -> dict[str, dict[str, str]]:
    """The activity materials' stored names under ``UPLOAD_DIR/calendar``."""
    rows = db.session.execute(select(CalendarMaterial.id, CalendarMaterial.stored_name))
    return {"calendar": {name: f"calendar_material {row_id}" for row_id, name in rows if name}}


# --- public services ----------------------------------------------------------------------


@runtime_checkable
class CalendarServiceProtocol(Protocol):
    """The ``calendar`` service, as other plugins and core call it (duck typed)."""

    def occurrences_between(
        self,
        start: datetime,
        end: datetime,
        viewer=None,
        category_ids=None,
        unit_id: int | None = None,
        include_entries: bool = True,
    ) -> list[Occurrence]:
        """Every occurrence (own events and other plugins' entries) in [start, end), sorted."""

    def upcoming_events(
        self, unit_id: int, start: datetime, end: datetime
    ) -> list[tuple[str, str, datetime]]:
        """``(ref, label, start)`` of the unit's dates in [start, end), for linking rows."""

    def raw_entries(self, start: datetime, end: datetime, viewer, personal: bool) -> list:
        """Other plugins' ``CalendarEntry`` values in [start, end), as the feeds get them."""


@runtime_checkable
class HoldingsServiceProtocol(Protocol):
    """The ``calendar_holdings`` service: evidence the calendar holds for an inspection."""

    def unit_holdings(self, unit_id: int, start: date, end: date) -> list[Holding]:
        """Sign-in sheets and materials of the unit (and below) over local days [start, end)."""


class CalendarService:
    """The ``calendar`` service: only what other plugins and core call. Each method looks the
    module function up when called, so it is always the one in ``services``/``entries``."""

    def occurrences_between(
        self,
        start: datetime,
        end: datetime,
        viewer=None,
        category_ids=None,
        unit_id: int | None = None,
        include_entries: bool = True,
    ) -> list[Occurrence]:
        """Every occurrence (own events and other plugins' entries) in [start, end), sorted."""
        return services.occurrences_between(
            start, end, viewer, category_ids, unit_id, include_entries
        )

    def upcoming_events(
        self, unit_id: int, start: datetime, end: datetime
    ) -> list[tuple[str, str, datetime]]:
        """``(ref, label, start)`` of the unit's dates in [start, end) (``services``)."""
        return services.upcoming_events(unit_id, start, end)

    def raw_entries(self, start: datetime, end: datetime, viewer, personal: bool) -> list:
        """Other plugins' ``CalendarEntry`` values in [start, end), as the feeds get them."""
        return entries.raw_entries(start, end, viewer, personal)


class HoldingsService:
    """The ``calendar_holdings`` service (``holdings.py``)."""

    def unit_holdings(self, unit_id: int, start: date, end: date) -> list[Holding]:
        """Sign-in sheets and materials of the unit (and below) over local days [start, end)."""
        return holdings.unit_holdings(unit_id, start, end)


def public_services() -> dict[str, object]:
    """``register_services``: one instance of each service class."""
    return {"calendar": CalendarService(), "calendar_holdings": HoldingsService()}
