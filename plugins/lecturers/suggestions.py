"""Ranked lecturer suggestions for one request, computed with a handful of aggregate queries.

Never suggested: a lecturer who declined this request, or one booked (accepted/scheduled) or
on a blackout day at every preferred time. Each suggestion carries the reasons of its score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from core import availability
from core.accounts import person_label
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import from_local, to_local
from plugins.lecturers.models import (
    Lecturer,
    LecturerVillage,
    Offer,
    Topic,
    format_label,
)
from plugins.lecturers.requests.models import (
    BOOKED_STATES,
    DONE_STATES,
    Decline,
    LectureRequest,
    RequestSlot,
)

LOAD_STATES = (*BOOKED_STATES, *DONE_STATES)


@dataclass
class Suggestion:
    lecturer_id: int
    name: str
    title: str
    unit_name: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    free_slots: list[RequestSlot] = field(default_factory=list)
    load: int = 0
    monthly_max: int = 0
    average_rating: float | None = None
    rating_count: int = 0
    label: str = ""  # name, village and phone tail: two of one name told apart


def month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The local calendar month around ``moment``, as UTC instants."""
    local = to_local(moment).replace(tzinfo=None)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return from_local(first), from_local(following)


def blocked_slots(
    request: LectureRequest,
    lecturer_ids: list[int] | None,
    owners: dict[int, int] | None = None,
) -> dict[int, set[int]]:
    """lecturer id → ids of the request's slots at which they are booked or on blackout.

    ``owners`` (lecturer id → user id) saves a query when the caller has it.
    """
    blocked: dict[int, set[int]] = defaultdict(set)
    slots = list(request.slots)
    if not slots:
        return blocked
    booked = select(
        LectureRequest.lecturer_id, LectureRequest.scheduled_start, LectureRequest.scheduled_end
    ).where(
        LectureRequest.state.in_(BOOKED_STATES),
        LectureRequest.id != request.id,
        or_(
            *[
                and_(
                    LectureRequest.scheduled_start < slot.end,
                    LectureRequest.scheduled_end > slot.start,
                )
                for slot in slots
            ]
        ),
    )
    if lecturer_ids is not None:
        booked = booked.where(LectureRequest.lecturer_id.in_(lecturer_ids))
    for lecturer_id, start, end in db.session.execute(booked):
        for slot in slots:
            if start < slot.end and end > slot.start:
                blocked[lecturer_id].add(slot.id)
    days = {slot.id: to_local(slot.start).date() for slot in slots}
    if owners is None:
        query = select(Lecturer.id, Lecturer.user_id)
        if lecturer_ids is not None:
            query = query.where(Lecturer.id.in_(lecturer_ids))
        owners = dict(db.session.execute(query).all())
    dark = availability.blackout_days(
        None if lecturer_ids is None else owners.values(),
        min(days.values()),
        max(days.values()),
    )
    for lecturer_id, user_id in owners.items():
        away = dark.get(user_id)
        if away:
            blocked[lecturer_id] |= {slot_id for slot_id, d in days.items() if d in away}
    return blocked


def free_slot_ids(request: LectureRequest, lecturer_id: int) -> set[int]:
    """The request's slots at which this lecturer is neither booked nor on blackout."""
    blocked = blocked_slots(request, [lecturer_id]).get(lecturer_id, set())
    return {slot.id for slot in request.slots} - blocked


def _candidates(request: LectureRequest, declined: set[int]):
    topic: Topic = request.topic
    exact = func.max(case((Offer.topic_id == topic.id, 1), else_=0)).label("exact")
    query = (
        select(
            Lecturer.id,
            User.display_name,
            Lecturer.title,
            Lecturer.formats,
            Lecturer.monthly_max,
            OrgUnit.name,
            exact,
            Lecturer.user_id,
        )
        .join(User, User.id == Lecturer.user_id)
        .join(Offer, Offer.lecturer_id == Lecturer.id)
        .join(Topic, Topic.id == Offer.topic_id)
        .outerjoin(OrgUnit, OrgUnit.id == Lecturer.org_unit_id)
        .where(
            Lecturer.status == "approved",
            Lecturer.active.is_(True),
            User.active.is_(True),
            Topic.domain_id == topic.domain_id,
        )
        .group_by(
            Lecturer.id,
            User.display_name,
            Lecturer.title,
            Lecturer.formats,
            Lecturer.monthly_max,
            OrgUnit.name,
            Lecturer.user_id,
        )
    )
    if declined:
        query = query.where(Lecturer.id.not_in(declined))
    return db.session.execute(query).all()


def _windows(local_slots, owners: dict[int, int]) -> dict[int, list[availability.Slot]]:
    """lecturer id → weekly slots on the weekdays of the preferred slots."""
    weekly = availability.weekly(None, {s.weekday() for _, s, _ in local_slots})
    return {lecturer_id: weekly[user] for lecturer_id, user in owners.items() if user in weekly}


