"""When check-in is open, and the short-lived code in the self check-in QR code.

Check-in is open from ``opens_before`` minutes before an occurrence starts until
``closes_after`` minutes after it ends (the event's own values, else the site's
``CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE`` / ``CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER``, 60 each).

The QR code carries ``HMAC(SECRET_KEY, occurrence, minute)``: it changes every minute on the
coordinator's screen, and a code is accepted during its own minute and the next one only, so a
photo shared in a group chat stops working within two minutes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from core.timeutil import to_local, utcnow
from plugins.calendar.models import CalendarEvent
from plugins.calendar.recurrence import Occurrence

STEP_SECONDS = 60
#: After a fresh code was scanned, the person has this long to log in and confirm.
PASS_MINUTES = 10


@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime

    def state(self, now: datetime) -> str:
        """ "early", "open" or "closed" at ``now``."""
        if now < self.opens:
            return "early"
        return "open" if now <= self.closes else "closed"

    def label(self) -> str:
        """The window in local time, e.g. "12月01日 18:30 至 21:00"."""
        opens, closes = to_local(self.opens), to_local(self.closes)
        end = "%H:%M" if opens.date() == closes.date() else "%m月%d日 %H:%M"
        return f"{opens:%m月%d日 %H:%M} 至 {closes.strftime(end)}"


def minutes(event: CalendarEvent) -> tuple[int, int]:
    """(minutes before the start, minutes after the end) for ``event``."""
    config = current_app.config
    before = event.checkin_opens_before
    after = event.checkin_closes_after
    if before is None:
        before = config["CALENDAR_CHECKIN_OPENS_MINUTES_BEFORE"]
    if after is None:
        after = config["CALENDAR_CHECKIN_CLOSES_MINUTES_AFTER"]
    return int(before), int(after)


def window(event: CalendarEvent, occurrence: Occurrence) -> Window:
    """The check-in window of one occurrence (its real, possibly moved, start and end)."""
    before, after = minutes(event)
    return Window(
        occurrence.start - timedelta(minutes=before), occurrence.end + timedelta(minutes=after)
    )


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(event_id: int, key: str, at: datetime | None = None) -> str:
    """The code the QR screen shows at ``at`` (now by default)."""
    step = _step(at or utcnow())
    message = f"calendar-checkin:{event_id}:{key}:{step}".encode()
    secret = current_app.secret_key.encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:16]


def code_is_fresh(event_id: int, key: str, code: str, now: datetime | None = None) -> bool:
    """Is ``code`` this minute's or the previous minute's code for the occurrence?"""
    if not code or not code.isascii() or len(code) > 64:
        return False
    now = now or utcnow()
    candidates = (now, now - timedelta(seconds=STEP_SECONDS))
    return any(hmac.compare_digest(code, code_at(event_id, key, at)) for at in candidates)
