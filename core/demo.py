"""The demo town: 双槐镇 with its villages, schools, departments and a person for every role.

Place names follow the policy; village populations and people are invented for the demo.
Every loader finds what it made before, so running it twice changes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import accounts, orgunits
from core.extensions import db
from core.models import OrgUnit, OrgUnitKind, User

DEMO_PASSWORD = "shuanghuai2018"
TOWN_NAME = "双槐镇"

#: (name, kind, population, learning centre opened on)
VILLAGES = [
    ("双槐社区", OrgUnitKind.community, 4210, date(2018, 5, 10)),
    ("渭溪村", OrgUnitKind.village, 3120, date(2018, 6, 1)),
    ("黄土村", OrgUnitKind.village, 2680, date(2018, 6, 1)),
    ("三觉村", OrgUnitKind.village, 2240, date(2018, 9, 1)),
    ("马寨村", OrgUnitKind.village, 1980, date(2018, 9, 1)),
    ("金鸡村", OrgUnitKind.village, 1760, date(2019, 3, 1)),
    ("文星村", OrgUnitKind.village, 1530, date(2019, 3, 1)),
    ("龙洞村", OrgUnitKind.village, 1420, None),
    ("石堰社区", OrgUnitKind.community, 3350, date(2019, 5, 1)),
]

SCHOOLS = [
    "双槐镇社区教育学校",
    "渭溪中学",
    "双槐中心完全小学",
    "黄土完全小学",
    "渭溪完全小学",
    "三觉完全小学",
    "马寨完全小学",
    "双槐中心幼儿园",
]

DEPARTMENTS = [
    "教管中心",
    "社区教育领导小组",
    "综治办",
    "工会",
    "妇联",
    "财政所",
    "文化中心",
    "农业服务中心",
    "组织办",
    "团委",
    "劳动就业与社会保障中心",
    "司法所",
    "卫生院",
    "派出所",
    "人大办",
    "党政办",
]

#: (role, phone, name, unit the role is held on, home village)
PEOPLE = [
    ("site_admin", "13800000001", "周管理", TOWN_NAME, "双槐社区"),
    ("programme_manager", "13800000002", "梁晓勇", TOWN_NAME, "双槐社区"),
    ("counsellor", "13800000003", "唐晓萍", "渭溪村", "渭溪村"),
    ("mediator", "13800000004", "唐明文", TOWN_NAME, "双槐社区"),
    ("village_coordinator", "13800000005", "刘春华", "渭溪村", "渭溪村"),
    ("village_coordinator", "13800000006", "陈国强", "黄土村", "黄土村"),
    ("lecturer", "13800000007", "黄医生", TOWN_NAME, "三觉村"),
    ("volunteer", "13800000008", "吴小红", "马寨村", "马寨村"),
    ("resident", "13800000009", "王大妈", "渭溪村", "渭溪村"),
    ("resident", "13800000010", "李大爷", "黄土村", "黄土村"),
]


def _child(parent: OrgUnit, name: str) -> OrgUnit | None:
    return db.session.scalar(
        select(OrgUnit).where(OrgUnit.parent_id == parent.id, OrgUnit.name == name)
    )


def load_town() -> OrgUnit:
    """The town with its villages, schools and departments; returns the town."""
    town = db.session.scalar(
        select(OrgUnit).where(OrgUnit.name == TOWN_NAME, OrgUnit.kind == OrgUnitKind.town)
    )
    if town is None:
        town = orgunits.create_unit(
            None,
            OrgUnitKind.town,
            TOWN_NAME,
            population=sum(v[2] for v in VILLAGES),
            description="重庆市合川区双槐镇（演示数据）",
        )
    for name, kind, population, opened_on in VILLAGES:
        if _child(town, name) is None:
            orgunits.create_unit(
                town,
                kind,
                name,
                population=population,
                learning_centre_name=f"{name}社区教育学习中心" if opened_on else None,
                learning_centre_address=f"{name}村（居）委会" if opened_on else None,
                learning_centre_opened_on=opened_on,
            )
    for name in SCHOOLS:
        if _child(town, name) is None:
            orgunits.create_unit(town, OrgUnitKind.school, name)
    for name in DEPARTMENTS:
        if _child(town, name) is None:
            orgunits.create_unit(town, OrgUnitKind.department, name)
    db.session.flush()
    return town


def load_people(town: OrgUnit) -> None:
    """A person for every role, all with ``DEMO_PASSWORD``."""
    for role, phone, name, unit_name, home_name in PEOPLE:
        unit = town if unit_name == town.name else _child(town, unit_name)
        home = _child(town, home_name)
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user is None:
            user = accounts.create_user(phone, DEMO_PASSWORD, name, home)
        accounts.grant_role(user, role, unit)
    db.session.flush()


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, phone, name) of the demo people, for the start-up banner and the README."""
    return [(role, phone, name) for role, phone, name, _unit, _home in PEOPLE]


def demo_user(role: str) -> User | None:
    """The first demo person holding ``role`` (for plugins' demo data)."""
    for person_role, phone, *_ in PEOPLE:
        if person_role == role:
            return db.session.scalar(select(User).where(User.phone == phone))
    return None


def demo_village(town: OrgUnit, name: str) -> OrgUnit | None:
    return _child(town, name)
