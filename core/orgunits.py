"""Public functions over the org tree: create, move, deactivate, list villages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import g, has_app_context
from sqlalchemy import String, func, literal, or_, select, update

from core.extensions import db
from core.models import OrgUnit, OrgUnitKind

VILLAGE_KINDS = (OrgUnitKind.village, OrgUnitKind.community)


class TreeError(ValueError):
    """A change that would break the tree (a cycle, a missing parent)."""


def create_unit(parent: OrgUnit | None, kind: OrgUnitKind, name: str, **details) -> OrgUnit:
    """Add a unit below ``parent`` (None: a new root) and give it its path. Caller commits."""
    unit = OrgUnit(parent=parent, kind=kind, name=name, path="", **details)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def move_unit(unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Put ``unit`` (and everything below it) under ``new_parent``. Caller commits."""
    if new_parent is not None and new_parent.is_within(unit):
        raise TreeError("不能把单位移动到它自己或它的下级单位之下。")
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    unit.parent = new_parent
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.startswith(old_path))
        .values(path=literal(new_path, String) + func.substr(OrgUnit.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    if has_app_context():
        g.pop("_unit_paths", None)  # paths cached for this request are stale now


def roots() -> list[OrgUnit]:
    return list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    )


def tree_rows(include_inactive: bool = True) -> list[OrgUnit]:
    """Every unit in tree order (by path), for indented lists and select boxes."""
    query = select(OrgUnit)
    if not include_inactive:
        query = query.where(OrgUnit.active.is_(True))
    units = list(db.session.scalars(query))
    by_id = {unit.id: unit for unit in units}

    def sort_key(unit: OrgUnit) -> tuple:
        return tuple(by_id[i].name if i in by_id else "" for i in unit.ancestor_ids)

    return sorted(units, key=sort_key)


def villages(within: OrgUnit | None = None, active_only: bool = True) -> list[OrgUnit]:
    """Villages and communities, optionally only those inside ``within``."""
    query = select(OrgUnit).where(OrgUnit.kind.in_(VILLAGE_KINDS)).order_by(OrgUnit.name)
    if active_only:
        query = query.where(OrgUnit.active.is_(True))
    if within is not None:
        query = query.where(OrgUnit.path.startswith(within.path))
    return list(db.session.scalars(query))


def unit_choices(kinds=None, active_only: bool = True) -> list[tuple[int, str]]:
    """(id, indented name) pairs for a select field."""
    rows = []
    for unit in tree_rows(include_inactive=not active_only):
        if kinds and unit.kind not in kinds:
            continue
        rows.append((unit.id, "　" * unit.depth + unit.name))
    return rows


def requested_unit(args) -> OrgUnit | None:
    """The unit a public page is narrowed to by ``?town=<id>`` or ``?unit=<id>`` (None: all).

    One installation may serve several towns; public lists take this so a town's page does not
    mix in another town's items. Unknown or malformed ids mean no narrowing.
    """
    raw = args.get("town") or args.get("unit") or ""
    if not str(raw).isdigit():
        return None
    return db.session.get(OrgUnit, int(raw))


def related_unit_ids(unit: OrgUnit) -> list[int]:
    """The unit, everything below it and every unit above it: what concerns its residents
    (a district-wide contest or lecturer concerns every town; another town's do not)."""
    return list(
        db.session.scalars(
            select(OrgUnit.id).where(
                or_(OrgUnit.path.startswith(unit.path), OrgUnit.id.in_(unit.ancestor_ids))
            )
        )
    )


def _unit_paths(ids: set[int]) -> dict[int, str | None]:
    """Paths of ``ids`` (None for unknown ids), cached for the request in ``g._unit_paths`` (the
    cache ``core.permissions.unit_path`` fills); only ids not yet cached are fetched, in one query.
    """
    cache = g.setdefault("_unit_paths", {}) if has_app_context() else {}
    missing = ids - cache.keys()
    if missing:
        found = dict(
            db.session.execute(
                select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(missing))
            ).all()
        )
        cache.update({unit_id: found.get(unit_id) for unit_id in missing})
    return {unit_id: cache[unit_id] for unit_id in ids}


def roll_up(unit_ids: Iterable[int], per_unit: Mapping[int | None, float]) -> dict[int, float]:
    """For each of ``unit_ids``, the sum of ``per_unit`` over that unit and every unit below it:
    the rule every ``report_metrics`` figure follows. Unknown ids are left out."""
    wanted = list(unit_ids)
    ids = set(wanted) | {unit_id for unit_id in per_unit if unit_id is not None}
    paths = {unit_id: path for unit_id, path in _unit_paths(ids).items() if path is not None}
    return {
        unit_id: sum(
            value
            for key, value in per_unit.items()
            if key in paths and paths[key].startswith(paths[unit_id])
        )
        for unit_id in wanted
        if unit_id in paths
    }
