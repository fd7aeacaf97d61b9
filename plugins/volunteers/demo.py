"""Demo data: teams and volunteers across the demo villages, shifts, past hours, mediation.

Idempotent: people are found by phone, shifts and cases by title or description.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from core import accounts, availability
from core.demo import DEMO_PASSWORD, VILLAGES, demo_user, demo_village
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import from_local, local_today, utcnow
from plugins.volunteers import profiles
from plugins.volunteers.mediation.models import CaseMediator, MediationCase
from plugins.volunteers.models import (
    Assignment,
    Shift,
    ShiftRole,
    Skill,
    Team,
)

TEAMS = [
    ("社区教育志愿队", "协助学习中心开课、签到和宣传"),
    ("善行志愿队", "助老助残、邻里互助"),
    ("退休教师志愿队", "课后辅导、家长课堂"),
    ("青年团员志愿队", "文体活动、信息技术帮扶"),
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "晓东", "丽华", "国平", "春梅", "海燕"]
SKILL_SETS = [
    ("teaching",),
    ("publicity", "it"),
    ("elderly", "health"),
    ("law", "mediation"),
    ("arts", "sports"),
    ("teaching", "elderly"),
    ("it",),
    ("mediation",),
    ("other", "arts"),
]
#: (title, village, days from next Monday, start hour, hours, [(role, needed, skills)])
SHIFTS = [
    ("学习中心开课签到", "渭溪村", 0, 9, 3, [("签到引导", 2, ()), ("摄影宣传", 1, ("publicity",))]),
    ("老年人智能手机课助教", "双槐社区", 1, 14, 2, [("助教", 3, ("it",))]),
    ("院坝会法治宣讲协助", "黄土村", 2, 19, 2, [("秩序维护", 2, ()), ("法律咨询", 1, ("law",))]),
    ("重阳敬老探访", "三觉村", 3, 9, 4, [("探访助老", 4, ("elderly",))]),
    ("文艺巡演后勤", "马寨村", 4, 18, 3, [("舞台后勤", 3, ()), ("拍照记录", 1, ("publicity",))]),
    ("课后作业辅导", "金鸡村", 5, 15, 2, [("辅导老师", 2, ("teaching",))]),
    ("健康义诊引导", "石堰社区", 8, 8, 4, [("引导", 2, ()), ("量血压", 2, ("health",))]),
    ("青少年篮球赛裁判", "文星村", 12, 14, 3, [("裁判", 2, ("sports",))]),
]


def _next_monday() -> datetime:
    today = local_today()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), time())


def _volunteers(town: OrgUnit) -> list[User]:
    skills = {s.code: s for s in db.session.scalars(select(Skill))}
    teams = list(db.session.scalars(select(Team).order_by(Team.id)))
    people = []
    for n in range(1, 28):
        phone = f"1360000{n:04d}"
        village = demo_village(town, VILLAGES[n % len(VILLAGES)][0])
        user = accounts.find_by_phone(phone)
        if user is None:
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
            user = accounts.create_user(phone, DEMO_PASSWORD, name, village)
        people.append(user)
    star = demo_user("volunteer")
    if star is not None:
        people.insert(0, star)
    for n, user in enumerate(people):
        if profiles.profile_of(user.id):
            continue
        chosen = SKILL_SETS[n % len(SKILL_SETS)] if n else ("teaching", "publicity", "other")
        nearby = demo_village(town, VILLAGES[(n + 1) % len(VILLAGES)][0])
        profiles.save_profile(
            user,
            {
                "home_unit_id": user.home_unit_id,
                "monthly_max_shifts": 4 + n % 3,
                "note": "",
                "skills": [skills[c].id for c in chosen],
                "teams": [teams[n % len(teams)].id],
                "villages": [nearby.id],
            },
        )
        for weekday in range(7):
            if (weekday + n) % 3 != 2:
                availability.add_slot(user.id, weekday, time(8), time(21))
    db.session.flush()
    return people


def _shifts(town: OrgUnit, people: list[User]) -> None:
    manager = demo_user("programme_manager")
    skills = {s.code: s for s in db.session.scalars(select(Skill))}
    monday = _next_monday()
    for title, village, day, hour, length, roles in SHIFTS:
        if db.session.scalar(select(Shift.id).where(Shift.title == title)):
            continue
        start = from_local(monday + timedelta(days=day, hours=hour))
        shift = Shift(
            title=title,
            org_unit_id=demo_village(town, village).id,
            venue=f"{village}社区教育学习中心",
            starts_at=start,
            ends_at=start + timedelta(hours=length),
            withdraw_deadline=start - timedelta(days=1),
            created_by_id=manager.id if manager else None,
        )
        for name, needed, codes in roles:
            role = ShiftRole(name=name, needed=needed)
            role.skills = [skills[c] for c in codes]
            shift.roles.append(role)
        db.session.add(shift)
    db.session.flush()
    first = db.session.scalar(select(Shift).where(Shift.title == SHIFTS[0][0]))
    star = people[0]
    if first and not db.session.scalar(select(Assignment.id).where(Assignment.user_id == star.id)):
        db.session.add(Assignment(role_id=first.roles[0].id, user_id=star.id, status="confirmed"))
        second = db.session.scalar(select(Shift).where(Shift.title == SHIFTS[4][0]))
        db.session.add(Assignment(role_id=second.roles[1].id, user_id=star.id, status="confirmed"))
        _past_hours(town, people)


def _past_hours(town: OrgUnit, people: list[User]) -> None:
    """Four finished shifts last month with hours confirmed (and one no-show)."""
    now = utcnow()
    for k in range(4):
        village = demo_village(town, VILLAGES[k][0])
        start = from_local(_next_monday() - timedelta(days=35 - k * 6, hours=-9))
        shift = Shift(
            title=f"往期志愿服务{k + 1}：学习中心值守",
            org_unit_id=village.id,
            venue=f"{village.name}社区教育学习中心",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
        )
        role = ShiftRole(name="值守", needed=4)
        shift.roles.append(role)
        db.session.add(shift)
        db.session.flush()
        for i, user in enumerate(people[k : k + 4]):
            missed = k == 2 and i == 3
            db.session.add(
                Assignment(
                    role_id=role.id,
                    user_id=user.id,
                    status="confirmed",
                    checked_in_at=None if missed else start,
                    checked_out_at=None if missed else start + timedelta(hours=3),
                    hours=None if missed else 3.0,
                    hours_confirmed_at=None if missed else now,
                    no_show=missed,
                )
            )


def _mediation(town: OrgUnit) -> None:
    requester, mediator = demo_user("resident"), demo_user("mediator")
    if requester is None or db.session.scalar(
        select(MediationCase.id).where(MediationCase.requester_id == requester.id)
    ):
        return
    village = demo_village(town, "渭溪村")
    monday = _next_monday()
    past = from_local(monday - timedelta(days=10, hours=-15))
    cases = [
        ("neighbour", "两户因排水沟堵塞发生争执，希望村里出面调解。", past, "concluded"),
        (
            "land",
            "宅基地边界有争议，双方各执一词。",
            from_local(monday + timedelta(days=2, hours=10)),
            "scheduled",
        ),
        ("family", "赡养老人费用分摊问题。", None, "requested"),
    ]
    for kind, text, start, state in cases:
        case = MediationCase(
            requester_id=requester.id,
            org_unit_id=village.id,
            dispute_type=kind,
            parties_count=2,
            parties="当事人甲\n当事人乙",
            preferred_times="周末上午",
            description=text,
            state=state,
            venue="渭溪村调解室" if start else "",
            starts_at=start,
            ends_at=start + timedelta(hours=2) if start else None,
            outcome="resolved" if state == "concluded" else None,
            follow_up_on=(monday + timedelta(days=20)).date() if state == "concluded" else None,
        )
        case.party_villages = [village]
        if start and mediator:
            case.mediators.append(CaseMediator(user_id=mediator.id, kind="mediator"))
        db.session.add(case)


def load(town: OrgUnit) -> None:
    """Everything above; safe to run twice."""
    profiles.seed_skills()
    for name, description in TEAMS:
        if not db.session.scalar(select(Team.id).where(Team.name == name)):
            db.session.add(Team(name=name, description=description, org_unit_id=town.id))
    db.session.flush()
    people = _volunteers(town)
    _shifts(town, people)
    _mediation(town)
    db.session.flush()
