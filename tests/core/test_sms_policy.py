"""Quiet hours (no SMS 21:00–08:00 except urgent kinds) and the monthly SMS budget."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core import notify
from core.extensions import db as _db
from core.models import Notification, NotificationDelivery
from core.sms import policy
from tests.core.test_sms import PROVIDERS, TEMPLATES, queue
from tests.fakes import sms as fake

# 22:30 in Shanghai (UTC+8) and 10:00 the same day in Shanghai.
NIGHT = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
MORNING_AFTER = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 00:00 local, still quiet
DAY = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def aliyun():
    with fake.FakeAliyun() as server:
        yield server


def app_for(make_app, server, **config):
    return make_app(
        SMS_PROVIDER="aliyun",
        SMS_ENDPOINT=server.url,
        SMS_SIGN_NAME=fake.SIGN_NAME,
        SMS_TEMPLATES=TEMPLATES,
        **PROVIDERS["aliyun"][1],
        **config,
    )


def sms_due(app) -> list[tuple[str, str, datetime]]:
    with app.app_context():
        return [
            (kind, status, due.astimezone(UTC))
            for kind, status, due in _db.session.execute(
                select(
                    Notification.kind,
                    NotificationDelivery.status,
                    NotificationDelivery.next_attempt_at,
                )
                .join(Notification)
                .where(NotificationDelivery.channel == "sms")
                .order_by(NotificationDelivery.id)
            )
        ]


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (NIGHT, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # 22:30 → 08:00 next day
        (MORNING_AFTER, datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # 00:00 → 08:00 same day
        (DAY, None),
        (datetime(2026, 11, 30, 13, 0, tzinfo=UTC), datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        (datetime(2026, 11, 30, 12, 59, tzinfo=UTC), None),  # 20:59
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), None),  # 08:00 exactly
    ],
)
def test_quiet_hours_end_at_eight(app, now, until):
    with app.app_context():
        assert policy.quiet_until(now) == until


def test_at_night_only_urgent_sms_go_out(make_app, aliyun, make_user, monkeypatch):
    app = app_for(make_app, aliyun)
    queue(app, make_user(), kind="promotion")
    queue(app, make_user(), kind="cancellation", subject="今晚讲座取消")
    monkeypatch.setattr(notify, "utcnow", lambda: NIGHT)
    with app.app_context():
        notify.send_pending()
    assert sms_due(app)[0] == ("promotion", "pending", datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert sms_due(app)[1][:2] == ("cancellation", "sent")
    assert [m["template"] for m in aliyun.accepted] == ["SMS_100002"]


def test_the_budget_stops_at_100_percent_and_warns_admins(make_app, aliyun, make_user):
    app = app_for(make_app, aliyun, SMS_QUIET_START=0, SMS_QUIET_END=0, SMS_MONTHLY_LIMIT=4)
    admin = make_user("site_admin")
    users = [make_user() for _ in range(5)]
    with app.app_context():
        notify.notify_many(users, "停水通知", channels=("sms",))
        notify.send_pending()
        warnings = _db.session.scalars(
            select(Notification.subject)
            .where(Notification.user_id == admin)
            .order_by(Notification.id)
        ).all()
        _, next_month = policy.month_bounds(notify.utcnow())
    assert len(aliyun.accepted) == 4
    statuses = [status for _, status, _ in sms_due(app)]
    assert statuses == ["sent"] * 4 + ["pending"]
    assert sms_due(app)[4][2] == next_month.astimezone(UTC)
    assert warnings == ["短信预算已用 100%（4/4 条）"]  # 80 % and 100 % crossed at once


def test_a_yuan_budget_is_turned_into_messages(app):
    with app.app_context():
        app.config.update(SMS_MONTHLY_BUDGET_YUAN=1.0, SMS_PRICE_YUAN=0.045)
        assert policy.monthly_limit() == 22
        app.config.update(SMS_MONTHLY_LIMIT=10)
        assert policy.monthly_limit() == 10
