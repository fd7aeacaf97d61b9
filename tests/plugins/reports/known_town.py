"""A small town with known past, future and cancelled activity in every plugin, built through
the plugins' models and services (no demo data), and the figures worked out by hand.

The clock is fixed at ``NOW`` (2025-06-15 10:00 in Shanghai) by ``freeze``. Every fact below says
whether it counts; ``EXPECTED`` holds the sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core import timeutil
from core.extensions import db as _db
from core.timeutil import local_zone

NOW = datetime(2025, 6, 15, 10, 0, tzinfo=local_zone()).astimezone(UTC)
YEAR = 2025


def local(month: int, day: int, hour: int = 19, minute: int = 0) -> datetime:
    return datetime(YEAR, month, day, hour, minute, tzinfo=local_zone())


def freeze(monkeypatch) -> None:
    """Every figure, period default and "today" reads the clock through ``core.timeutil``.

    ``local_today`` reads the wall clock, not ``utcnow``, so it is fixed as well, also where
    core's ``PeriodForm`` imported it by name."""
    from core.forms import fields

    def today():
        return NOW.astimezone(local_zone()).date()

    monkeypatch.setattr(timeutil, "utcnow", lambda: NOW)
    monkeypatch.setattr(timeutil, "local_today", today)
    monkeypatch.setattr(fields, "local_today", today)


#: The eight figures in report order, with the column heading the report pages print.
HEADINGS = {
    "calendar.events_held": "举办活动（场）",
    "calendar.participant_times": "参与人次（人次）",
    "lecturers.lectures_delivered": "送讲场次（场）",
    "lecturers.audience": "听讲人次（人次）",
    "volunteers.hours": "志愿服务时长（小时）",
    "volunteers.mediation_sessions": "人民调解场次（场）",
    "competitions.participants": "竞赛参与人次（人次）",
    "credits.earned": "学分（分）",
}

#: Worked out by hand from ``build`` for the year 2025 up to NOW (the same for any period
#: that starts by 2025-03-01 and ends after NOW).
EXPECTED = {
    "甲村": {
        # A1 03-10 and the series' 06-02 meeting; 06-09 cancelled, 06-16 and 06-23 to come
        "calendar.events_held": 2,
        # A1: two residents and a walk-in; 06-02: two (06-09 cancelled, 06-16 early QR: no)
        "calendar.participant_times": 5,
        "lecturers.lectures_delivered": 1,  # 04-10 delivered (05-01 cancelled)
        "lecturers.audience": 40,
        "volunteers.hours": 3,  # 04-05 confirmed (05-01 not confirmed)
        "volunteers.mediation_sessions": 1,  # 05-10 with outcome (05-12 none recorded)
        "competitions.participants": 1,  # handed in 05-20 (an attempt left open does not)
        "credits.earned": 6,  # 2+2+2; the reversed 2 and the 06-16 credit do not count
    },
    "乙村": {
        # B1 05-20; B2 cancelled, B3 still running at NOW
        "calendar.events_held": 1,
        "calendar.participant_times": 1,
        "lecturers.lectures_delivered": 1,  # 05-05 rated (07-10 only scheduled)
        "lecturers.audience": 25,
        "volunteers.hours": 2,  # 05-02 (the cancelled shift's 1.5 does not count)
        "volunteers.mediation_sessions": 0,  # 07-01 is to come
        "competitions.participants": 0,
        "credits.earned": 8,  # 2 for B1 and 6 for two hours' service
    },
}
#: The quarter (Q2 2025 up to NOW) on the progress page.
EXPECTED_QUARTER = {
    "甲村": {
        "calendar.events_held": 1,
        "lecturers.lectures_delivered": 1,
        "volunteers.mediation_sessions": 1,
    },
    "乙村": {
        "calendar.events_held": 1,
        "lecturers.lectures_delivered": 1,
        "volunteers.mediation_sessions": 0,
    },
}
#: Month by month (unit detail), only the months with anything; the others are all 0.
EXPECTED_MONTHS = {
    "甲村": {
        "2025年3月": {
            "calendar.events_held": 1,
            "calendar.participant_times": 3,
            "credits.earned": 4,
        },
        "2025年4月": {
            "lecturers.lectures_delivered": 1,
            "lecturers.audience": 40,
            "volunteers.hours": 3,
        },
        "2025年5月": {"volunteers.mediation_sessions": 1, "competitions.participants": 1},
        "2025年6月": {
            "calendar.events_held": 1,
            "calendar.participant_times": 2,
            "credits.earned": 2,
        },
    },
    "乙村": {
        "2025年5月": {
            "calendar.events_held": 1,
            "calendar.participant_times": 1,
            "lecturers.lectures_delivered": 1,
            "lecturers.audience": 25,
            "volunteers.hours": 2,
            "credits.earned": 8,
        },
    },
}


