"""Registration (with capacity and a waiting list) for occurrences; attendance is in
``attendance.py``.

Capacity holds under concurrent requests: every change of an occurrence's seats first locks its
``calendar_occurrence_lock`` row (SELECT ... FOR UPDATE on PostgreSQL), then counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core import notify
from core.extensions import db
from core.models import User
from core.statemachine import SYSTEM, Table, TransitionRefused, step
from core.timeutil import utcnow
from plugins.calendar import recurrence, services
from plugins.calendar.models import (
    CalendarEvent,
    CalendarOccurrenceLock,
    CalendarRegistration,
)
from plugins.calendar.recurrence import Occurrence


class RegistrationError(TransitionRefused):
    """Why a registration or check-in was refused, in Chinese, for the page (409)."""


#: Who a registration's actor is: the person registered, or the coordinator who registered
#: them (代报名); promotions from the waiting list are the site's own (``SYSTEM``).
PERSON, REGISTRAR = "person", "registrar"
#: A registration row being made (never stored in this state: ``apply`` moves it on).
NEW = "new"


def _kinds(user, row: CalendarRegistration) -> set[str]:
    kinds = set()
    if row.user_id is not None and row.user_id == user.id:
        kinds.add(PERSON)
    if row.registered_by_id is not None and row.registered_by_id == user.id:
        kinds.add(REGISTRAR)
    return kinds


def _stamp(row: CalendarRegistration, actor, **data) -> None:
    row.updated_at = utcnow()


def _stamp_new(row: CalendarRegistration, actor, **data) -> None:
    row.created_at = row.updated_at = utcnow()


_SIGN_UP = frozenset({PERSON, REGISTRAR})

#: The registration's states. Seats are counted (under the occurrence's lock) by ``register``,
#: which then takes ``register`` or ``wait``; ``cancel`` frees a seat for ``promote``.
TABLE = Table(
    audit_prefix="calendar",
    noun="报名",
    states={NEW: "未报名", "confirmed": "正式报名", "waiting": "候补", "cancelled": "已取消"},
    actions={
        "register": "报名",
        "wait": "报名候补",
        "cancel": "取消报名",
        "promote": "从候补转为正式报名",
    },
    transitions={
        (NEW, "register"): step("confirmed", _SIGN_UP, audit=False),
        (NEW, "wait"): step("waiting", _SIGN_UP, audit=False),
        ("cancelled", "register"): step("confirmed", _SIGN_UP, audit=False),
        ("cancelled", "wait"): step("waiting", _SIGN_UP, audit=False),
        ("confirmed", "cancel"): step("cancelled", {PERSON}, audit=False),
        ("waiting", "cancel"): step("cancelled", {PERSON}, audit=False),
        ("waiting", "promote"): step("confirmed", {SYSTEM}, audit=False),
    },
    actor_kinds=_kinds,
    subject=lambda row: f"报名 #{row.id}",
    effects={"register": _stamp_new, "wait": _stamp_new, "cancel": _stamp, "promote": _stamp},
    state_attr="status",
)


def _apply(row: CalendarRegistration, action: str, actor) -> None:
    try:
        TABLE.apply(row, action, actor)
    except RegistrationError:
        raise
    except TransitionRefused as refusal:
        raise RegistrationError(refusal.message, refusal.status) from refusal


def lock_occurrence(event_id: int, original_start: datetime) -> CalendarOccurrenceLock:
    """The occurrence's lock row, created if missing, locked for this transaction."""

    def locked():
        return db.session.scalar(
            select(CalendarOccurrenceLock)
            .where(
                CalendarOccurrenceLock.event_id == event_id,
                CalendarOccurrenceLock.original_start == original_start,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    row = locked()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    CalendarOccurrenceLock(event_id=event_id, original_start=original_start)
                )
        except IntegrityError:  # another request made it first; its row is locked below
            pass
        row = locked()
    return row


def confirmed_count(event_id: int, original_start: datetime) -> int:
    return db.session.scalar(
        select(func.count(CalendarRegistration.id)).where(
            CalendarRegistration.event_id == event_id,
            CalendarRegistration.original_start == original_start,
            CalendarRegistration.status == "confirmed",
        )
    )


def _check_open(event: CalendarEvent, occurrence: Occurrence) -> None:
    if occurrence.cancelled:
        raise RegistrationError("这次活动已取消，不能报名。")
    if not event.registration_open:
        raise RegistrationError("这个活动不需要报名或已停止报名。")
    if occurrence.end < utcnow():
        raise RegistrationError("这次活动已经结束，不能报名。")


def register(
    event: CalendarEvent,
    occurrence: Occurrence,
    user_id: int | None,
    *,
    proxy_name: str | None = None,
    proxy_phone: str | None = None,
    registered_by_id: int | None = None,
) -> CalendarRegistration:
    """Register a person (or a proxy villager); confirmed while seats last, else waiting.

    Raises RegistrationError. Caller commits (the lock is held until then).
    """
    _check_open(event, occurrence)
    actor_id = registered_by_id or user_id  # the coordinator for a 代报名, else the person
    actor = db.session.get(User, actor_id) if actor_id else None
    lock = lock_occurrence(event.id, occurrence.original_start)
    taken = confirmed_count(event.id, occurrence.original_start)  # before adding this one
    registration = None
    if user_id is not None:
        registration = db.session.scalar(
            select(CalendarRegistration).where(
                CalendarRegistration.event_id == event.id,
                CalendarRegistration.original_start == occurrence.original_start,
                CalendarRegistration.user_id == user_id,
            )
        )
        if registration is not None and registration.status != "cancelled":
            raise RegistrationError("您已经报过名了。")
    if registration is None:
        registration = CalendarRegistration(
            event_id=event.id,
            original_start=occurrence.original_start,
            user_id=user_id,
            status=NEW,
        )
        db.session.add(registration)
    registration.proxy_name, registration.proxy_phone = proxy_name, proxy_phone
    registration.registered_by_id = registered_by_id
    full = event.capacity is not None and taken >= event.capacity
    _apply(registration, "wait" if full else "register", actor)
    lock.confirmed = taken + (0 if full else 1)
    db.session.flush()
    return registration


def cancel(registration: CalendarRegistration, occurrence_title: str, user) -> list[int]:
    """``user`` cancels their registration; waiting people move into the freed seats and are
    told. Returns the ids of promoted registrations. Caller commits."""
    event = registration.event
    lock = lock_occurrence(event.id, registration.original_start)
    db.session.refresh(registration)
    if registration.status == "cancelled":
        return []
    _apply(registration, "cancel", user)
    db.session.flush()
    promoted = []
    taken = confirmed_count(event.id, registration.original_start)
    while event.capacity is None or taken < event.capacity:
        waiting = db.session.scalar(
            select(CalendarRegistration)
            .where(
                CalendarRegistration.event_id == event.id,
                CalendarRegistration.original_start == registration.original_start,
                CalendarRegistration.status == "waiting",
            )
            .order_by(CalendarRegistration.created_at, CalendarRegistration.id)
        )
        if waiting is None:
            break
        _apply(waiting, "promote", None)
        taken += 1
        promoted.append(waiting.id)
        _tell_promoted(waiting, occurrence_title)
    lock.confirmed = taken
    db.session.flush()
    return promoted


def _tell_promoted(row: CalendarRegistration, occurrence_title: str) -> None:
    key = f"calendar:promoted:{row.id}:{row.updated_at.timestamp():.0f}"
    link = occurrence_link(row.event_id, row.original_start)
    if row.user_id:
        notify.notify(
            row.user_id,
            f"您已从候补转为正式报名：{occurrence_title}",
            "有人取消了报名，您已获得名额，请按时参加。",
            link,
            dedupe_key=key,
            kind="promotion",
        )
    elif row.registered_by_id:  # 代报名: SMS to the villager, the rest to the coordinator
        notify.notify(
            row.registered_by_id,
            f"{row.proxy_name}（代报名）已从候补转为正式报名：{occurrence_title}",
            "有人取消了报名，您代报名的村民已获得名额，请转告其按时参加。",
            link,
            dedupe_key=key,
            kind="promotion",
            sms_to=row.proxy_phone,
        )


def occurrence_link(event_id: int, original_start: datetime) -> tuple[str, dict]:
    """The occurrence page as a notice link (resolved with ``url_for`` at delivery)."""
    return ("calendar.occurrence", {"event_id": event_id, "key": recurrence.key_of(original_start)})


def user_registration(event_id: int, original_start: datetime, user_id: int):
    return db.session.scalar(
        select(CalendarRegistration).where(
            CalendarRegistration.event_id == event_id,
            CalendarRegistration.original_start == original_start,
            CalendarRegistration.user_id == user_id,
            CalendarRegistration.status != "cancelled",
        )
    )


def occurrence_registrations(event_id: int, original_start: datetime) -> list[CalendarRegistration]:
    """Registrations of one occurrence that stand: confirmed first, then waiting, by time."""
    return list(
        db.session.scalars(
            select(CalendarRegistration)
            .where(
                CalendarRegistration.event_id == event_id,
                CalendarRegistration.original_start == original_start,
                CalendarRegistration.status != "cancelled",
            )
            .order_by(CalendarRegistration.status, CalendarRegistration.created_at)
        )
    )


def upcoming_for(user_id: int, since: datetime, limit: int | None = None) -> list[tuple]:
    """(occurrence with its page URL, registration) of a person's registrations from ``since``,
    soonest first: the dashboard panel and the "my events" page show the same list."""
    query = (
        select(CalendarRegistration)
        .where(
            CalendarRegistration.user_id == user_id,
            CalendarRegistration.status != "cancelled",
            CalendarRegistration.original_start >= since,
        )
        .order_by(CalendarRegistration.original_start, CalendarRegistration.id)
        # One query for all the events (with their overrides and pauses), not one per row.
        .options(selectinload(CalendarRegistration.event))
    )
    if limit:
        query = query.limit(limit)
    items = []
    for row in db.session.scalars(query):
        occurrence = recurrence.find_occurrence(row.event, row.original_start)
        if occurrence is not None:
            items.append(
                (services.replace(occurrence, url=services.occurrence_url(occurrence)), row)
            )
    return items
