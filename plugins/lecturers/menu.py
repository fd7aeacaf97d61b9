"""The topic menu (点单菜单) seeded from the policy: topics by domain with their formats."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from plugins.lecturers.models import Topic, TopicDomain, TopicFormat

#: Default length (minutes) and audience per format.
DEFAULT_FORMATS = {
    "briefing": (60, 80),
    "training": (90, 40),
    "forum": (60, 20),
    "courtyard": (45, 50),
}

#: (domain, [(topic, description, formats)]); the first eight topics are named in the policy.
SEED: list[tuple[str, list[tuple[str, str, tuple[str, ...]]]]] = [
    (
        "教育",
        [
            ("教育政策", "教育惠民政策、资助与升学政策解读（中小学教师）", ("briefing", "forum")),
            ("处事技巧", "家庭沟通、邻里相处、防范诈骗（中小学教师）", ("training", "courtyard")),
        ],
    ),
    (
        "卫生健康",
        [
            ("保健护理", "常见病、慢性病防治与老年护理（卫生院医生）", tuple(DEFAULT_FORMATS)),
            ("妇幼保健", "孕产期保健、儿童营养与预防接种（卫生院医生）", ("training", "forum")),
            ("健康扶贫政策", "医保报销、大病救助与签约服务（卫生院）", ("briefing", "courtyard")),
        ],
    ),
    ("党建", [("党的方针政策", "党的路线方针政策与乡村振兴（组织办）", ("briefing", "forum"))]),
    (
        "法治",
        [
            (
                "法治宣讲",
                "常用法律知识、婚姻家庭与土地权益（司法所、派出所）",
                ("briefing", "courtyard"),
            ),
            ("人民调解", "矛盾纠纷化解与人民调解（综治办、司法所）", ("forum", "courtyard")),
        ],
    ),
    (
        "农业技术",
        [("农业技术", "种养殖技术、病虫害防治（农业服务中心）", ("training", "courtyard"))],
    ),
    ("文化", [("文化", "传统文化、家风家训与移风易俗（文化中心）", ("briefing", "courtyard"))]),
]


def seed_menu() -> int:
    """Add the policy's domains and topics that are missing; return how many topics were added."""
    added = 0
    for position, (domain_name, topics) in enumerate(SEED):
        domain = db.session.scalar(select(TopicDomain).where(TopicDomain.name == domain_name))
        if domain is None:
            domain = TopicDomain(name=domain_name, position=position)
            db.session.add(domain)
            db.session.flush()
        for name, description, formats in topics:
            if db.session.scalar(select(Topic.id).where(Topic.name == name)):
                continue
            db.session.add(
                Topic(
                    domain_id=domain.id,
                    name=name,
                    description=description,
                    formats=[
                        TopicFormat(
                            format=code,
                            default_minutes=DEFAULT_FORMATS[code][0],
                            default_audience=DEFAULT_FORMATS[code][1],
                        )
                        for code in formats
                    ],
                )
            )
            added += 1
    db.session.flush()
    return added


def topic_by_name(name: str) -> Topic | None:
    return db.session.scalar(select(Topic).where(Topic.name == name))
