"""Saving a contest sheet runs as many queries for a long paper as for a short one."""

from __future__ import annotations

from core.extensions import db as _db
from plugins.competitions.models import Attempt
from tests.plugins.competitions.helpers import add_questions, make_contest


def test_saving_the_sheet_does_not_query_per_question(app, client, town, login_as, sql_statements):
    login_as("resident", town.village_a_id)

    def save_statements(count: int) -> int:
        with app.app_context():
            add_questions(count)
            contest_id = make_contest(town, count=count, title=f"{count}题竞赛").id
        started = client.post(f"/contests/{contest_id}/start")
        attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            drawn = _db.session.get(Attempt, attempt_id).drawn
        assert len(drawn) == count
        form = {f"q{item['question_id']}": "0" for item in drawn}
        client.post(f"/contests/attempts/{attempt_id}", data={**form, "action": "save"})
        changed = dict.fromkeys(form, "1")  # every answer changes: each row is written
        with sql_statements() as seen:
            response = client.post(
                f"/contests/attempts/{attempt_id}", data={**changed, "action": "save"}
            )
        assert response.status_code == 302
        return len(seen)

    assert save_statements(12) == save_statements(3)
