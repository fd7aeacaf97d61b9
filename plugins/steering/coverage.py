"""Counsellor areas (分片联系): who looks after which villages and schools, and the gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.i18n import translate
from core.models import OrgUnit, OrgUnitKind, RoleAssignment, User
from plugins.steering.models import CounsellorArea
from plugins.steering.services import TaskError

AREA_KINDS = (OrgUnitKind.village, OrgUnitKind.community, OrgUnitKind.school)


def town_of(unit: OrgUnit) -> int:
    """The id of the town a unit lies in (the unit itself for a town; the root otherwise)."""
    rows = dict(
        db.session.execute(
            select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.id.in_(unit.ancestor_ids))
        ).all()
    )
    towns = [uid for uid in unit.ancestor_ids if rows.get(uid) == OrgUnitKind.town]
    return towns[-1] if towns else unit.ancestor_ids[0]


def counsellor_units(user_id: int) -> list[OrgUnit]:
    """The units on which a person holds the counsellor role (their school, usually)."""
    return list(
        db.session.scalars(
            select(OrgUnit)
            .join(RoleAssignment, RoleAssignment.org_unit_id == OrgUnit.id)
            .where(RoleAssignment.user_id == user_id, RoleAssignment.role == "counsellor")
        )
    )


def counsellors(unit_ids: set[int] | None = None) -> list[User]:
    """Active people holding the counsellor role (on one of ``unit_ids``, if given)."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == "counsellor", User.active.is_(True))
    )
    if unit_ids is not None:
        query = query.where(RoleAssignment.org_unit_id.in_(unit_ids))
    return list(db.session.scalars(query.distinct().order_by(User.display_name)))


def assign(person: User | None, unit: OrgUnit) -> CounsellorArea:
    """Put ``unit`` into ``person``'s area; raise ``TaskError`` with the reason (caller commits)."""
    if person is None:
        raise TaskError(translate("请选择辅导员。"), "user_id")
    if unit.kind not in AREA_KINDS:
        raise TaskError(translate("只能把村（社区）或学校分给辅导员联系。"), "unit_id")
    own = counsellor_units(person.id)
    if not own:
        raise TaskError(translate("此人不是辅导员，请先在用户管理中授予辅导员角色。"), "user_id")
    if town_of(unit) not in {town_of(home) for home in own}:
        raise TaskError(translate("该辅导员不在这个单位所在的镇任职，不能分片联系它。"), "unit_id")
    exists = db.session.scalar(
        select(CounsellorArea).where(
            CounsellorArea.user_id == person.id, CounsellorArea.org_unit_id == unit.id
        )
    )
    if exists is not None:
        raise TaskError(translate("该单位已在这位辅导员的联系范围内。"), "unit_id")
    area = CounsellorArea(user_id=person.id, org_unit_id=unit.id)
    db.session.add(area)
    db.session.flush()
    audit.record("steering.area_assigned", area, f"分片联系：{person.display_name} → {unit.name}")
    return area


def unassign(area: CounsellorArea) -> None:
    audit.record(
        "steering.area_removed",
        area,
        f"取消分片联系：{area.user.display_name} → {area.org_unit.name}",
    )
    db.session.delete(area)


@dataclass
class UnitCoverage:
    unit: OrgUnit
    counsellors: list[User] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.counsellors)


def coverage(units: list[OrgUnit]) -> list[UnitCoverage]:
    """For each village and school: its counsellors (by area, or by holding the role there)."""
    ids = [unit.id for unit in units]
    rows = {unit.id: UnitCoverage(unit) for unit in units}
    for area in db.session.scalars(
        select(CounsellorArea).where(CounsellorArea.org_unit_id.in_(ids))
    ):
        rows[area.org_unit_id].counsellors.append(area.user)
    held = db.session.execute(
        select(RoleAssignment.org_unit_id, User)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == "counsellor", RoleAssignment.org_unit_id.in_(ids))
    ).all()
    for unit_id, user in held:
        if user not in rows[unit_id].counsellors:
            rows[unit_id].counsellors.append(user)
    return [rows[unit.id] for unit in units]


def areas_by_counsellor(people: list[User]) -> dict[int, list[CounsellorArea]]:
    found: dict[int, list[CounsellorArea]] = {person.id: [] for person in people}
    for area in db.session.scalars(
        select(CounsellorArea).where(CounsellorArea.user_id.in_(found)).order_by(CounsellorArea.id)
    ):
        found[area.user_id].append(area)
    return found
