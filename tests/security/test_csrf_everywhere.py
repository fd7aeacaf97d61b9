"""Every state-changing route refuses a post without a valid CSRF token, and changes nothing.

Posts are made as the site admin (who may do everything) so that only the token can refuse them.
A token minted for one session is refused in another (replay).
"""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from tests.conftest import log_in
from tests.security import walk


@pytest.fixture
def demo(app):
    return walk.user_ids(app), walk.argument_values(app)


@pytest.mark.demo_town
def test_every_post_route_refuses_a_missing_or_foreign_token(app, demo):
    users, values = demo
    post_rules = walk.rules(app, "POST")
    assert len(post_rules) > 80  # every plugin's forms are really walked
    admin = app.test_client()
    log_in(admin, app, users["site_admin"])
    other = app.test_client()
    log_in(other, app, users["programme_manager"])
    foreign = other.csrf_token()  # valid, but for the other session's raw token
    with admin.session_transaction() as session:
        session["csrf_token"] = "a-different-raw-token"
    with app.app_context():
        before = walk.row_counts()
    failures = []
    for rule in post_rules:
        url = walk.build_url(rule, values)
        for label, data in (
            ("missing", {}),
            ("garbage", {"csrf_token": "garbage"}),
            ("foreign", {"csrf_token": foreign}),
        ):
            response = admin.post(url, data=data, csrf=False)
            if response.status_code != 400:
                failures.append(f"{rule.endpoint} {url} ({label} token): {response.status_code}")
    with app.app_context():
        db.session.remove()
        assert walk.row_counts() == before
    assert not failures, "\n".join(failures)


@pytest.mark.demo_town
def test_json_and_multipart_posts_also_need_the_token(app, demo):
    users, values = demo
    admin = app.test_client()
    log_in(admin, app, users["site_admin"])
    code = values[""]["code"]
    assert (
        admin.post(f"/contests/live/play/{code}/answer", json={"choice": 1}, csrf=False).status_code
        == 400
    )
    response = admin.post("/logout", data={}, csrf=False, content_type="multipart/form-data")
    assert response.status_code == 400


def test_token_from_one_session_is_refused_in_another(app, make_user):
    """Replay: a token captured from session A does not work with session B's cookie."""
    victim = app.test_client()
    log_in(victim, app, make_user("resident"))
    attacker = app.test_client()
    login_page = attacker.get("/login").get_data(as_text=True)  # a session of its own
    captured = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    language = {"csrf_token": captured, "language": "en"}
    # The captured token is good where it was made (the control) ...
    assert attacker.post("/language", data=language, csrf=False).status_code == 302
    # ... and refused with the victim's cookie.
    response = victim.post("/language", data=language, csrf=False)
    assert response.status_code == 400
    with victim.session_transaction() as session:
        assert session.get("_user_id")  # still logged in: the logout below is refused too
    response = victim.post("/logout", data={"csrf_token": captured}, csrf=False)
    assert response.status_code == 400
    with victim.session_transaction() as session:
        assert session.get("_user_id")


def test_a_valid_token_still_works(app, client, make_user):
    """The control: the same post with the session's own token is accepted."""
    log_in(client, app, make_user("resident"))
    assert client.post("/logout").status_code in (302, 303)
