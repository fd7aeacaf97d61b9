"""``can``: roles on a unit hold on its descendants, never on a sibling."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.models import User
from core.permissions import Permission, can, unit_ids_where
from core.plugins import Plugin


@pytest.fixture
def check(app):
    def run(user_id, permission, obj=None):
        with app.test_request_context():
            return can(_db.session.get(User, user_id), permission, obj)

    return run


def test_role_on_the_town_holds_on_every_village(make_user, town, check):
    manager = make_user("site_admin", town.town_id)
    for unit in (town.town_id, town.village_a_id, town.village_b_id, town.school_id):
        assert check(manager, "core.manage_units", unit)


class Village(Plugin):
    name = "village"

    @hookimpl
    def register_permissions(self):
        return [Permission("village.edit", "编辑本村的东西", ("village_coordinator",))]


def test_coordinator_of_village_a_has_nothing_on_village_b(make_app, town, make_user):
    app = make_app(plugins="", extra_plugins=[Village()])
    coordinator = make_user("village_coordinator", town.village_a_id)
    with app.test_request_context():
        user = _db.session.get(User, coordinator)
        assert can(user, "village.edit", SimpleNamespace(org_unit_id=town.village_a_id))
        assert not can(user, "village.edit", SimpleNamespace(org_unit_id=town.village_b_id))
        assert not can(user, "village.edit", town.town_id)
        assert can(user, "village.edit")  # somewhere: enough to show a menu


def test_anonymous_and_residents_hold_no_admin_permission(make_user, town, check, app):
    resident = make_user()
    assert not check(resident, "core.manage_users")
    with app.test_request_context():
        assert not can(None, "core.manage_users")


def test_undeclared_permission_is_a_programming_error(make_user, check):
    with pytest.raises(LookupError):
        check(make_user(), "core.no_such_permission")


def test_unit_ids_where_lists_the_subtree(app, make_user, town):
    manager = make_user("site_admin", town.village_a_id)
    with app.test_request_context():
        ids = unit_ids_where(_db.session.get(User, manager), "core.manage_units")
    assert ids == {town.village_a_id}


def test_deactivated_unit_grants_nothing(app, make_user, town, check):
    from core.models import OrgUnit

    admin = make_user("site_admin", town.village_b_id)
    with app.app_context():
        _db.session.get(OrgUnit, town.village_b_id).active = False
        _db.session.commit()
    assert not check(admin, "core.manage_units", town.village_b_id)


def test_roll_up_counts_each_unit_with_everything_below_it(app, town):
    from core.orgunits import roll_up

    with app.app_context():
        totals = roll_up(
            [town.town_id, town.village_a_id, town.village_b_id, 999999],
            {town.village_a_id: 3, town.village_b_id: 2, town.town_id: 1, None: 7},
        )
    assert totals == {town.town_id: 6, town.village_a_id: 3, town.village_b_id: 2}
