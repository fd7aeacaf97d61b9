"""The org tree: district → town → villages/communities, schools, departments."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db


class OrgUnitKind(enum.StrEnum):
    district = "district"
    town = "town"
    village = "village"
    community = "community"
    school = "school"
    department = "department"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])

    @property
    def is_village(self) -> bool:
        """Villages and urban communities both have residents and a learning centre."""
        return self in (OrgUnitKind.village, OrgUnitKind.community)


KIND_LABELS = {
    OrgUnitKind.district: _l("区县"),
    OrgUnitKind.town: _l("镇"),
    OrgUnitKind.village: _l("村"),
    OrgUnitKind.community: _l("社区"),
    OrgUnitKind.school: _l("学校"),
    OrgUnitKind.department: _l("部门"),
}


class OrgUnit(db.Model):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[OrgUnitKind] = mapped_column(
        Enum(OrgUnitKind, native_enum=False, length=20, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(100))
    #: Materialised path of ids, "/1/4/9/", so "is X inside Y" is one string test.
    path: Mapped[str] = mapped_column(String(400), default="", index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    learning_centre_name: Mapped[str | None] = mapped_column(String(100))
    learning_centre_address: Mapped[str | None] = mapped_column(String(200))
    learning_centre_opened_on: Mapped[object | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, this unit included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def depth(self) -> int:
        return max(len(self.ancestor_ids) - 1, 0)

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is ``other`` or one of its descendants."""
        return self.path.startswith(other.path)

    def __str__(self) -> str:
        return self.name
