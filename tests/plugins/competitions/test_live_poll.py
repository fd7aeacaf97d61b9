"""Phones poll the live quiz from the shared cache: 304 when nothing changed, no SQL at all."""

from __future__ import annotations

from plugins.competitions.live import poll as live_poll
from tests.plugins.competitions.test_live import _phone, _quiz


def test_polling_answers_304_without_a_database_query_until_the_host_moves_on(
    app, client, town, login_as, sql_statements
):
    quiz_id, code, _host = _quiz(app, client, town, login_as)
    phone = _phone(app, code, "王大妈", town.village_a_id)
    url = f"/contests/live/play/{code}/state.json"
    first = phone.get(url)
    assert first.get_json()["state"] == "waiting"
    etag = first.headers["ETag"]
    assert etag == '"waiting.-1"'

    with sql_statements() as seen:
        again = phone.get(url, headers={"If-None-Match": etag})
        fresh = phone.get(url)
    assert (again.status_code, again.data) == (304, b"")
    assert fresh.status_code == 200
    assert seen == []  # not one query on the polling path

    assert client.post(f"/contests/live/{quiz_id}/advance").status_code == 302
    moved = phone.get(url, headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert (moved.get_json()["state"], moved.get_json()["index"]) == ("question", 0)
    assert 0 < moved.get_json()["seconds_left"] <= 30
    assert moved.headers["ETag"] == '"question.0"'


def test_an_unknown_code_is_404(client):
    assert client.get("/contests/live/play/NOPE99/state.json").status_code == 404


def test_without_redis_a_stale_process_entry_is_read_again(
    app, client, town, login_as, monkeypatch
):
    """Per-process memory: another worker's step is seen within MEMORY_FRESH_SECONDS."""
    quiz_id, code, _host = _quiz(app, client, town, login_as)
    url = f"/contests/live/play/{code}/state.json"
    assert client.get(url).get_json()["state"] == "waiting"
    with app.app_context():
        from core.extensions import db
        from plugins.competitions.live.models import LiveSession

        db.session.get(LiveSession, quiz_id).state = "finished"  # as another worker would
        db.session.commit()
    assert client.get(url).get_json()["state"] == "waiting"  # this process's entry is fresh
    monkeypatch.setattr(live_poll, "MEMORY_FRESH_SECONDS", -1.0)
    assert client.get(url).get_json()["state"] == "finished"
