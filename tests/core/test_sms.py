"""SMS through Alibaba Cloud and Tencent Cloud, against local servers that check the docs.

A message goes out as the kind's approved template under the approved signature; throttling
and errors are stored with the provider's code and retried or given up as the provider says; a
message the provider may have accepted is never sent twice, also when a sender dies mid-batch.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core import notify
from core.extensions import db as _db
from core.models import NotificationDelivery
from core.sms import normalise_phone
from core.timeutil import utcnow
from tests.fakes import sms as fake

PROVIDERS = {
    "aliyun": (
        fake.FakeAliyun,
        {"SMS_ACCESS_KEY_ID": fake.KEY_ID, "SMS_ACCESS_KEY_SECRET": fake.KEY_SECRET},
    ),
    "tencent": (
        fake.FakeTencent,
        {
            "SMS_ACCESS_KEY_ID": fake.SECRET_ID,
            "SMS_ACCESS_KEY_SECRET": fake.SECRET_KEY,
            "SMS_SDK_APP_ID": fake.APP_ID,
        },
    ),
}
TEMPLATES = {"promotion": "SMS_100001", "cancellation": "SMS_100002", "announcement": "1001"}


@pytest.fixture(params=sorted(PROVIDERS))
def provider(request):
    kind, _ = PROVIDERS[request.param]
    server = kind().start()
    server.name = request.param
    yield server
    server.stop()


def sms_app(make_app, provider, **config):
    keys = PROVIDERS[provider.name][1]
    settings = {
        "SMS_PROVIDER": provider.name,
        "SMS_ENDPOINT": provider.url,
        "SMS_SIGN_NAME": fake.SIGN_NAME,
        "SMS_TEMPLATES": TEMPLATES,
        "SMS_QUIET_START": 0,  # quiet hours off unless a test turns them on
        "SMS_QUIET_END": 0,
        **keys,
        **config,
    }
    return make_app(**settings)


def queue(app, user_id, kind="promotion", subject="候补转正：周三法治宣讲") -> None:
    with app.app_context():
        notify.notify(user_id, subject, "您已转为正式报名。", kind=kind)
        _db.session.commit()


def sms_rows(app) -> list[tuple]:
    with app.app_context():
        return [
            (d.status, d.attempts, d.error_code)
            for d in _db.session.scalars(
                select(NotificationDelivery)
                .where(NotificationDelivery.channel == "sms")
                .order_by(NotificationDelivery.id)
            )
        ]


def make_due(app) -> None:
    with app.app_context():
        _db.session.execute(
            update(NotificationDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        _db.session.commit()


def test_a_promotion_goes_out_as_the_approved_template(make_app, provider, make_user):
    app = sms_app(make_app, provider)
    user_id = make_user(phone="13800138000")
    queue(app, user_id)
    with app.app_context():
        assert notify.send_pending() == {"sent": 2, "failed": 0, "gave_up": 0, "unknown": 0}
        delivery = _db.session.scalars(
            select(NotificationDelivery).where(NotificationDelivery.channel == "sms")
        ).one()
        assert delivery.provider_ref == provider.accepted[0]["biz_id"]
        message_id = f"xxt-{delivery.id}"
    [sent] = provider.accepted
    assert sent["phone"] == "13800138000"
    assert sent["template"] == "SMS_100001"
    assert sent["out_id"] == message_id
    expected_params = (
        {"title": "候补转正：周三法治宣讲"}
        if provider.name == "aliyun"
        else ["候补转正：周三法治宣讲"]
    )
    assert sent["params"] == expected_params
    assert sms_rows(app) == [("sent", 1, None)]


def test_no_template_for_the_kind_means_no_sms(make_app, provider, make_user):
    app = sms_app(make_app, provider)
    queue(app, make_user(), kind="general")
    assert sms_rows(app) == []


@pytest.mark.parametrize(
    ("setting", "value", "codes"),
    [
        (
            "SMS_ACCESS_KEY_SECRET",
            "wrong",
            {"SignatureDoesNotMatch", "AuthFailure.SignatureFailure"},
        ),
        (
            "SMS_ACCESS_KEY_ID",
            "nobody",
            {"InvalidAccessKeyId.NotFound", "AuthFailure.SecretIdNotFound"},
        ),
    ],
)
def test_a_bad_key_is_stored_and_retried(make_app, provider, make_user, setting, value, codes):
    app = sms_app(make_app, provider, **{setting: value})
    queue(app, make_user())
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
    [(status, attempts, code)] = sms_rows(app)
    assert (status, attempts) == ("pending", 1) and code in codes
    assert provider.accepted == []


def test_an_unapproved_template_is_given_up_at_once(make_app, provider, make_user):
    app = sms_app(make_app, provider, SMS_TEMPLATES={"promotion": "SMS_999"})
    queue(app, make_user())
    with app.app_context():
        assert notify.send_pending()["gave_up"] == 1
    expected = {
        "aliyun": "isv.SMS_TEMPLATE_ILLEGAL",
        "tencent": "FailedOperation.TemplateIncorrectOrUnapproved",
    }[provider.name]
    assert sms_rows(app) == [("failed", 1, expected)]


def test_per_number_throttling_is_retried_later(make_app, provider, make_user):
    app = sms_app(make_app, provider)
    user_id = make_user()
    queue(app, user_id, subject="第一条")
    queue(app, user_id, subject="第二条")
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
    expected = {
        "aliyun": "isv.BUSINESS_LIMIT_CONTROL",
        "tencent": "LimitExceeded.PhoneNumberThirtySecondLimit",
    }[provider.name]
    assert sms_rows(app) == [("sent", 1, None), ("pending", 1, expected)]
    assert len(provider.accepted) == 1


def test_api_rate_throttling_is_repeated_at_once(make_app, provider, make_user, monkeypatch):
    """The API refusing for its request rate accepted nothing: the client asks again."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    provider.bucket.refuse = 2  # the next two requests are refused for the API's rate
    app = sms_app(make_app, provider)
    queue(app, make_user())
    with app.app_context():
        notify.send_pending()
    assert sms_rows(app) == [("sent", 1, None)]
    assert provider.throttled == 2 and len(provider.accepted) == 1


