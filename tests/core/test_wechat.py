"""WeChat against a local server that checks what the documentation requires: the WeCom
robot, the official account's draft box and subscribe messages, web authorisation, and the
server callback's signature."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core import notify
from core.extensions import db as _db
from core.hooktypes import CalendarEntry
from core.models import NotificationDelivery, WeChatBinding
from core.wechat import cli as wechat_cli
from core.wechat import digest, forget_tokens
from tests.conftest import log_in
from tests.fakes import wechat as fake


@pytest.fixture
def server():
    forget_tokens()
    with fake.FakeWeChat() as running:
        yield running
    forget_tokens()


@pytest.fixture
def wx_app(make_app, server):
    base = server.url.rstrip("/")
    return make_app(
        WECOM_WEBHOOK_URL=f"{base}/cgi-bin/webhook/send?key={fake.ROBOT_KEY}",
        WECHAT_APP_ID=fake.APP_ID,
        WECHAT_APP_SECRET=fake.APP_SECRET,
        WECHAT_API_BASE=base,
        WECHAT_OAUTH_BASE="https://open.weixin.example",
        WECHAT_TOKEN="callback-token",
        WECHAT_THUMB_MEDIA_ID="THUMB_1",
        WECHAT_TEMPLATES={"reminder": "TPL_REMIND"},
        SITE_URL="https://xuexi.example.org",
    )


MORNING = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(wechat_cli, "utcnow", lambda: MORNING)


def lecture(days: int = 0) -> CalendarEntry:
    start = MORNING + timedelta(days=days, hours=11, minutes=30)  # 19:30 local
    return CalendarEntry(
        uid=f"t{days}",
        source="test",
        title="法治宣讲",
        start=start,
        end=start + timedelta(hours=1),
        url="/calendar/e/1/x",
        location="甲村学习中心",
    )


def test_the_daily_digest_goes_to_the_group_as_markdown(wx_app, server, monkeypatch):
    monkeypatch.setattr(
        digest,
        "public_entries",
        lambda start, end: [lecture()] if start <= lecture().start < end else [],
    )
    result = wx_app.test_cli_runner().invoke(args=["wechat", "digest"])
    assert result.exit_code == 0, result.output
    [content] = server.robot
    lines = content.splitlines()
    assert lines[0].startswith("**指尖学习 · ")
    assert "> 今日活动（1）" in lines
    assert "- 19:30 [法治宣讲](https://xuexi.example.org/calendar/e/1/x)，甲村学习中心" in lines
    assert "> 明日预告（0）" in lines


def test_an_announcement_and_the_robot_limit(wx_app, server):
    runner = wx_app.test_cli_runner()
    assert runner.invoke(args=["wechat", "announce", "明天停水"]).exit_code == 0
    assert server.robot == ["**通知**\n明天停水"]
    server.robot_limit = 1
    refused = runner.invoke(args=["wechat", "announce", "再来一条"])
    assert refused.exit_code == 1 and "45009" in refused.output


def test_a_wrong_robot_key_is_reported(make_app, server):
    app = make_app(WECOM_WEBHOOK_URL=f"{server.url}cgi-bin/webhook/send?key=wrong")
    result = app.test_cli_runner().invoke(args=["wechat", "announce", "x"])
    assert result.exit_code == 1 and "93000" in result.output


def test_the_weekly_article_lands_in_the_draft_box(wx_app, server, monkeypatch):
    monkeypatch.setattr(digest, "public_entries", lambda start, end: [lecture(), lecture(2)])
    runner = wx_app.test_cli_runner()
    assert "draft media_id=MEDIA_1" in runner.invoke(args=["wechat", "weekly-draft"]).output
    [article] = server.drafts[0]["articles"]
    assert article["title"].startswith("首善双槐 · 本周学习活动")
    assert article["thumb_media_id"] == "THUMB_1"
    assert article["content"].count("<li>19:30 法治宣讲（甲村学习中心）</li>") == 2
    server.expire_tokens()  # the cached token is refused once and fetched again
    assert "draft media_id=MEDIA_2" in runner.invoke(args=["wechat", "weekly-draft"]).output


def test_binding_by_web_authorisation_then_subscribe_messages(wx_app, server, make_user):
    client = wx_app.test_client()
    user_id = make_user()
    log_in(client, wx_app, user_id)
    start = client.get("/account/wechat")
    assert start.headers["Location"].startswith(
        "https://open.weixin.example/connect/oauth2/authorize?appid=wx-test-app&redirect_uri="
    )
    with client.session_transaction() as session:
        state = session["wechat_state"]
    assert client.get("/account/wechat/callback?code=code-zhang&state=forged").status_code == 302
    with wx_app.app_context():
        assert _db.session.scalars(select(WeChatBinding)).all() == []
    with client.session_transaction() as session:
        session["wechat_state"] = state
    client.get(f"/account/wechat/callback?code=code-zhang&state={state}")
    with wx_app.app_context():
        assert _db.session.scalars(select(WeChatBinding.openid)).all() == ["o-zhang-openid"]
        notify.notify(
            user_id,
            "明晚法治宣讲提醒",
            kind="reminder",
            link=("calendar.occurrence", {"event_id": 1, "key": "x"}),
        )
        _db.session.commit()
        counts = notify.send_pending()
        wechat = _db.session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.channel == "wechat")
        ).one()
        assert (counts["sent"], wechat.status) == (2, "sent")
    [sent] = server.subscribe
    assert sent == {
        "touser": "o-zhang-openid",
        "template_id": "TPL_REMIND",
        "data": {"thing1": {"value": "明晚法治宣讲提醒"}},
        "page": "https://xuexi.example.org/calendar/e/1/x",
    }
    client.post("/account/wechat/unbind")
    with wx_app.app_context():
        assert _db.session.scalars(select(WeChatBinding)).all() == []


def test_an_invalid_openid_is_given_up(wx_app, server, make_user):
    user_id = make_user()
    with wx_app.app_context():
        _db.session.add(WeChatBinding(user_id=user_id, openid="o-gone"))
        notify.notify(user_id, "提醒", kind="reminder")
        _db.session.commit()
        assert notify.send_pending()["gave_up"] == 1
        delivery = _db.session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.channel == "wechat")
        ).one()
        assert (delivery.status, delivery.error_code) == ("failed", "40003")


def signed(token="callback-token", timestamp="1700000000", nonce="42"):
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def test_the_server_callback_checks_the_signature(wx_app):
    client = wx_app.test_client()
    answer = client.get(f"/wechat/callback?{signed()}&echostr=hello")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "hello")
    assert client.get(f"/wechat/callback?{signed(token='wrong')}&echostr=x").status_code == 400
    assert client.get("/wechat/callback?echostr=x").status_code == 400
    posted = client.post(f"/wechat/callback?{signed()}", data=b"<xml></xml>", csrf=False)
    assert posted.get_data(as_text=True) == "success"


def test_staff_post_an_announcement_to_the_group_through_the_outbox(
    wx_app, server, make_user, town
):
    from core.models import AuditLog

    client = wx_app.test_client()
    for role, unit in (("resident", None), ("village_coordinator", town.village_a_id)):
        log_in(client, wx_app, make_user(role, unit))
        assert client.get("/admin/wechat-group/").status_code == 403
        assert (
            client.post("/admin/wechat-group/", data={"subject": "x", "body": "y"}).status_code
            == 403
        )
    manager = make_user("programme_manager", town.town_id)
    log_in(client, wx_app, manager)
    assert "微信群通知" in client.get("/").get_data(as_text=True)  # in the staff navigation
    empty = client.post("/admin/wechat-group/", data={"subject": " ", "body": "停水"})
    assert "此项必填。" in empty.get_data(as_text=True)
    posted = client.post(
        "/admin/wechat-group/", data={"subject": "停水通知", "body": "明天上午停水。"}
    )
    assert posted.status_code == 302 and server.robot == []  # queued, not yet sent
    with wx_app.app_context():
        assert notify.send_pending()["sent"] == 1
        assert notify.send_pending()["sent"] == 0  # never twice
        audit = _db.session.scalars(select(AuditLog)).all()
        assert [(a.action, a.actor_id, a.summary) for a in audit] == [
            ("core.wechat_group_posted", manager, "停水通知")
        ]
    assert server.robot == ["**停水通知**\n明天上午停水。"]
    assert "已发出" in client.get("/admin/wechat-group/").get_data(as_text=True)


def test_without_a_webhook_the_group_page_says_so_and_queues_nothing(make_app, make_user, town):
    app = make_app(WECOM_WEBHOOK_URL="")
    client = app.test_client()
    log_in(client, app, make_user("site_admin"))
    page = client.get("/admin/wechat-group/").get_data(as_text=True)
    assert "本站还没有设置村微信群机器人（WECOM_WEBHOOK_URL），暂时不能发到微信群。" in page
    answer = client.post(
        "/admin/wechat-group/", data={"subject": "停水通知", "body": "明天停水。"}
    ).get_data(as_text=True)
    assert "本站还没有设置村微信群机器人（WECOM_WEBHOOK_URL），通知没有发出。" in answer
    with app.app_context():
        assert _db.session.scalars(select(NotificationDelivery)).all() == []


def test_a_group_post_given_up_when_the_webhook_is_removed(make_app, make_user):
    from core.wechat import robot

    app = make_app(WECOM_WEBHOOK_URL="")
    with app.app_context():
        robot.queue_group_post(make_user("site_admin"), "停水通知", "明天停水。")
        _db.session.commit()
        assert notify.send_pending()["gave_up"] == 1
        delivery = _db.session.scalars(select(NotificationDelivery)).one()
        assert (delivery.status, delivery.error_code) == ("failed", "-4")
