"""Fixtures for the multi-town tests: a district over the test town and a second town."""

from __future__ import annotations

import pytest

from core.extensions import db as _db


class Tree:
    district_id: int
    town_a_id: int
    village_a_id: int
    town_b_id: int
    village_c_id: int
    school_b_id: int


@pytest.fixture
def tree(app, town) -> Tree:
    """Put the usual test town under a district and add a second town with one village."""
    from core import orgunits
    from core.models import OrgUnit, OrgUnitKind

    with app.app_context():
        district = orgunits.create_unit(None, OrgUnitKind.district, "测试区")
        orgunits.move_unit(_db.session.get(OrgUnit, town.town_id), district)
        second = orgunits.create_unit(district, OrgUnitKind.town, "第二镇")
        village_c = orgunits.create_unit(second, OrgUnitKind.village, "丙村")
        school_b = orgunits.create_unit(second, OrgUnitKind.school, "第二镇中学")
        _db.session.commit()
        found = Tree()
        found.district_id, found.town_a_id, found.village_a_id = (
            district.id,
            town.town_id,
            town.village_a_id,
        )
        found.town_b_id, found.village_c_id, found.school_b_id = (
            second.id,
            village_c.id,
            school_b.id,
        )
    return found


@pytest.fixture
def managers(tree, make_user) -> dict[str, int]:
    return {
        "town_a": make_user("programme_manager", tree.town_a_id, name="甲镇管理员"),
        "district": make_user("programme_manager", tree.district_id, name="区管理员"),
    }


def _refused(response) -> bool:
    return response.status_code in (403, 404)
