"""代报名 — registering a villager without a smartphone, by name and village (phone optional).

The same person is never registered twice for one occurrence: a phone number names one person
(their account, if they have one, or an earlier 代报名 with that number). Without a phone, the
same name in the same village is only *likely* the same person, so staff are warned and must
say it is someone else before the registration is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.models import OrgUnit, User
from plugins.calendar.models import CalendarEvent, CalendarRegistration
from plugins.calendar.recurrence import Occurrence
from plugins.calendar.registration import RegistrationError, occurrence_registrations, register


@dataclass
class ProxyCheck:
    """What is known about the person before registering them."""

    account: User | None = None  # the person's own account (found by phone)
    warnings: list[str] = field(default_factory=list)  # likely duplicates: need a confirmation


def person_label(name: str, village: str, phone: str | None) -> str:
    """How staff tell two people of one name apart, e.g. 张三（甲村，尾号 1234）."""
    parts = [village] if village else []
    if phone:
        parts.append(_("尾号 %(digits)s", digits=phone[-4:]))
    return f"{name}（{'，'.join(parts)}）" if parts else name


def check(
    event: CalendarEvent, occurrence: Occurrence, name: str, unit_id: int, phone: str | None
) -> ProxyCheck:
    """Refuse (RegistrationError) the same person twice; list likely duplicates as warnings."""
    registrations = occurrence_registrations(event.id, occurrence.original_start)
    result = ProxyCheck()
    if phone:
        result.account = db.session.scalar(select(User).where(User.phone == phone))
        for reg in registrations:
            same_account = result.account is not None and reg.user_id == result.account.id
            if same_account or (reg.user_id is None and reg.proxy_phone == phone):
                raise RegistrationError(
                    _(
                        "%(person)s已经报名了这次活动，不能重复报名。",
                        person=person_label(reg.person_name, reg.village_name, phone),
                    )
                )
        if result.account is not None:
            return result  # the phone says who it is: their own account is registered
    for reg in registrations:
        if reg.person_name == name and _unit_of(reg) == unit_id:
            phone_of = reg.user.phone if reg.user else reg.proxy_phone
            result.warnings.append(
                _(
                    "已报名的人里有 %(person)s，可能是同一个人。",
                    person=person_label(reg.person_name, reg.village_name, phone_of),
                )
            )
    accounts = db.session.scalars(
        select(User).where(User.display_name == name, User.home_unit_id == unit_id)
    ).all()
    registered = {reg.user_id for reg in registrations}
    for account in accounts:
        if account.id not in registered:
            result.warnings.append(
                _(
                    "村里已有账号 %(person)s：如果是同一个人，请填写他的手机号，报名会记在他的账号上。",
                    person=person_label(account.display_name, _unit_name(unit_id), account.phone),
                )
            )
    return result


def register_proxy(
    event: CalendarEvent,
    occurrence: Occurrence,
    name: str,
    unit_id: int,
    phone: str | None,
    registered_by_id: int,
    *,
    not_a_duplicate: bool = False,
) -> tuple[CalendarRegistration | None, ProxyCheck]:
    """Register unless a likely duplicate needs confirming (then the registration is None)."""
    found = check(event, occurrence, name, unit_id, phone)
    if found.warnings and not not_a_duplicate:
        return None, found
    if found.account is not None:
        row = register(event, occurrence, found.account.id, registered_by_id=registered_by_id)
    else:
        row = register(
            event,
            occurrence,
            None,
            proxy_name=name,
            proxy_phone=phone,
            registered_by_id=registered_by_id,
        )
        row.proxy_unit_id = unit_id
    db.session.flush()
    return row, found


def _unit_of(reg: CalendarRegistration) -> int | None:
    return reg.user.home_unit_id if reg.user else reg.proxy_unit_id


def _unit_name(unit_id: int) -> str:
    unit = db.session.get(OrgUnit, unit_id)
    return unit.name if unit else ""
