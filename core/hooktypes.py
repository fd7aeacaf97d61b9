"""Values that hooks return. Plain frozen dataclasses: no ORM rows cross plugin lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown when the user holds ``permission`` (if any)."""

    endpoint: str
    label: str
    permission: str | None = None
    login_required: bool = False
    order: int = 100


@dataclass(frozen=True)
class CalendarEntry:
    """Something on the calendar contributed by a plugin (a lecture, a shift, a contest)."""

    uid: str  # stable across feeds and changes, e.g. "lecturers-request-12@xiangxuetong"
    source: str  # the contributing plugin's name
    title: str
    start: datetime  # timezone-aware
    end: datetime
    url: str = ""  # a page every viewer the entry is shown to may open; "" = not a link
    #: The key the calendar's category filter matches against its category names.
    category: str = ""
    #: The category as people read it: a Chinese message id the plugin declares in its catalog
    #: (pages translate it, feeds carry it as CATEGORIES). Empty: ``category`` is already one.
    category_label: str = ""
    colour: str = "#555555"  # the category's colour (``#rrggbb``) on the calendar pages
    location: str = ""
    description: str = ""
    org_unit_id: int | None = None
    all_day: bool = False
    public: bool = True  # False: shown only to ``viewer`` it was computed for
    cancelled: bool = False
    sequence: int = 0
    last_modified: datetime | None = None


@dataclass(frozen=True)
class Metric:
    """One report figure per org unit for a period: ``values[unit_id] = number``.

    A unit's value counts everything of that unit and of the units below it.
    """

    key: str  # "calendar.participant_times"
    label: str
    values: Mapping[int, float] = field(default_factory=dict)
    unit: str = ""  # "人次", "小时", "场"
    #: The endpoint of the page listing exactly the items behind a number; reports link it with
    #: ``unit_id``, ``start`` and ``end`` (local ISO dates, end exclusive; see core/figures.py).
    evidence_endpoint: str = ""
    #: Older form of the same: a URL template formatted with unit_id, start, end (ISO dates).
    evidence_url: str = ""
    #: Set for a ratio figure (a completion rate): ``values`` are then the numerators and these
    #: the denominators, per unit. Reports show it as a percentage, and a total over several
    #: rows (villages, months) is Σnumerators / Σdenominators, never a sum of rates.
    denominators: Mapping[int, float] | None = None

    @property
    def is_ratio(self) -> bool:
        return self.denominators is not None

    def fraction(self, unit_id: int) -> tuple[float, float]:
        """(numerator, denominator) of a ratio figure for one unit; (0, 0) when absent."""
        return self.values.get(unit_id, 0) or 0, (self.denominators or {}).get(unit_id, 0) or 0


@dataclass(frozen=True)
class LearningEntry:
    """Something new to learn, shown in the 指尖学习 digest and feed beside the daily items."""

    uid: str  # stable, e.g. "learning-lesson-12"
    title: str
    url: str  # absolute, or a path on this site
    published: datetime  # timezone-aware
    updated: datetime
    summary: str = ""
    source: str = ""  # the contributing plugin's name