@dataclass
class Built:
    village_ids: dict[str, int]


def _event(services, unit_id: int, title: str, start: datetime, minutes: int, **series) -> int:
    category = {c.name: c.id for c in services.ensure_categories()}["干部夜校"]
    data = {
        "title": title,
        "description": "",
        "markdown": False,
        "category_id": category,
        "org_unit_id": unit_id,
        "venue": "学习中心",
        "all_day": False,
        "start_at": start.astimezone(UTC),
        "end_at": (start + timedelta(minutes=minutes)).astimezone(UTC),
        "freq": "none",
        "interval": 1,
        "weekdays": "",
        "count": None,
        "until": None,
        "capacity": None,
        "registration_open": True,
        "members_only": False,
        **series,
    }
    return services.save_event(None, data, None).id


def _attend(event_id: int, start: datetime, user_id=None, walk_in=None) -> None:
    from plugins.calendar.models import CalendarAttendance

    _db.session.add(
        CalendarAttendance(
            event_id=event_id,
            original_start=start.astimezone(UTC),
            user_id=user_id,
            walk_in_name=walk_in,
            method="rollcall" if user_id else "walk_in",
            created_at=start.astimezone(UTC),
        )
    )


def _calendar(town, people) -> None:
    from plugins.calendar import services
    from plugins.calendar.models import CalendarEvent, CalendarOccurrenceOverride

    a, b = town.village_a_id, town.village_b_id
    a1 = _event(services, a, "干部夜校", local(3, 10), 120)
    for user_id in (people["a1"], people["a2"]):
        _attend(a1, local(3, 10), user_id)
    _attend(a1, local(3, 10), walk_in="路人甲")
    series = _event(services, a, "周一夜校", local(6, 2), 90, freq="weekly", weekdays="0", count=4)
    _db.session.add(
        CalendarOccurrenceOverride(
            event_id=series, original_start=local(6, 9).astimezone(UTC), cancelled=True
        )
    )
    _attend(series, local(6, 2), people["a1"])
    _attend(series, local(6, 2), people["a2"])
    _attend(series, local(6, 9), people["a1"])  # on the cancelled meeting
    _attend(series, local(6, 16), people["a2"])  # a QR check-in the day before: in the future
    b1 = _event(services, b, "健康讲座", local(5, 20, 9), 120)
    _attend(b1, local(5, 20, 9), people["b1"])
    b2 = _event(services, b, "取消的活动", local(4, 8, 9), 120)
    _db.session.get(CalendarEvent, b2).status = "cancelled"
    _attend(b2, local(4, 8, 9), people["b1"])
    b3 = _event(services, b, "还在进行", local(6, 15, 9), 120)  # 09:00-11:00, NOW is 10:00
    _attend(b3, local(6, 15, 9), people["b1"])
    _event(services, town.school_id, "家长学校", local(4, 1, 15), 60)  # held: the town has 4


def _lectures(town, people) -> None:
    from plugins.lecturers.menu import seed_menu, topic_by_name
    from plugins.lecturers.models import Lecturer, Offer
    from plugins.lecturers.requests.models import LectureRequest

    seed_menu()
    topic = topic_by_name("保健护理").id
    lecturer = Lecturer(
        user_id=people["lecturer"],
        org_unit_id=town.school_id,
        formats="briefing",
        status="approved",
        offers=[Offer(topic_id=topic)],
    )
    _db.session.add(lecturer)
    _db.session.flush()
    for unit_id, state, start, audience in (
        (town.village_a_id, "delivered", local(4, 10, 14), 40),
        (town.village_a_id, "cancelled", local(5, 1, 14), None),
        (town.village_b_id, "rated", local(5, 5, 14), 25),
        (town.village_b_id, "scheduled", local(7, 10, 14), None),
    ):
        _db.session.add(
            LectureRequest(
                org_unit_id=unit_id,
                topic_id=topic,
                format="briefing",
                audience_size=50,
                state=state,
                lecturer_id=lecturer.id,
                scheduled_start=start.astimezone(UTC),
                scheduled_end=(start + timedelta(minutes=90)).astimezone(UTC),
                attendance=audience,
                requested_by_id=people["a1"],
                idempotency_key=f"known-{unit_id}-{state}",
            )
        )