def _aggregates(request: LectureRequest, first_start: datetime):
    """Load this month, average rating and served villages, each one grouped query."""
    month_start, month_end = month_bounds(first_start)
    loads = dict(
        db.session.execute(
            select(LectureRequest.lecturer_id, func.count(LectureRequest.id))
            .where(
                LectureRequest.state.in_(LOAD_STATES),
                LectureRequest.scheduled_start >= month_start,
                LectureRequest.scheduled_start < month_end,
                LectureRequest.lecturer_id.is_not(None),
            )
            .group_by(LectureRequest.lecturer_id)
        ).all()
    )
    from plugins.lecturers.attendees import ratings as rating_averages

    ratings = rating_averages()  # the coordinator's and the attendees' (群众评单)
    served = {
        lecturer_id: bool(here)
        for lecturer_id, here in db.session.execute(
            select(
                LecturerVillage.lecturer_id,
                func.max(case((LecturerVillage.org_unit_id == request.org_unit_id, 1), else_=0)),
            ).group_by(LecturerVillage.lecturer_id)
        )
    }
    return loads, ratings, served


def suggest(request: LectureRequest, limit: int = 20) -> list[Suggestion]:
    """The best ``limit`` lecturers for ``request``, best first, each with its reasons.

    Scores are plain arithmetic over a few grouped queries; reasons are written for the
    shown ones only.
    """
    slots = list(request.slots)
    if not slots:
        return []
    declined = set(
        db.session.scalars(select(Decline.lecturer_id).where(Decline.request_id == request.id))
    )
    rows = _candidates(request, declined)
    if not rows:
        return []
    owners = {row[0]: row[7] for row in rows}
    blocked = blocked_slots(request, None, owners)
    loads, ratings, served = _aggregates(request, slots[0].start)
    local_slots = [(slot, to_local(slot.start), to_local(slot.end)) for slot in slots]
    windows = _windows(local_slots, owners)
    # Plain tuples: the loop below runs once per candidate and must not touch ORM attributes.
    plain = [(slot.id, s.weekday(), s.time(), e.time()) for slot, s, e in local_slots]
    wanted_format, slot_count = request.format, len(slots)
    scored = []
    for row in rows:
        lecturer_id, _name, _title, formats, monthly_max, _unit, exact, _user = row
        taken = blocked.get(lecturer_id, ())
        free = [slot_id for slot_id, *_ in plain if slot_id not in taken]
        if not free:
            continue  # booked or away at every preferred time: never suggested
        own = windows.get(lecturer_id, ())
        fitting = sum(
            1
            for slot_id, day, begins, ends in plain
            if slot_id not in taken
            and any(w == day and ws <= begins and we >= ends for w, ws, we in own)
        )
        load, most = loads.get(lecturer_id, 0), monthly_max or 0
        rating = ratings.get(lecturer_id)
        here = served.get(lecturer_id)
        score = (40 if exact else 15) + (15 if wanted_format in (formats or "").split(",") else 0)
        score += -30 if most and load >= most else 10 * (1 - load / max(most, 1))
        score += 5 if here is None else (10 if here else -10)
        score += (rating[0] - 3) * 5 if rating else 0
        score += 20 * fitting / slot_count
        scored.append((round(score, 1), row, free, fitting, load, rating, here))
    scored.sort(key=lambda item: (-item[0], item[1][1]))
    by_id = {slot.id: slot for slot in slots}
    shown = scored[:limit]
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User)
            .where(User.id.in_({item[1][7] for item in shown}))
            .options(selectinload(User.home_unit))
        )
    }
    found = []
    for score, row, free, *rest in shown:
        item = _explain(request, score, row, [by_id[i] for i in free], *rest, slot_count)
        item.label = person_label(users[row[7]])
        found.append(item)
    return found


def _explain(request, score, row, free, fitting, load, rating, here, slot_count) -> Suggestion:
    lecturer_id, name, title, formats, monthly_max, unit_name, exact, _user = row
    item = Suggestion(lecturer_id, name, title or "", unit_name or "", score, free_slots=free)
    item.load, item.monthly_max = load, monthly_max or 0
    reasons = item.reasons
    if exact:
        reasons.append(f"开设「{request.topic.name}」专题")
    else:
        reasons.append(f"开设同领域（{request.topic.domain.name}）专题")
    if request.format in (formats or "").split(","):
        reasons.append(f"能办{format_label(request.format)}")
    full = item.monthly_max and load >= item.monthly_max
    reasons.append(f"本月已排 {load}/{item.monthly_max} 场" + ("（已满）" if full else ""))
    reasons.append(
        "服务全镇各村" if here is None else ("服务本村" if here else "未把本村列为服务村")
    )
    if rating:
        item.average_rating, item.rating_count = rating
        reasons.append(f"平均评分 {rating[0]:.1f}（{rating[1]} 次）")
    else:
        reasons.append("暂无评价")
    reasons.append(
        f"{len(free)}/{slot_count} 个备选时间有空"
        + (f"，其中 {fitting} 个在常规可讲时段" if fitting else "")
    )
    return item
