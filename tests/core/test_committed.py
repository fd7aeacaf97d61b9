"""After a commit the answer is success; a repeated form post is told it is already done.

(The same with real connections cut on PostgreSQL: tests/plugins/volunteers/test_connections_cut.py.)
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from core.extensions import db as _db
from core.models import IdempotencyKey, User


def _key(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)


def _profile(town, key: str, name: str = "新名字") -> dict:
    return {"display_name": name, "home_unit_id": town.village_a_id, "idempotency_key": key}


def test_every_post_form_of_a_signed_in_page_gets_its_own_key(client, login_as):
    login_as("resident")
    page = client.get("/account").get_data(as_text=True)
    forms = re.findall(r"<form\b[^>]*method=\"?post", page, re.IGNORECASE)
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert len(keys) == len(forms) >= 2  # the profile form and the log-out button at least
    assert len(set(keys)) == len(keys)


def test_visitors_pages_carry_no_key(client):
    assert "idempotency_key" not in client.get("/login").get_data(as_text=True)


def test_a_repeated_post_is_already_done_and_changes_nothing(app, client, town, login_as):
    user_id = login_as("resident")
    key = _key(client.get("/account").get_data(as_text=True))
    assert client.post("/account", data=_profile(town, key)).status_code == 302
    repeat = client.post("/account", data=_profile(town, key, "又一个名字"), follow_redirects=True)
    assert "这项操作已经完成，无需重复提交。" in repeat.get_data(as_text=True)
    with app.app_context():
        assert _db.session.get(User, user_id).display_name == "新名字"
        assert _db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
    # A fresh key (the form opened again) does the change.
    key = _key(client.get("/account").get_data(as_text=True))
    client.post("/account", data=_profile(town, key, "又一个名字"))
    with app.app_context():
        assert _db.session.get(User, user_id).display_name == "又一个名字"


def test_a_post_that_fails_validation_does_not_use_up_its_key(app, client, town, login_as):
    login_as("resident")
    key = _key(client.get("/account").get_data(as_text=True))
    client.post("/account", data=_profile(town, key, ""))  # name required: nothing saved
    assert client.post("/account", data=_profile(town, key)).status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_a_database_error_after_the_commit_still_answers_success(
    app, client, town, login_as, monkeypatch
):
    """Here the failure is a signal receiver after the commit; on PostgreSQL the test of cut
    connections makes it an attribute refreshed after the commit."""
    import core.signals

    user_id = login_as("resident")

    def broken(session):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(core.signals, "deliver_pending", broken)
    response = client.post("/account", data=_profile(town, "0" * 32))
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert ("success", "已保存。") in session["_flashes"]
    with app.app_context():
        assert _db.session.get(User, user_id).display_name == "新名字"


def test_a_database_error_before_any_commit_is_still_an_error(app, client, login_as, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login_as("resident")
    import core.views.main

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(core.views.main, "render_template", broken)
    assert client.get("/dashboard").status_code == 500
