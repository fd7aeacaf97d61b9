"""The volunteers' JSON API: the page's eligibility list, sign-up, withdrawal and hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db as _db
from core.timeutil import utcnow
from plugins.volunteers.models import Assignment
from tests.api_helpers import assert_problem, bearer

API = "/api/v1/volunteers"


def assignments(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(Assignment.id)))


def test_shifts_i_may_take_follow_skills_like_the_page(app, client, make_shift, make_volunteer):
    fit, (fit_role,) = make_shift(title="夜校引导", roles=[("讲解", 2, ("teaching",))])
    make_shift(title="急救岗", roles=[("急救", 1, ("health",))])
    headers = bearer(app, make_volunteer(skills=("teaching",)))
    rows = client.get(f"{API}/shifts", headers=headers).get_json()["items"]
    assert [(r["id"], [o["role_id"] for o in r["roles"]]) for r in rows] == [(fit, [fit_role])]
    anonymous = client.get(f"{API}/shifts").get_json()["items"]
    assert {r["title"] for r in anonymous} == {"夜校引导", "急救岗"}
    assert all(r["roles"] == [] for r in anonymous)


def test_sign_up_withdraw_and_waiting_list(app, client, make_shift, make_volunteer):
    _shift, (role_id,) = make_shift(
        roles=[("引导", 1, ())], withdraw_deadline=utcnow() + timedelta(days=1)
    )
    first = bearer(app, make_volunteer())
    second = bearer(app, make_volunteer())
    taken = client.post(f"{API}/roles/{role_id}/signup", json={}, headers=first)
    assert taken.status_code == 201 and taken.get_json()["status"] == "confirmed"
    full = assert_problem(
        client.post(f"{API}/roles/{role_id}/signup", json={}, headers=second), 409
    )
    assert "满员" in full["detail"]
    waiting = client.post(f"{API}/roles/{role_id}/signup", json={"waitlist": True}, headers=second)
    assert waiting.get_json()["status"] == "waitlisted"
    mine = client.get(f"{API}/me", headers=first).get_json()["items"]
    assert [row["id"] for row in mine] == [taken.get_json()["id"]]
    left = client.post(f"{API}/assignments/{taken.get_json()['id']}/withdraw", headers=first)
    assert left.get_json()["status"] == "withdrawn"
    assert client.get(f"{API}/me", headers=second).get_json()["items"][0]["status"] == "confirmed"


def test_someone_elses_assignment_cannot_be_withdrawn(app, client, make_shift, make_volunteer):
    _shift, (role_id,) = make_shift()
    owner = bearer(app, make_volunteer())
    row = client.post(f"{API}/roles/{role_id}/signup", json={}, headers=owner).get_json()
    assert_problem(
        client.post(
            f"{API}/assignments/{row['id']}/withdraw", headers=bearer(app, make_volunteer())
        ),
        404,
    )
    with app.app_context():
        assert _db.session.get(Assignment, row["id"]).status == "confirmed"


def test_sign_up_needs_a_profile_token_and_a_real_role(app, client, make_shift, make_user):
    _shift, (role_id,) = make_shift()
    assert_problem(client.post(f"{API}/roles/{role_id}/signup", json={}), 401)
    assert_problem(
        client.post(f"{API}/roles/999999/signup", json={}, headers=bearer(app, make_user())), 404
    )
    refused = client.post(
        f"{API}/roles/{role_id}/signup", json={}, headers=bearer(app, make_user())
    )
    assert_problem(refused, 409)
    assert_problem(
        client.post(
            f"{API}/roles/{role_id}/signup",
            json={"waitlist": "perhaps"},
            headers=bearer(app, make_user()),
        ),
        422,
    )
    assert assignments(app) == 0


def test_my_hours_are_the_confirmed_ones(app, client, make_shift, make_volunteer):
    _shift, (role_id,) = make_shift()
    volunteer = make_volunteer()
    headers = bearer(app, volunteer)
    row = client.post(f"{API}/roles/{role_id}/signup", json={}, headers=headers).get_json()
    assert client.get(f"{API}/me/hours", headers=headers).get_json() == {
        "total_hours": 0,
        "served": [],
    }
    with app.app_context():
        assignment = _db.session.get(Assignment, row["id"])
        assignment.hours, assignment.hours_confirmed_at = 2.5, utcnow()
        _db.session.commit()
    hours = client.get(f"{API}/me/hours", headers=headers).get_json()
    assert hours["total_hours"] == 2.5 and [s["id"] for s in hours["served"]] == [row["id"]]


def test_withdrawing_after_the_deadline_is_refused(app, client, make_shift, make_volunteer):
    _shift, (role_id,) = make_shift(withdraw_deadline=utcnow() + timedelta(hours=1))
    headers = bearer(app, make_volunteer())
    row = client.post(f"{API}/roles/{role_id}/signup", json={}, headers=headers).get_json()
    with app.app_context():
        from plugins.volunteers.models import Shift

        _db.session.get(Shift, _shift).withdraw_deadline = utcnow() - timedelta(minutes=1)
        _db.session.commit()
    assert_problem(client.post(f"{API}/assignments/{row['id']}/withdraw", headers=headers), 409)
    with app.app_context():
        assert _db.session.get(Assignment, row["id"]).status == "confirmed"
