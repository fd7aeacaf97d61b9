"""The outbox: queued once, delivered by channels, retried on failure, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core import notify
from core.extensions import db as _db
from core.models import Notification, NotificationDelivery
from core.timeutil import utcnow
from tests.conftest import log_in


@pytest.fixture
def queued(app, make_user):
    user_id = make_user()
    with app.app_context():
        notification = notify.notify(
            user_id, "候补转正", "您已从候补转为正式报名。", ("main.dashboard", {})
        )
        _db.session.commit()
        return user_id, notification.id


def deliveries(app):
    with app.app_context():
        return [
            (d.channel, d.status, d.attempts)
            for d in _db.session.scalars(
                select(NotificationDelivery).order_by(NotificationDelivery.id)
            )
        ]


def test_queued_then_sent_through_the_log_channel(app, queued):
    assert deliveries(app) == [("log", "pending", 0)]
    with app.app_context():
        assert notify.send_pending() == {"sent": 1, "failed": 0, "gave_up": 0, "unknown": 0}
    assert deliveries(app) == [("log", "sent", 1)]


def test_email_channel_only_with_smtp_and_an_address(make_app, make_user):
    app = make_app(SMTP_HOST="127.0.0.1")
    user_id = make_user()
    with app.app_context():
        from core.models import User

        _db.session.get(User, user_id).email = "a@example.org"
        notify.notify(user_id, "主题")
        _db.session.commit()
    assert sorted(channel for channel, *_ in deliveries(app)) == ["email", "log"]


def test_a_failing_channel_keeps_the_row_and_retries(app, queued, monkeypatch):
    def broken(self, notification):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(notify.LogChannel, "deliver", broken)
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
        delivery = _db.session.scalars(select(NotificationDelivery)).one()
        assert delivery.status == "pending" and "gateway down" in delivery.last_error
        assert delivery.next_attempt_at > utcnow()
        assert notify.send_pending()["failed"] == 0  # not due yet
        delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    monkeypatch.undo()
    with app.app_context():
        assert notify.send_pending()["sent"] == 1


def test_gives_up_after_the_configured_attempts(make_app, make_user, monkeypatch):
    app = make_app(NOTIFICATION_MAX_ATTEMPTS=2)
    user_id = make_user()
    monkeypatch.setattr(notify.LogChannel, "deliver", lambda self, n: 1 / 0)
    with app.app_context():
        notify.notify(user_id, "x")
        _db.session.commit()
        for _ in range(2):
            notify.send_pending()
            for delivery in _db.session.scalars(select(NotificationDelivery)):
                delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
            _db.session.commit()
    assert deliveries(app) == [("log", "failed", 2)]


def test_dedupe_key_queues_once(app, make_user):
    user_id = make_user()
    with app.app_context():
        assert notify.notify(user_id, "提醒", dedupe_key="reminder:1") is not None
        assert notify.notify(user_id, "提醒", dedupe_key="reminder:1") is None
        _db.session.commit()
        assert len(_db.session.scalars(select(Notification)).all()) == 1


def test_send_command(app, queued, runner):
    result = runner.invoke(args=["notifications", "send"])
    assert "sent=1" in result.output


def test_person_reads_own_notifications_only(app, client, queued, make_user):
    owner, notification_id = queued
    log_in(client, app, owner)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "候补转正" in page
    assert '消息 <span class="badge">1</span>' in page
    response = client.post(f"/notifications/{notification_id}/read")
    assert response.headers["Location"] == "/dashboard"
    log_in(client, app, make_user())
    assert "候补转正" not in client.get("/notifications/").get_data(as_text=True)
    assert client.post(f"/notifications/{notification_id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404


def test_mark_all_read(app, client, queued):
    owner, _ = queued
    log_in(client, app, owner)
    client.post("/notifications/read-all")
    with app.app_context():
        assert _db.session.scalars(select(Notification)).one().read_at is not None


def test_several_senders_deliver_each_row_once(app, make_user, runner):
    users = [make_user() for _ in range(4)]
    with app.app_context():
        for user_id in users:
            notify.notify(user_id, "通知")
        _db.session.commit()
    result = runner.invoke(args=["notifications", "send", "--senders", "2", "--until-empty"])
    assert "sent=4 retry=0 gave_up=0 unknown=0" in result.output, result.output
    assert deliveries(app) == [("log", "sent", 1)] * 4


def test_unknown_rows_are_listed_and_requeued_by_hand(app, queued, runner):
    with app.app_context():
        delivery = _db.session.scalars(select(NotificationDelivery)).one()
        delivery.status, delivery.handed_at, delivery.attempts = "unknown", utcnow(), 1
        _db.session.commit()
        delivery_id = delivery.id
    listing = runner.invoke(args=["notifications", "unknown"]).output
    assert f"{delivery_id}\tlog\t" in listing and "候补转正" in listing and "unknown=1" in listing
    assert runner.invoke(args=["notifications", "send"]).output.startswith("sent=0")
    requeued = runner.invoke(args=["notifications", "unknown", "--requeue", str(delivery_id)])
    assert "unknown=0" in requeued.output
    assert runner.invoke(args=["notifications", "send"]).output.startswith("sent=1")
    assert deliveries(app) == [("log", "sent", 2)]
