"""Edges of the outbox and the provider clients: an unknown channel, a bad SMS number, an
idle kept-alive connection, the robot's length limit, WeChat errors on the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import httpclient, notify, reach
from core.channels import Channel
from core.extensions import db as _db
from core.models import NotificationDelivery, User, WeChatBinding
from core.wechat import WeChatError, forget_tokens, robot
from tests.core.test_sms import PROVIDERS, TEMPLATES
from tests.fakes import sms as fake
from tests.fakes import wechat as fake_wechat


def test_a_delivery_for_a_channel_that_is_gone_is_kept_and_retried(app, make_user):
    user_id = make_user()

    class Pager(Channel):
        name = "pager"

    notify.register_channel(Pager())  # registered, used, then removed (an uninstalled plugin)
    assert "pager" in notify.CHANNELS
    del notify.CHANNELS["pager"]
    with app.app_context():
        notification = notify.notify(user_id, "消息", channels=())
        notification.deliveries.append(NotificationDelivery(channel="pager"))
        _db.session.commit()
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
        delivery = _db.session.scalars(select(NotificationDelivery)).one()
        assert delivery.status == "pending" and "unknown channel pager" in delivery.last_error


def test_an_invalid_number_is_given_up_and_a_kept_connection_is_reused(make_app, make_user):
    with fake.FakeAliyun(per_number_per_minute=5) as server:
        app = make_app(
            SMS_PROVIDER="aliyun",
            SMS_ENDPOINT=server.url,
            SMS_SIGN_NAME=fake.SIGN_NAME,
            SMS_TEMPLATES=TEMPLATES,
            SMS_QUIET_START=0,
            SMS_QUIET_END=0,
            **PROVIDERS["aliyun"][1],
        )
        user_id = make_user()
        with app.app_context():
            notification = notify.notify(user_id, "甲", kind="promotion")
            notification.deliveries.append(NotificationDelivery(channel="sms", address="123"))
            _db.session.commit()
            counts = notify.send_pending()
            codes = sorted(
                (d.status, d.error_code or "")
                for d in _db.session.scalars(
                    select(NotificationDelivery).where(NotificationDelivery.channel == "sms")
                )
            )
        assert counts["gave_up"] == 1 and codes == [("failed", "BadNumber"), ("sent", "")]
        # the same thread's connection is reused, then dropped when idle too long
        first = httpclient.request("GET", server.url)
        second = httpclient.request("GET", server.url)
        assert first.status == second.status == 400  # MissingAccessKeyId, on one connection
        httpclient.IDLE_SECONDS, saved = -1.0, httpclient.IDLE_SECONDS
        try:
            httpclient.request("GET", server.url)
        finally:
            httpclient.IDLE_SECONDS = saved
            httpclient.close_all()


def test_the_robot_cuts_markdown_to_4096_bytes(app):
    text = "乡" * 3000  # 9,000 bytes
    cut = robot.trim(text)
    assert len(cut.encode()) <= 4096 and cut.endswith("…")
    assert robot.trim("短") == "短"
    with app.app_context(), pytest.raises(WeChatError):
        robot.post_markdown("x")  # no WECOM_WEBHOOK_URL


def test_wechat_errors_fail_the_commands(make_app):
    forget_tokens()
    with fake_wechat.FakeWeChat() as server:
        base = server.url.rstrip("/")
        app = make_app(
            WECOM_WEBHOOK_URL=f"{base}/cgi-bin/webhook/send?key=wrong",
            WECHAT_APP_ID=fake_wechat.APP_ID,
            WECHAT_APP_SECRET="wrong",
            WECHAT_API_BASE=base,
        )
        runner = app.test_cli_runner()
        digest = runner.invoke(args=["wechat", "digest"])
        assert digest.exit_code == 1 and "93000" in digest.output
        draft = runner.invoke(args=["wechat", "weekly-draft"])
        assert draft.exit_code == 1 and "40125" in draft.output
    forget_tokens()


def test_email_and_wechat_count_as_reaching_someone(make_app, make_user):
    app = make_app(SMTP_HOST="127.0.0.1", WECHAT_TEMPLATES={"reminder": "T"})
    by_mail, by_wechat = make_user(), make_user()
    with app.app_context():
        _db.session.get(User, by_mail).email = "a@example.org"
        _db.session.add(WeChatBinding(user_id=by_wechat, openid="o-1"))
        _db.session.commit()
        assert reach.unreachable([by_mail, by_wechat]) == []
        assert reach.unreachable([]) == []
