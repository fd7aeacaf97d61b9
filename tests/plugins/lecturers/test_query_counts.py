"""The request page with its suggestions runs as many queries for a big corps as a small one."""

from __future__ import annotations

from core.extensions import db as _db
from tests.conftest import log_in
from tests.plugins.lecturers.conftest import build_request, make_lecturer


def test_request_page_with_suggestions_does_not_query_per_lecturer(
    app, client, people, town, make_user, sql_statements
):
    with app.app_context():
        request_id = build_request(people, town.village_a_id).id
    log_in(client, app, people.manager)

    def statements(name: str) -> int:
        client.get(f"/lectures/requests/{request_id}")  # warm the per-app caches
        with sql_statements() as seen:
            page = client.get(f"/lectures/requests/{request_id}")
        assert page.status_code == 200 and name in page.get_data(as_text=True)
        return len(seen)

    few = statements("讲师甲")
    with app.app_context():
        for n in range(4):
            user_id = make_user("lecturer", town.town_id, name=f"讲师{n}号")
            lecturer = make_lecturer(user_id, town.school_id, [people.topic, people.other_topic])
            _db.session.commit()
            build_request(people, town.village_b_id, "delivered", lecturer_id=lecturer.id)
            build_request(people, town.village_a_id, "scheduled", lecturer_id=lecturer.id, days=3)
    assert statements("讲师3号") == few