def test_a_500_is_retried_and_then_sent_once(make_app, provider, make_user):
    app = sms_app(make_app, provider)
    queue(app, make_user())
    provider.faults = ["500"]
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
    assert sms_rows(app) == [("pending", 1, "HTTP500")]
    make_due(app)
    with app.app_context():
        assert notify.send_pending()["sent"] == 1
    assert sms_rows(app) == [("sent", 2, None)]
    assert len(provider.accepted) == 1


def test_a_lost_answer_is_never_sent_again(make_app, provider, make_user):
    """The provider took the message but the answer never came: unknown, not re-sent."""
    app = sms_app(make_app, provider)
    queue(app, make_user())
    provider.faults = ["drop_after_accept"]
    with app.app_context():
        assert notify.send_pending()["unknown"] == 1
        make_due(app)
        assert notify.send_pending()["sent"] == 0
    assert sms_rows(app) == [("unknown", 1, "AnswerLost")]
    assert len(provider.accepted) == 1


def test_a_provider_that_is_down_is_retried(make_app, provider, make_user):
    app = sms_app(make_app, provider, SMS_ENDPOINT="http://127.0.0.1:9/")  # nothing listens
    queue(app, make_user())
    with app.app_context():
        assert notify.send_pending()["failed"] == 1
    assert sms_rows(app) == [("pending", 1, "NotDelivered")]


def test_a_sender_killed_mid_batch_never_sends_twice(make_app, provider, make_user, monkeypatch):
    """Killed after handing over one group: that group turns unknown, the rest go out once."""
    app = sms_app(make_app, provider, NOTIFICATION_LEASE_SECONDS=60)
    users = [make_user() for _ in range(3)]
    for number, user_id in enumerate(users):
        queue(app, user_id, subject=f"通知{number}")  # three subjects: three groups
    channel = notify.CHANNELS["sms"]
    real_send = type(channel).send

    def send_then_die(self, group):
        real_send(self, group)
        raise KeyboardInterrupt  # the process dies right after the provider accepted

    monkeypatch.setattr(type(channel), "send", send_then_die)
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        notify.send_pending()
    monkeypatch.undo()
    assert len(provider.accepted) == 1
    assert [s for s, *_ in sms_rows(app)] == ["sending", "pending", "pending"]
    with app.app_context():  # a second sender now: the lease still holds the rest
        assert notify.send_pending()["sent"] == 0
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(notify, "utcnow", lambda: later)
    with app.app_context():
        counts = notify.send_pending()
    assert counts["sent"] == 2
    assert [s for s, *_ in sms_rows(app)] == ["unknown", "sent", "sent"]
    assert sorted(m["phone"] for m in provider.accepted) == sorted(
        f"139{n:08d}" for n in range(1, 4)
    )


def test_an_announcement_is_sent_in_batches(make_app, provider, make_user):
    app = sms_app(make_app, provider)
    users = [make_user() for _ in range(3)]
    with app.app_context():
        assert notify.notify_many(users, "村里停水通知") == 3
        assert notify.send_pending()["sent"] == 6  # log and SMS each
    assert provider.requests == 1
    assert sorted(m["phone"] for m in provider.accepted) == [f"139{n:08d}" for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("12800138000", None),
        ("1380013800", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(raw, normal):
    assert normalise_phone(raw) == normal
