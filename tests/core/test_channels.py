"""Each person chooses which kinds reach them by which channel; staff see who nobody reaches."""

from __future__ import annotations

from sqlalchemy import select

from core import notify, reach
from core.extensions import db as _db
from core.models import NotificationDelivery, User
from tests.conftest import log_in

SMS = {"SMS_PROVIDER": "aliyun", "SMS_TEMPLATES": {"promotion": "SMS_1", "reminder": "SMS_2"}}


def channels_of(app, user_id, kind):
    with app.app_context():
        notification = notify.notify(user_id, "消息", kind=kind)
        _db.session.commit()
        return sorted(
            _db.session.scalars(
                select(NotificationDelivery.channel).where(
                    NotificationDelivery.notification_id == notification.id
                )
            )
        )


def test_defaults_send_promotions_by_sms_and_the_rest_on_the_site(make_app, make_user):
    app = make_app(**SMS)
    user_id = make_user()
    assert channels_of(app, user_id, "promotion") == ["log", "sms"]
    assert channels_of(app, user_id, "general") == ["log"]


def test_a_person_turns_sms_off_and_email_on_from_the_account_page(make_app, make_user):
    app = make_app(SMTP_HOST="127.0.0.1", **SMS)
    client = app.test_client()
    user_id = make_user()
    with app.app_context():
        _db.session.get(User, user_id).email = "a@example.org"
        _db.session.commit()
    log_in(client, app, user_id)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="promotion:sms" aria-label="候补转正 短信" checked' in page
    response = client.post(
        "/account/channels", data={"choice": ["promotion:email", "reminder:sms", "bogus:sms"]}
    )
    assert response.headers["Location"] == "/account"
    assert channels_of(app, user_id, "promotion") == ["email", "log"]
    assert channels_of(app, user_id, "reminder") == ["log", "sms"]
    assert channels_of(app, user_id, "cancellation") == ["log"]


def test_choices_need_a_login_and_a_csrf_token(make_app, make_user):
    app = make_app(**SMS)
    client = app.test_client()
    assert client.post("/account/channels", data={"choice": "promotion:sms"}).status_code == 302
    user_id = make_user()
    log_in(client, app, user_id)
    client.post("/account/channels", data={"choice": []}, csrf=False)
    assert channels_of(app, user_id, "promotion") == ["log", "sms"]  # unchanged


def test_a_proxy_registrant_gets_the_sms_and_the_coordinator_the_rest(make_app, make_user):
    app = make_app(**SMS)
    coordinator = make_user("village_coordinator")
    with app.app_context():
        notification = notify.notify(
            coordinator, "张大爷（代报名）已转正", kind="promotion", sms_to="+86 137 0000 0001"
        )
        _db.session.commit()
        rows = sorted(
            (d.channel, d.address or "")
            for d in _db.session.scalars(
                select(NotificationDelivery).where(
                    NotificationDelivery.notification_id == notification.id
                )
            )
        )
    assert rows == [("log", ""), ("sms", "13700000001")]


def test_staff_see_who_no_channel_reaches(make_app, make_user):
    app = make_app(**SMS)
    by_sms, nobody = make_user(name="有短信"), make_user(name="都关了")
    with app.app_context():
        from core import preferences

        preferences.save_choices(nobody, {})
        _db.session.commit()
        assert [u.display_name for u in reach.unreachable([by_sms, nobody])] == ["都关了"]
        app.config["SMS_PROVIDER"] = ""
        assert len(reach.unreachable([by_sms, nobody])) == 2