def _volunteers(town, people) -> None:
    from plugins.volunteers.mediation.models import MediationCase
    from plugins.volunteers.models import Assignment, Shift, ShiftRole

    for unit_id, start, hours, confirmed, cancelled in (
        (town.village_a_id, local(4, 5, 9), 3, True, False),
        (town.village_a_id, local(5, 1, 9), 2, False, False),
        (town.village_b_id, local(5, 2, 8), 2, True, False),
        (town.village_b_id, local(3, 3, 8), 1.5, True, True),
    ):
        shift = Shift(
            title="志愿服务",
            org_unit_id=unit_id,
            starts_at=start.astimezone(UTC),
            ends_at=(start + timedelta(hours=hours)).astimezone(UTC),
            cancelled=cancelled,
        )
        role = ShiftRole(name="引导", needed=2)
        role.assignments.append(
            Assignment(
                user_id=people["volunteer"],
                status="confirmed",
                hours=hours,
                hours_confirmed_at=shift.ends_at if confirmed else None,
            )
        )
        shift.roles.append(role)
        _db.session.add(shift)
    for unit_id, state, start, outcome in (
        (town.village_a_id, "concluded", local(5, 10, 9), "resolved"),
        (town.village_a_id, "scheduled", local(5, 12, 9), None),
        (town.village_b_id, "scheduled", local(7, 1, 9), None),
    ):
        _db.session.add(
            MediationCase(
                requester_id=people["a1"],
                org_unit_id=unit_id,
                dispute_type="neighbour",
                parties_count=2,
                state=state,
                starts_at=start.astimezone(UTC),
                ends_at=(start + timedelta(hours=1)).astimezone(UTC),
                outcome=outcome,
            )
        )


def _contests(town, people) -> None:
    from plugins.competitions.models import Attempt, Contest

    contest = Contest(
        title="法律知识竞赛",
        org_unit_id=town.town_id,
        opens_at=local(5, 1, 0).astimezone(UTC),
        closes_at=local(6, 30, 0).astimezone(UTC),
        state="published",
    )
    _db.session.add(contest)
    _db.session.flush()
    handed_in = local(5, 20, 20).astimezone(UTC)
    _db.session.add_all(
        [
            Attempt(
                contest_id=contest.id,
                user_id=people["a1"],
                home_unit_id=town.village_a_id,
                is_open=None,
                deadline=handed_in,
                finished_at=handed_in,
                answered=5,
                participated=True,
            ),
            Attempt(  # handed in blank: not a participation
                contest_id=contest.id,
                user_id=people["a2"],
                home_unit_id=town.village_a_id,
                is_open=None,
                deadline=handed_in,
                finished_at=handed_in,
                answered=0,
                participated=False,
            ),
            Attempt(  # still open: not a participation yet
                contest_id=contest.id,
                user_id=people["b1"],
                home_unit_id=town.village_b_id,
                deadline=handed_in,
            ),
        ]
    )


def _credits(people) -> None:
    from plugins.credits import services
    from plugins.credits.services import Source

    def attended(number, user_id, when):
        return services.credit(
            user_id, "attendance", Source("calendar", "attendance", number), "参加活动", when
        )

    attended(1, people["a1"], local(3, 10).astimezone(UTC))
    attended(2, people["a2"], local(3, 10).astimezone(UTC))
    attended(3, people["a1"], local(6, 2).astimezone(UTC))
    attended(4, people["a2"], local(6, 2).astimezone(UTC))
    services.reverse(Source("calendar", "attendance", 4), people["a2"], "签到撤销")
    attended(5, people["a2"], local(6, 16).astimezone(UTC))  # dated in the future
    attended(6, people["b1"], local(5, 20, 9).astimezone(UTC))
    services.credit(
        people["volunteer"],
        "volunteer_hours",
        Source("volunteers", "hours", 1),
        "志愿服务 2 小时",
        local(5, 2, 10).astimezone(UTC),
        quantity=2,
    )


def build(app, town, make_user) -> Built:
    """Make every fact above; return the villages' ids by name."""
    people = {
        "a1": make_user(home_unit_id=town.village_a_id, name="甲一"),
        "a2": make_user(home_unit_id=town.village_a_id, name="甲二"),
        "b1": make_user(home_unit_id=town.village_b_id, name="乙一"),
        "volunteer": make_user(home_unit_id=town.village_b_id, name="乙志愿者"),
        "lecturer": make_user("lecturer", town.town_id, name="讲师"),
    }
    with app.test_request_context():
        _calendar(town, people)
        _lectures(town, people)
        _volunteers(town, people)
        _contests(town, people)
        _db.session.commit()
        _credits(people)
        from core.models import OrgUnit

        names = dict(
            _db.session.execute(
                select(OrgUnit.name, OrgUnit.id).where(
                    OrgUnit.id.in_([town.village_a_id, town.village_b_id])
                )
            ).all()
        )
    return Built(village_ids=names)
