"""/volunteers/manage runs as many queries for many shifts and volunteers as for a few."""

from __future__ import annotations

from datetime import timedelta

from core.extensions import db as _db
from tests.conftest import log_in


def test_manage_page_does_not_query_per_shift(
    app, client, town, make_user, make_shift, make_volunteer, sql_statements
):
    from plugins.volunteers.models import Assignment, Profile

    log_in(client, app, make_user("programme_manager", town.town_id))

    def add(count: int) -> None:
        for n in range(count):
            _shift, roles = make_shift(
                title=f"班次{n}", starts_in=timedelta(days=n + 1), roles=[("引导", 3, ())]
            )
            volunteer = make_volunteer()
            with app.app_context():
                _db.session.add(Assignment(role_id=roles[0], user_id=volunteer, status="confirmed"))
                profile = _db.session.query(Profile).filter_by(user_id=volunteer).one()
                profile.status = "pending"
                _db.session.commit()

    def statements() -> int:
        client.get("/volunteers/manage")
        with sql_statements() as seen:
            page = client.get("/volunteers/manage")
        assert page.status_code == 200 and "引导 2人" in page.get_data(as_text=True)
        return len(seen)

    add(2)
    few = statements()
    add(5)
    assert statements() == few
