"""Demo data: a progress meeting with minutes and three tasks, a training, two inspection
visits, the counsellor areas of the policy's headmasters, a scored demonstration standard,
milestones and the rules pages. Every row is looked up before it is made (run twice: no change).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from core import accounts
from core import uploads as core_uploads
from core.demo import DEMO_PASSWORD, demo_user
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import from_local, local_today, utcnow
from plugins.steering import rules, services, visits
from plugins.steering.demo_texts import MINUTES, RULE_TEXTS
from plugins.steering.meetings.models import Meeting
from plugins.steering.models import (
    CounsellorArea,
    Milestone,
    StandardAnswer,
    StandardAssessment,
    StandardItem,
    Task,
    TaskEvent,
    TaskEvidence,
    Visit,
    VisitCheck,
)

#: The policy's counsellor corps (三(二)): school headmasters, each linked to nearby villages.
#: Two surnames are missing in the policy text; they are shown as □.
HEADMASTERS = [
    ("13500001001", "刘永彬", "渭溪中学", ["渭溪村"]),
    ("13500001002", "唐小平", "双槐中心完全小学", ["双槐社区", "石堰社区"]),
    ("13500001003", "唐文明", "黄土完全小学", ["黄土村", "金鸡村"]),
    ("13500001004", "□宏", "渭溪完全小学", ["渭溪村"]),
    ("13500001005", "吴宇航", "三觉完全小学", ["三觉村", "文星村"]),
    ("13500001006", "□文", "马寨完全小学", ["马寨村"]),
]
#: (title, points, evidence, metric key, full-points value)
STANDARD = [
    ("学习中心阵地建设", 20, "挂牌、场地和设施照片", None, None),
    ("制度建设与资料管理", 20, "签到册、学习计划、学习记录等六类资料", None, None),
    ("全年开展活动", 25, "", "calendar.events_held", Decimal(12)),
    ("居民参与", 20, "", "calendar.participant_times", Decimal(300)),
    ("志愿服务", 15, "", "volunteers.hours", Decimal(100)),
]
#: village → (self points, town points) per item, this year and last year
SCORES = {
    "渭溪村": [(19, 18), (19, 18), (24, 23), (18, 17), (14, 13)],
    "黄土村": [(18, 16), (16, 12), (20, 18), (15, 14), (11, 10)],
}


def _unit(town: OrgUnit, name: str) -> OrgUnit:
    return db.session.scalar(
        select(OrgUnit).where(OrgUnit.parent_id == town.id, OrgUnit.name == name)
    )


def _person(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def load(town: OrgUnit) -> None:
    manager = demo_user("programme_manager")
    if manager is None:
        return
    _counsellors(town)
    if db.session.scalar(select(Meeting.id).limit(1)) is None:
        _meetings(town, manager)
    if db.session.scalar(select(Visit.id).limit(1)) is None:
        _visits(town, manager)
    _standard(town, manager)
    for slug, body in RULE_TEXTS.items():
        page = rules.page(slug)
        if page is None or page.current is None:
            rules.save_version(slug, body, "初稿（演示）", manager)
    db.session.commit()


def _counsellors(town: OrgUnit) -> None:
    for phone, name, school_name, village_names in HEADMASTERS:
        school = _unit(town, school_name)
        person = _person(phone)
        if person is None:
            person = accounts.create_user(phone, DEMO_PASSWORD, name, _unit(town, village_names[0]))
        accounts.grant_role(person, "counsellor", school)
        for village_name in village_names:
            village = _unit(town, village_name)
            exists = db.session.scalar(
                select(CounsellorArea.id).where(
                    CounsellorArea.user_id == person.id, CounsellorArea.org_unit_id == village.id
                )
            )
            if exists is None:
                db.session.add(CounsellorArea(user_id=person.id, org_unit_id=village.id))
    db.session.flush()


def _task(unit, owner, title, deadline, state, meeting, manager, created, steps=()):
    task = Task(
        title=title,
        org_unit_id=unit.id,
        owner_id=owner.id,
        deadline=deadline,
        source="meeting",
        meeting_id=meeting.id,
        state=state,
        created_by_id=manager.id,
        created_at=created,
    )
    db.session.add(task)
    db.session.flush()
    events = [("create", None, "open", manager, "", created), *steps]
    for action, before, after, actor, reason, when in events:
        db.session.add(
            TaskEvent(
                task_id=task.id,
                action=action,
                from_state=before,
                to_state=after,
                actor_id=actor.id,
                reason=reason,
                created_at=when,
            )
        )
    return task


def _evidence(task: Task, owner: User, name: str) -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * 32  # a placeholder picture
    stored = core_uploads.store(services.evidence_folder(), data, "png")
    db.session.add(
        TaskEvidence(
            task_id=task.id,
            original_name=name,
            stored_name=stored,
            content_type="image/png",
            size=len(data),
            uploaded_by_id=owner.id,
        )
    )


def _meetings(town: OrgUnit, manager: User) -> None:
    from plugins.steering.meetings import services as meetings

    today = local_today()
    held = today - timedelta(days=20)
    meeting = meetings.create_meeting(
        town,
        manager,
        kind="progress",
        title="第三季度社区教育推进会",
        held_on=held,
        hours=Decimal("2"),
        venue="镇教管中心会议室",
        agenda="一、通报各村（社区）工作进度\n二、辅导员汇报分片联系情况\n三、布置下一阶段工作",
        roles=["programme_manager", "counsellor", "village_coordinator"],
    )
    meeting.minutes = MINUTES
    for attendee in meeting.attendees:
        attendee.attended = True
    at = from_local(datetime.combine(held, time(16)))
    counsellor = demo_user("counsellor")  # 唐晓萍, 渭溪村
    weixi, huangtu = _unit(town, "渭溪村"), _unit(town, "黄土村")
    coordinator_a = _person("13800000006")  # 陈国强, 黄土村
    coordinator_b = _person("13800000005")  # 刘春华, 渭溪村
    day = timedelta(days=1)
    returned = _task(
        weixi,
        counsellor,
        "补齐渭溪村九月学习记录",
        today + 7 * day,
        "returned",
        meeting,
        manager,
        at,
        [
            ("start", "open", "in_progress", counsellor, "", at + 2 * day),
            ("submit", "in_progress", "submitted", counsellor, "", at + 6 * day),
            (
                "send_back",
                "submitted",
                "returned",
                manager,
                "照片看不清时间和地点，请补拍并附上签到册。",
                at + 8 * day,
            ),
        ],
    )
    _evidence(returned, counsellor, "九月学习记录.png")
    _task(
        huangtu,
        coordinator_a,
        "整改黄土村学习中心活动照片缺失问题",
        today - 3 * day,
        "in_progress",
        meeting,
        manager,
        at,
        [("start", "open", "in_progress", coordinator_a, "", at + 3 * day)],
    )
    accepted = _task(
        weixi,
        coordinator_b,
        "在学习中心张贴社区教育工作制度",
        today - 5 * day,
        "accepted",
        meeting,
        manager,
        at,
        [
            ("submit", "open", "submitted", coordinator_b, "", at + 4 * day),
            ("accept", "submitted", "accepted", manager, "", at + 9 * day),
        ],
    )
    accepted.closed_at = at + 9 * day
    _evidence(accepted, coordinator_b, "制度上墙照片.png")
    training = meetings.create_meeting(
        town,
        manager,
        kind="training",
        title="社区教育辅导员、志愿者业务培训会",
        held_on=today - timedelta(days=40),
        hours=Decimal("3"),
        venue="双槐中心完全小学",
        agenda="资料收集整理规范；志愿服务时长登记；网站使用",
        roles=["programme_manager", "counsellor", "volunteer"],
    )
    training.minutes = "讲解六类资料的收集要求，现场演示网站登记。"
    for attendee in training.attendees:
        attendee.attended = True
    db.session.flush()


def _visits(town: OrgUnit, manager: User) -> None:
    today = local_today()
    counsellor = demo_user("counsellor")
    plans = [
        (
            "渭溪村",
            today - timedelta(days=15),
            "梁晓勇、唐晓萍",
            {"learning_record": "partial"},
            "九月学习记录不全\n部分活动照片没有时间地点",
        ),
        (
            "黄土完全小学",
            today - timedelta(days=10),
            "梁晓勇、唐文明",
            {"press_release": "missing"},
            "通讯稿未按月报送",
        ),
    ]
    for name, day, who, results, findings in plans:
        unit = _unit(town, name)
        start = day.replace(month=1, day=1)
        # The holdings come with links; build them as a page would.
        with current_app.test_request_context():
            rows, _asked = visits.checklist(unit, start, day)
        visit = Visit(
            org_unit_id=unit.id,
            visited_on=day,
            visitors=who,
            findings=findings,
            period_start=start,
            period_end=day,
            recorded_by_id=(counsellor or manager).id,
        )
        visit.checks = [
            VisitCheck(
                material=row.material,
                result=results.get(row.material, "ok" if row.holdings else "missing"),
                site_count=len(row.holdings),
            )
            for row in rows
        ]
        db.session.add(visit)
    db.session.flush()


def _standard(town: OrgUnit, manager: User) -> None:
    this_year = local_today().year
    for year in (this_year - 1, this_year):
        items = list(db.session.scalars(select(StandardItem).where(StandardItem.year == year)))
        if not items:
            for position, (title, points, evidence, key, target) in enumerate(STANDARD):
                items.append(
                    StandardItem(
                        year=year,
                        position=position,
                        title=title,
                        points=points,
                        evidence=evidence,
                        metric_key=key,
                        metric_target=target,
                    )
                )
            db.session.add_all(items)
            db.session.flush()
        items.sort(key=lambda item: item.position)
        for name, scores in SCORES.items():
            village = _unit(town, name)
            exists = db.session.scalar(
                select(StandardAssessment.id).where(
                    StandardAssessment.org_unit_id == village.id, StandardAssessment.year == year
                )
            )
            if exists is not None:
                continue
            # last year each item scored two points lower where it could be
            lower = 0 if year == this_year else 2
            record = StandardAssessment(org_unit_id=village.id, year=year, state="scored")
            record.answers = [
                StandardAnswer(
                    item_id=item.id,
                    self_points=Decimal(mine),
                    evidence=item.evidence and "见学习中心资料盒",
                    town_points=Decimal(max(0, town_points - lower)),
                )
                for item, (mine, town_points) in zip(items, scores, strict=True)
            ]
            record.self_total = sum((a.self_points for a in record.answers), Decimal(0))
            record.town_total = sum((a.town_points for a in record.answers), Decimal(0))
            record.scored_by_id = manager.id
            record.scored_at = (
                from_local(datetime(year, 12, 1, 10)) if year < this_year else utcnow()
            )
            db.session.add(record)
    for year, count, full in ((this_year, 1, False), (this_year + 2, 0, True)):
        if db.session.scalar(select(Milestone.id).where(Milestone.year == year)) is None:
            db.session.add(Milestone(year=year, demonstration_villages=count, full_coverage=full))
    db.session.flush()
