"""From one town to a district: a district above the existing town(s), more towns under it.

``flask units add-district NAME [--admin PHONE]`` (and the 组织单位 page, for an admin at the top
of the tree) creates the district, moves every top-level unit under it and makes the district
admin: the given person, or else whoever held 系统管理员 at the old top (their role moves up, so
nobody is left with less than before). ``flask units add-town NAME`` adds a town below the
district. Every change is audited.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from core import accounts, audit, orgunits
from core.extensions import db
from core.models import OrgUnit, OrgUnitKind, RoleAssignment, User
from core.roles import SUPERUSER_ROLE


class DistrictError(ValueError):
    """Why the district could not be made (in Chinese)."""


def add_district(name: str, admin: User | None = None, actor_id: int | None = None) -> OrgUnit:
    """Put a new district above every top-level unit. Caller commits."""
    name = name.strip()
    if not name:
        raise DistrictError(_("请填写区县名称。"))
    tops = orgunits.roots()
    if any(unit.kind == OrgUnitKind.district for unit in tops):
        raise DistrictError(_("已经有区县了：在它下面添加镇即可。"))
    district = orgunits.create_unit(None, OrgUnitKind.district, name)
    for unit in tops:
        orgunits.move_unit(unit, district)
    top_ids = [unit.id for unit in tops]
    if admin is not None:
        accounts.grant_role(admin, SUPERUSER_ROLE, district)
    else:
        held = db.session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.role == SUPERUSER_ROLE, RoleAssignment.org_unit_id.in_(top_ids)
            )
        )
        for assignment in held:
            assignment.org_unit_id = district.id
    audit.record(
        "core.district_created",
        district,
        f"新建区县 {district.name}，原顶层单位移到其下",
        actor_id=actor_id,
    )
    return district


def add_town(name: str, district: OrgUnit | None = None, actor_id: int | None = None) -> OrgUnit:
    """A new town below ``district`` (default: the only district). Caller commits."""
    if district is None:
        districts = [unit for unit in orgunits.roots() if unit.kind == OrgUnitKind.district]
        if len(districts) != 1:
            raise DistrictError(_("先用 add-district 建立区县。"))
        district = districts[0]
    town = orgunits.create_unit(district, OrgUnitKind.town, name.strip())
    audit.record("core.unit_created", town, f"新建单位 {town.name}", actor_id=actor_id)
    return town


@click.group("units")
def units() -> None:
    """The org tree: grow one town into a district."""


@units.command("add-district")
@click.argument("name")
@click.option("--admin", "admin_phone", help="Phone of the district's site admin.")
@with_appcontext
def add_district_command(name: str, admin_phone: str | None) -> None:
    """Create district NAME above the existing town(s) and make its admin."""
    admin = None
    if admin_phone:
        admin = accounts.find_by_phone(accounts.normalise_phone(admin_phone))
        if admin is None:
            raise click.ClickException(f"没有这个账号：{admin_phone}")
    try:
        district = add_district(name, admin)
    except DistrictError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"district {district.id} {district.name} created; towns moved under it")


@units.command("add-town")
@click.argument("name")
@with_appcontext
def add_town_command(name: str) -> None:
    """Add town NAME below the district."""
    try:
        town = add_town(name)
    except DistrictError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"town {town.id} {town.name} created")
