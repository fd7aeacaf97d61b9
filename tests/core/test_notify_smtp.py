"""The e-mail channel against a real SMTP server (aiosmtpd, on 127.0.0.1 in the test).

A message arrives with the person's address, the subject and the Chinese body intact; a server
that refuses the recipient or is down leaves the delivery queued and retried later, never lost.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from core import notify
from core.extensions import db as _db
from core.models import NotificationDelivery, User
from core.timeutil import utcnow

ADDRESS = "zhang.san@example.org"
SUBJECT = "候补转正：周三晚上的法治宣讲"
BODY = "您已从候补转为正式报名，请于晚上七点到村学习中心签到。"


class Mailbox:
    """An aiosmtpd handler that keeps what it is sent, or refuses every recipient."""

    def __init__(self) -> None:
        self.envelopes = []
        self.peers: list[tuple] = []  # the client's address per message: one per connection
        self.refuse_recipients = False
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mail-pass")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    """A port on 127.0.0.1 where (until ``smtp_server`` starts) nothing listens."""
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """``smtp_server()`` starts a local SMTP server on ``smtp_port``; returns its Mailbox."""
    started = []

    def start() -> Mailbox:
        mailbox = Mailbox()
        controller = Controller(
            mailbox,
            hostname="127.0.0.1",
            port=smtp_port,
            authenticator=mailbox.authenticate,
            auth_require_tls=False,  # the test server has no certificate
        )
        controller.start()
        started.append(controller)
        return mailbox

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_port):
    return make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        SMTP_TLS=False,
        SMTP_SENDER="noreply@xiangxuetong.example",
        SITE_URL="https://xuexi.example.org",
    )


@pytest.fixture
def queued_mail(mail_app, make_user) -> int:
    """One notification queued for a person with an e-mail address; returns its id."""
    user_id = make_user(name="张三")
    with mail_app.app_context():
        _db.session.get(User, user_id).email = ADDRESS
        notification = notify.notify(user_id, SUBJECT, BODY, link=("calendar.index", {}))
        _db.session.commit()
        return notification.id


def _email_delivery() -> NotificationDelivery:
    return _db.session.scalars(
        select(NotificationDelivery).where(NotificationDelivery.channel == "email")
    ).one()


def test_email_arrives_with_address_subject_and_chinese_body(mail_app, queued_mail, smtp_server):
    mailbox = smtp_server()
    with mail_app.app_context():
        assert notify.send_pending() == {
            "sent": 2,
            "failed": 0,
            "gave_up": 0,
            "unknown": 0,
        }  # log and e-mail
        delivery = _email_delivery()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, None)
    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "noreply@xiangxuetong.example"
    assert envelope.rcpt_tos == [ADDRESS]
    message = message_from_bytes(envelope.original_content, policy=email_policy.default)
    assert message["To"] == ADDRESS
    assert message["From"] == "noreply@xiangxuetong.example"
    assert message["Subject"] == SUBJECT
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == f"{BODY}\n\nhttps://xuexi.example.org/calendar/\n"


def test_email_logs_in_when_a_user_is_configured(make_app, smtp_port, smtp_server, make_user):
    app = make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_port,
        SMTP_TLS=False,
        SMTP_USER="xxt",
        SMTP_PASSWORD="mail-pass",
    )
    user_id = make_user()
    mailbox = smtp_server()
    with app.app_context():
        _db.session.get(User, user_id).email = ADDRESS
        notify.notify(user_id, SUBJECT, BODY)
        _db.session.commit()
        assert notify.send_pending()["sent"] == 2
    assert mailbox.logins == [(b"xxt", b"mail-pass")]
    assert len(mailbox.envelopes) == 1


def _assert_queued_for_retry(delivery, attempts: int, before, after, error: str) -> None:
    """Still pending, the error kept, next try 1, 2, 4 ... minutes after this one."""
    delay = timedelta(minutes=2 ** (attempts - 1))
    assert delivery.status == "pending" and delivery.attempts == attempts
    assert error in delivery.last_error
    assert before + delay <= delivery.next_attempt_at <= after + delay


def test_refused_recipient_keeps_the_mail_queued_with_backoff(mail_app, queued_mail, smtp_server):
    mailbox = smtp_server()
    mailbox.refuse_recipients = True
    with mail_app.app_context():
        for attempts in (1, 2):
            before = utcnow()
            counts = notify.send_pending()
            after = utcnow()
            assert counts["failed"] == 1
            delivery = _email_delivery()
            _assert_queued_for_retry(delivery, attempts, before, after, "SMTPRecipientsRefused")
            assert "550" in delivery.last_error
            assert notify.send_pending() == {
                "sent": 0,
                "failed": 0,
                "gave_up": 0,
                "unknown": 0,
            }  # not yet due
            delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
            _db.session.commit()
        mailbox.refuse_recipients = False
        assert notify.send_pending()["sent"] == 1
        assert _email_delivery().status == "sent"
    assert [envelope.rcpt_tos for envelope in mailbox.envelopes] == [[ADDRESS]]


def test_server_down_keeps_the_mail_queued_until_it_is_back(mail_app, queued_mail, smtp_server):
    with mail_app.app_context():
        before = utcnow()
        assert notify.send_pending() == {
            "sent": 1,
            "failed": 1,
            "gave_up": 0,
            "unknown": 0,
        }  # log sent
        after = utcnow()
        delivery = _email_delivery()
        _assert_queued_for_retry(delivery, 1, before, after, "ConnectionRefusedError")
        delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    mailbox = smtp_server()
    with mail_app.app_context():
        assert notify.send_pending() == {"sent": 1, "failed": 0, "gave_up": 0, "unknown": 0}
        assert _email_delivery().attempts == 2
    assert len(mailbox.envelopes) == 1


def test_one_connection_carries_every_mail_of_a_run(mail_app, make_user, smtp_server):
    mailbox = smtp_server()
    users = [make_user() for _ in range(3)]
    with mail_app.app_context():
        for number, user_id in enumerate(users):
            _db.session.get(User, user_id).email = f"p{number}@example.org"
            notify.notify(user_id, SUBJECT, BODY)
        _db.session.commit()
        assert notify.send_pending()["sent"] == 6
        ids = _db.session.scalars(
            select(NotificationDelivery.id)
            .where(NotificationDelivery.channel == "email")
            .order_by(NotificationDelivery.id)
        ).all()
    assert len(mailbox.envelopes) == 3
    assert len(set(mailbox.peers)) == 1
    message_ids = [
        message_from_bytes(e.original_content, policy=email_policy.default)["Message-ID"]
        for e in mailbox.envelopes
    ]
    assert message_ids == [f"<xxt-{i}@xuexi.example.org>" for i in ids]


def test_a_sender_killed_after_the_server_took_the_mail_does_not_send_it_again(
    mail_app, queued_mail, smtp_server, monkeypatch
):
    mailbox = smtp_server()
    real_send = notify.SmtpChannel.send

    def send_then_die(self, group):
        real_send(self, group)
        raise KeyboardInterrupt

    monkeypatch.setattr(notify.SmtpChannel, "send", send_then_die)
    with mail_app.app_context(), pytest.raises(KeyboardInterrupt):
        notify.send_pending()
    monkeypatch.undo()
    later = utcnow() + timedelta(seconds=mail_app.config["NOTIFICATION_LEASE_SECONDS"] + 1)
    monkeypatch.setattr(notify, "utcnow", lambda: later)
    with mail_app.app_context():
        assert notify.send_pending()["sent"] == 0
        assert _email_delivery().status == "unknown"
    assert len(mailbox.envelopes) == 1
