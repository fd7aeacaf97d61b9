"""Messages to registered people: a reminder the day before, and news of a cancellation."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select

from core import notify
from core.extensions import db
from core.timeutil import to_local, utcnow
from plugins.calendar import recurrence
from plugins.calendar.models import CalendarEvent, CalendarRegistration
from plugins.calendar.registration import occurrence_link


def _registrations(event_id: int, since: datetime, original_start: datetime | None = None):
    query = select(CalendarRegistration).where(
        CalendarRegistration.event_id == event_id,
        CalendarRegistration.status != "cancelled",
        CalendarRegistration.user_id.is_not(None)
        | CalendarRegistration.registered_by_id.is_not(None),
        CalendarRegistration.original_start >= since,
    )
    if original_start is not None:
        query = query.where(CalendarRegistration.original_start == original_start)
    return db.session.scalars(query).all()


def _addressee(row: CalendarRegistration) -> tuple[int, str, str | None]:
    """Who is told of a registration: the person, or for a 代报名 the coordinator who
    registered them (naming the villager), with an SMS to the villager's own number."""
    if row.user_id:
        return row.user_id, "", None
    return row.registered_by_id, f"{row.proxy_name}（代报名）", row.proxy_phone


def tell_cancelled(
    event: CalendarEvent, original_start: datetime | None, reason: str, version: int = 0
) -> int:
    """Notify everyone registered for the cancelled occurrence (None: all that have not ended).

    ``version`` (the sequence after the change) tells a second cancellation, after a restore,
    from a retried request: each cancellation is told once."""
    sent = 0
    not_ended = utcnow() - (event.end_at - event.start_at)  # one under way is told too
    for row in _registrations(event.id, not_ended, original_start):
        when = to_local(row.original_start).strftime("%m月%d日 %H:%M")
        key = recurrence.key_of(row.original_start)
        recipient, proxy, sms_to = _addressee(row)
        if notify.notify(
            recipient,
            f"{proxy}活动取消：{event.title}（{when}）",
            f"您报名的活动已取消。原因：{reason}" + ("。请转告您代报名的村民。" if proxy else ""),
            occurrence_link(event.id, row.original_start),
            dedupe_key=f"calendar:cancelled:{row.id}:{key}:{version}",
            kind="cancellation",
            sms_to=sms_to,
        ):
            sent += 1
    return sent


def tell_restored(event: CalendarEvent, occurrence: recurrence.Occurrence, version: int) -> int:
    """Notify everyone registered for a restored occurrence that it takes place after all
    (registrations are kept while an occurrence is cancelled), unless it is over already."""
    if occurrence.end < utcnow():
        return 0
    sent = 0
    when = to_local(occurrence.start).strftime("%m月%d日 %H:%M")
    for row in _registrations(event.id, occurrence.original_start, occurrence.original_start):
        status = "正式报名" if row.status == "confirmed" else "候补"
        recipient, proxy, sms_to = _addressee(row)
        if notify.notify(
            recipient,
            f"{proxy}活动恢复举办：{occurrence.title}（{when}）",
            f"之前取消的活动恢复举办，时间 {when}，地点 {occurrence.venue}。"
            f"您的报名仍然有效（{status}），请按时参加。",
            occurrence_link(event.id, occurrence.original_start),
            dedupe_key=f"calendar:restored:{row.id}:{occurrence.key}:{version}",
            kind="cancellation",
            sms_to=sms_to,
        ):
            sent += 1
    return sent


def send_reminders(now: datetime | None = None) -> int:
    """Remind people registered for occurrences starting in the next 24 hours (once each).

    A 代报名 villager with a phone gets the reminder by SMS on that number; those without one
    (or with one while the site sends no reminder SMS) are reached through the coordinator who
    registered them: one notice per coordinator and occurrence, naming them all."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(CalendarRegistration)
        .where(
            CalendarRegistration.status == "confirmed",
            CalendarRegistration.user_id.is_not(None)
            | CalendarRegistration.registered_by_id.is_not(None),
            CalendarRegistration.original_start >= now - timedelta(days=1),
            CalendarRegistration.original_start < now + timedelta(days=2),
        )
        .order_by(CalendarRegistration.id)
    ).all()
    sent = 0
    by_sms = notify.CHANNELS["sms"].applies_to(None, "reminder")  # type: ignore[arg-type]
    #: (coordinator, event, occurrence key) → (occurrence, phone-less 代报名 names)
    through_coordinator: dict[tuple, tuple[recurrence.Occurrence, list[str]]] = {}
    for row in rows:
        occurrence = recurrence.find_occurrence(row.event, row.original_start)
        if occurrence is None or occurrence.cancelled:
            continue
        if not now <= occurrence.start < now + timedelta(hours=24):
            continue
        if row.user_id is None and not (row.proxy_phone and by_sms):
            group = (row.registered_by_id, row.event_id, occurrence.key)
            through_coordinator.setdefault(group, (occurrence, []))[1].append(row.proxy_name or "")
            continue
        when = to_local(occurrence.start).strftime("%m月%d日 %H:%M")
        body = f"{when} 在 {occurrence.venue} 举行，请准时参加。"
        if row.user_id is not None:
            recipient, subject, sms_to, channels = (
                row.user_id,
                f"活动提醒：{occurrence.title}",
                None,
                None,
            )
        else:  # 代报名 with a phone: the SMS goes to the villager's own number
            recipient, sms_to, channels = row.registered_by_id, row.proxy_phone, ("sms",)
            subject = f"{row.proxy_name}（代报名）活动提醒：{occurrence.title}"
        if notify.notify(
            recipient,
            subject,
            body,
            occurrence_link(row.event_id, occurrence.original_start),
            dedupe_key=f"calendar:reminder:{row.id}:{occurrence.key}",
            kind="reminder",
            channels=channels,
            sms_to=sms_to,
        ):
            sent += 1
    for (coordinator_id, event_id, _key), (occurrence, names) in through_coordinator.items():
        if _remind_coordinator(coordinator_id, event_id, occurrence, names):
            sent += 1
    return sent


def _remind_coordinator(
    coordinator_id: int, event_id: int, occurrence: recurrence.Occurrence, names: list[str]
) -> bool:
    """One notice to the coordinator for the villagers without a phone they registered.

    Its dedupe key names the people, so a villager registered after the first notice brings a
    new one (with everyone), and a rerun of the hourly job adds nothing."""
    when = to_local(occurrence.start).strftime("%m月%d日 %H:%M")
    listed = "、".join(names)
    people = hashlib.sha1(listed.encode()).hexdigest()[:12]
    return bool(
        notify.notify(
            coordinator_id,
            f"代报名村民活动提醒：{occurrence.title}（{len(names)}人）",
            f"{when} 在 {occurrence.venue} 举行。您代报名的村民没有手机，请转告他们准时参加："
            f"{listed}。",
            occurrence_link(event_id, occurrence.original_start),
            dedupe_key=f"calendar:reminder:proxies:{coordinator_id}:{event_id}:{occurrence.key}:{people}",
            kind="reminder",
        )
    )
