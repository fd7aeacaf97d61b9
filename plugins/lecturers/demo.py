"""Demo data: a lecturer corps from the policy's institutions and requests in every state."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from core import accounts, availability, demo
from core.extensions import db
from core.models import OrgUnit
from core.timeutil import from_local, local_today, utcnow
from plugins.lecturers.menu import seed_menu, topic_by_name
from plugins.lecturers.models import Lecturer, Offer
from plugins.lecturers.requests.models import Decline, LectureRequest, RequestEvent, RequestSlot

#: (phone, name, unit, title, topics, formats, status, weekday of availability)
CORPS = [
    (
        "13800000007",
        "黄医生",
        "卫生院",
        "全科医生",
        ("保健护理", "健康扶贫政策"),
        "briefing,training,courtyard",
        "approved",
        2,
    ),
    (
        "13700000001",
        "张老师",
        "渭溪中学",
        "高级教师",
        ("教育政策", "处事技巧"),
        "briefing,forum",
        "approved",
        5,
    ),
    (
        "13700000002",
        "李老师",
        "双槐中心完全小学",
        "小学教师",
        ("处事技巧", "教育政策"),
        "training,courtyard",
        "approved",
        5,
    ),
    (
        "13700000003",
        "王医生",
        "卫生院",
        "主治医师",
        ("保健护理", "妇幼保健"),
        "briefing,training,forum,courtyard",
        "approved",
        3,
    ),
    (
        "13700000004",
        "赵医生",
        "卫生院",
        "妇产科医生",
        ("妇幼保健", "健康扶贫政策"),
        "training,forum",
        "approved",
        4,
    ),
    (
        "13700000005",
        "孙所长",
        "司法所",
        "所长",
        ("法治宣讲", "人民调解"),
        "briefing,courtyard",
        "approved",
        1,
    ),
    (
        "13700000006",
        "钱委员",
        "组织办",
        "组织委员",
        ("党的方针政策",),
        "briefing,forum",
        "approved",
        0,
    ),
    (
        "13700000007",
        "周站长",
        "农业服务中心",
        "农艺师",
        ("农业技术",),
        "training,courtyard",
        "approved",
        2,
    ),
    (
        "13700000008",
        "吴老师",
        "文化中心",
        "退休教师",
        ("文化",),
        "briefing,courtyard",
        "approved",
        6,
    ),
    (
        "13700000009",
        "郑警官",
        "派出所",
        "社区民警",
        ("法治宣讲",),
        "briefing,courtyard",
        "approved",
        3,
    ),
    ("13700000010", "冯主任", "综治办", "主任", ("人民调解",), "forum,courtyard", "approved", 4),
    ("13700000011", "陈老师", "黄土完全小学", "小学教师", ("教育政策",), "briefing", "applied", 5),
    ("13700000012", "何医生", "卫生院", "乡村医生", ("保健护理",), "courtyard", "applied", 5),
]

PATHS = {
    "submitted": ["submit"],
    "assigned": ["submit", "assign"],
    "accepted": ["submit", "assign", "accept"],
    "scheduled": ["submit", "assign", "accept", "schedule"],
    "delivered": ["submit", "assign", "accept", "schedule", "deliver"],
    "rated": ["submit", "assign", "accept", "schedule", "deliver", "rate"],
    "closed": ["submit", "assign", "accept", "schedule", "deliver", "rate", "close"],
    "cancelled": ["submit", "assign", "accept", "schedule", "cancel"],
}
TARGET = {
    "submit": "submitted",
    "assign": "assigned",
    "accept": "accepted",
    "schedule": "scheduled",
    "deliver": "delivered",
    "rate": "rated",
    "close": "closed",
    "cancel": "cancelled",
}

#: (key, village, topic, format, state, lecturer phone, days from today)
REQUESTS = [
    ("demo-1", "渭溪村", "保健护理", "briefing", "assigned", "13800000007", 9),
    ("demo-2", "黄土村", "健康扶贫政策", "courtyard", "scheduled", "13800000007", 5),
    ("demo-3", "三觉村", "保健护理", "training", "closed", "13800000007", -40),
    ("demo-4", "渭溪村", "健康扶贫政策", "briefing", "rated", "13800000007", -12),
    ("demo-5", "马寨村", "保健护理", "courtyard", "delivered", "13800000007", -3),
    ("demo-6", "黄土村", "法治宣讲", "briefing", "submitted", None, 12),
    ("demo-7", "渭溪村", "妇幼保健", "training", "submitted", None, 15),
    ("demo-8", "金鸡村", "党的方针政策", "forum", "accepted", "13700000006", 8),
    ("demo-9", "文星村", "农业技术", "training", "scheduled", "13700000007", 6),
    ("demo-10", "石堰社区", "人民调解", "courtyard", "cancelled", "13700000010", 4),
    ("demo-11", "双槐社区", "文化", "briefing", "closed", "13700000008", -60),
    ("demo-12", "龙洞村", "教育政策", "forum", "rated", "13700000001", -20),
    ("demo-13", "三觉村", "法治宣讲", "courtyard", "delivered", "13700000005", -6),
]


def _unit(town: OrgUnit, name: str) -> OrgUnit | None:
    return demo.demo_village(town, name)


def _lecturers(town: OrgUnit) -> dict[str, Lecturer]:
    found: dict[str, Lecturer] = {}
    for phone, name, unit_name, title, topics, formats, status, weekday in CORPS:
        unit = _unit(town, unit_name)
        user = accounts.find_by_phone(phone) or accounts.create_user(
            phone, demo.DEMO_PASSWORD, name, _unit(town, "双槐社区")
        )
        lecturer = db.session.scalar(select(Lecturer).where(Lecturer.user_id == user.id))
        if lecturer is None:
            lecturer = Lecturer(
                user_id=user.id,
                org_unit_id=unit.id if unit else None,
                title=title,
                formats=formats,
                status=status,
                source="self" if phone != "13700000012" else "recommended",
                recommender_id=(
                    demo.demo_user("village_coordinator").id if phone == "13700000012" else None
                ),
                monthly_max=4,
                offers=[Offer(topic_id=topic_by_name(t).id) for t in topics],
            )
            db.session.add(lecturer)
            availability.add_slot(user.id, weekday, time(9), time(17))
            availability.add_slot(user.id, (weekday + 2) % 7, time(14), time(21))
            if status == "approved":
                accounts.grant_role(user, "lecturer", town)
        found[phone] = lecturer
    db.session.flush()
    return found


def _slot_times(days: int, hour: int) -> tuple[datetime, datetime]:
    day = local_today() + timedelta(days=days)
    start = from_local(datetime.combine(day, time(hour)))
    return start, start + timedelta(hours=1, minutes=30)


def load(town: OrgUnit) -> None:
    """Idempotent: lecturers by phone, requests by their demo idempotency key."""
    seed_menu()
    corps = _lecturers(town)
    manager = demo.demo_user("programme_manager")
    coordinator = demo.demo_user("village_coordinator")
    for key, village_name, topic_name, fmt, state, phone, days in REQUESTS:
        if db.session.scalar(
            select(LectureRequest.id).where(LectureRequest.idempotency_key == key)
        ):
            continue
        village = _unit(town, village_name)
        lecturer = corps.get(phone) if phone else None
        slots = [_slot_times(days, 9), _slot_times(days + 2, 14)]
        request = LectureRequest(
            org_unit_id=village.id,
            topic_id=topic_by_name(topic_name).id,
            format=fmt,
            audience_size=60,
            audience_group="all",
            venue=village.learning_centre_name or f"{village.name}村委会",
            state=state,
            lecturer_id=lecturer.id if lecturer else None,
            requested_by_id=coordinator.id,
            idempotency_key=key,
            slots=[RequestSlot(start=s, end=e) for s, e in slots],
            created_at=utcnow() - timedelta(days=abs(days) + 10 if days < 0 else 5),
            state_changed_at=utcnow() - timedelta(days=5 if state == "submitted" else 1),
        )
        if state not in ("submitted", "assigned"):
            request.scheduled_start, request.scheduled_end = slots[0]
            request.published = state != "accepted"
        if state in ("delivered", "rated", "closed"):
            request.attendance, request.delivered_at = 55, slots[0][1]
            request.summary = "讲解通俗易懂，村民提问踊跃。"
        if state in ("rated", "closed"):
            request.rating, request.rating_comment = 5, "讲得好，希望再来。"
        if state == "cancelled":
            request.cancel_reason = "村里临时安排防汛工作。"
        db.session.add(request)
        db.session.flush()
        request.chosen_slot_id = request.slots[0].id if request.scheduled_start else None
        previous = None
        for step, action in enumerate(PATHS[state]):
            actor = {"accept": lecturer, "deliver": lecturer}.get(action)
            actor_id = (
                actor.user_id
                if actor
                else (coordinator.id if action in ("submit", "rate", "cancel") else manager.id)
            )
            db.session.add(
                RequestEvent(
                    request_id=request.id,
                    action=action,
                    from_state=previous,
                    to_state=TARGET[action],
                    actor_id=actor_id,
                    reason=request.cancel_reason if action == "cancel" else "",
                    created_at=request.created_at + timedelta(hours=step),
                )
            )
            previous = TARGET[action]
        request.sequence = len(PATHS[state]) - 1
        if key == "demo-7":  # declined once by 王医生, back in the queue
            db.session.add(
                Decline(
                    request_id=request.id,
                    lecturer_id=corps["13700000003"].id,
                    reason="那几天在县里培训。",
                )
            )
    db.session.flush()
