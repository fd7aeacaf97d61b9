"""Channels that carry outbox deliveries: log, e-mail (SMTP), SMS, WeChat subscribe messages.

A channel says whom it reaches (``applies_to``), which deliveries may travel in one provider
request (``batch_key``), and sends a group (``send``), answering one ``Outcome`` per delivery.
Connections are opened lazily and reused for the whole sender run (``close`` at the end).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app

from core import sms
from core.models import User

log = logging.getLogger("xiangxuetong.notifications")


@dataclass(frozen=True)
class Envelope:
    """A claimed delivery as plain values, so committing its state reloads nothing."""

    id: int
    notification_id: int
    user_id: int
    kind: str
    subject: str
    body: str
    link: str | None
    address: str | None
    email: str | None
    phone: str | None
    attempts: int

    @property
    def message_id(self) -> str:
        """Stable across retries: a duplicate at the receiving end can be recognised by it."""
        return f"xxt-{self.id}"


@dataclass
class Outcome:
    """What happened to one delivery: accepted, to retry, given up, or unknown (answer lost)."""

    ok: bool
    ref: str = ""
    fee: int | None = None
    error: str = ""
    code: str = ""
    retry: bool = True
    unsure: bool = False


class Channel:
    """A way to reach a person. Simple channels implement ``deliver(notification)`` only."""

    name = "base"
    batch_size = 1

    def applies_to(self, user: User, kind: str = "general") -> bool:
        return True

    def batch_key(self, delivery: Envelope) -> object:
        return delivery.id  # one request per delivery

    def deliver(self, notification: Envelope) -> None:
        raise NotImplementedError

    def send(self, deliveries: list[Envelope]) -> list[Outcome]:
        outcomes = []
        for delivery in deliveries:
            try:
                self.deliver(delivery)
            except Exception as error:  # a channel fault must never lose the message
                outcomes.append(Outcome(False, error=repr(error)))
            else:
                outcomes.append(Outcome(True))
        return outcomes

    def close(self) -> None:
        """Release connections kept for the run."""


class LogChannel(Channel):
    """Writes each message to the application log (always on; the on-site list is the table)."""

    name = "log"

    def deliver(self, notification: Envelope) -> None:
        log.info("notify user=%s subject=%s", notification.user_id, notification.subject)


class SmtpChannel(Channel):
    """E-mail through ``SMTP_HOST``, one connection per sender reused for every message.

    Each message carries a Message-ID made from the delivery id, so a copy that arrives twice
    (a sender killed between hand-over and record) is recognisable as the same message.
    """

    name = "email"

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        """Mails recorded as handed over in one commit (``SMTP_BATCH``): fewer commits, and at
        most this many mails of unknown fate if the sender is killed in between."""
        return int(current_app.config["SMTP_BATCH"])

    def batch_key(self, delivery: Envelope) -> object:
        return "mail"

    def applies_to(self, user: User, kind: str = "general") -> bool:
        return bool(current_app.config["SMTP_HOST"] and user.email)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            settings = current_app.config
            smtp = smtplib.SMTP(settings["SMTP_HOST"], settings["SMTP_PORT"], timeout=20)
            if settings["SMTP_TLS"]:
                smtp.starttls()
            if settings["SMTP_USER"]:
                smtp.login(settings["SMTP_USER"], settings["SMTP_PASSWORD"])
            self._smtp = smtp
        return self._smtp

    def message(self, delivery: Envelope) -> EmailMessage:
        settings = current_app.config
        notification = delivery
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = settings["SMTP_SENDER"]
        message["To"] = delivery.address or notification.email
        domain = urlsplit(settings["SITE_URL"]).hostname or "xiangxuetong.local"
        message["Message-ID"] = f"<{delivery.message_id}@{domain}>"
        link = f"\n\n{settings['SITE_URL']}{notification.link}" if notification.link else ""
        message.set_content(notification.body + link)
        return message

    def send(self, deliveries: list[Envelope]) -> list[Outcome]:
        outcomes = []
        for delivery in deliveries:
            message = self.message(delivery)
            try:
                self._send_one(message)
            except smtplib.SMTPResponseException as error:
                # 5xx: the server refuses for good (e.g. no such mailbox); 4xx: try later.
                outcomes.append(
                    Outcome(False, error=repr(error), code=str(error.smtp_code), retry=True)
                )
            except Exception as error:
                outcomes.append(Outcome(False, error=repr(error)))
            else:
                outcomes.append(Outcome(True, ref=message["Message-ID"]))
        return outcomes

    def _send_one(self, message: EmailMessage) -> None:
        try:
            self._connection().send_message(message)
        except smtplib.SMTPServerDisconnected:
            # A kept connection the server closed while idle: the message was not taken.
            self.close()
            self._connection().send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            self._reset()
            raise
        except OSError:
            self.close()
            raise

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class SmsChannel(Channel):
    """SMS through the provider in ``SMS_PROVIDER``: one template per kind, batched by content."""

    name = "sms"

    def __init__(self) -> None:
        self._client = None

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return getattr(self.client(), "batch_size", 1)

    def client(self):
        if self._client is None:
            self._client = sms.client(current_app.config)
        return self._client

    def applies_to(self, user: User, kind: str = "general") -> bool:
        return bool(current_app.config.get("SMS_PROVIDER") and template_for(kind))

    def message_for(self, notification: Envelope) -> sms.SmsMessage:
        return sms.SmsMessage(
            template_for(notification.kind) or "",
            {"title": notification.subject[: current_app.config["SMS_PARAM_LENGTH"]]},
        )

    def batch_key(self, delivery: Envelope) -> object:
        return (delivery.kind, delivery.subject)

    def send(self, deliveries: list[Envelope]) -> list[Outcome]:
        phones = [sms.normalise_phone(d.address or d.phone or "") for d in deliveries]
        outcomes: list[Outcome | None] = [
            None if phone else Outcome(False, code="BadNumber", error="号码无效", retry=False)
            for phone in phones
        ]
        todo = [i for i, phone in enumerate(phones) if phone]
        if todo:
            out_id = deliveries[todo[0]].message_id if len(todo) == 1 else ""
            message = self.message_for(deliveries[todo[0]])
            results = self.client().send([phones[i] for i in todo], message, out_id)
            for index, result in zip(todo, results, strict=True):
                error = result.error
                outcomes[index] = (
                    Outcome(True, ref=result.ref, fee=result.fee)
                    if error is None
                    else Outcome(
                        False,
                        error=str(error),
                        code=error.code,
                        retry=error.retry,
                        unsure=error.unsure,
                    )
                )
        return outcomes  # type: ignore[return-value]

    def close(self) -> None:
        from core import httpclient

        httpclient.close_all()
        self._client = None


class WeChatChannel(Channel):
    """Subscribe messages (订阅通知) to people who bound their WeChat, one template per kind."""

    name = "wechat"

    def applies_to(self, user: User, kind: str = "general") -> bool:
        from core.extensions import db
        from core.models import WeChatBinding

        settings = current_app.config
        if not (
            settings.get("WECHAT_APP_ID") and (settings.get("WECHAT_TEMPLATES") or {}).get(kind)
        ):
            return False
        return bool(
            db.session.scalar(db.select(WeChatBinding.id).where(WeChatBinding.user_id == user.id))
        )

    def send(self, deliveries: list[Envelope]) -> list[Outcome]:
        from core.extensions import db
        from core.models import WeChatBinding
        from core.wechat import WeChatError, official

        outcomes = []
        for delivery in deliveries:
            openid = db.session.scalar(
                db.select(WeChatBinding.openid).where(WeChatBinding.user_id == delivery.user_id)
            )
            template = (current_app.config.get("WECHAT_TEMPLATES") or {}).get(delivery.kind)
            if not openid or not template:
                outcomes.append(Outcome(False, code="Unbound", error="未绑定微信", retry=False))
                continue
            link = f"{current_app.config['SITE_URL']}{delivery.link}" if delivery.link else ""
            try:
                official.send_subscribe(openid, template, {"thing1": delivery.subject[:20]}, link)
            except WeChatError as error:
                outcomes.append(
                    Outcome(
                        False,
                        error=str(error),
                        code=str(error.code),
                        retry=error.retry,
                        unsure=error.unsure,
                    )
                )
            else:
                outcomes.append(Outcome(True))
        return outcomes

    def close(self) -> None:
        from core import httpclient

        httpclient.close_all()


class WeComGroupChannel(Channel):
    """The village WeChat group through the WeCom robot: staff announcements as markdown.

    Reaches no person by preference (``applies_to`` is False); rows are queued explicitly."""

    name = "wecom_group"

    def applies_to(self, user: User, kind: str = "general") -> bool:
        return False

    def send(self, deliveries: list[Envelope]) -> list[Outcome]:
        from core.wechat import WeChatError, robot

        outcomes = []
        for delivery in deliveries:
            try:
                robot.post_markdown(robot.group_markdown(delivery.subject, delivery.body))
            except WeChatError as error:
                retry = error.retry and error.code != -4  # -4: no webhook configured
                outcomes.append(
                    Outcome(
                        False,
                        error=str(error),
                        code=str(error.code),
                        retry=retry,
                        unsure=error.unsure,
                    )
                )
            else:
                outcomes.append(Outcome(True))
        return outcomes


def template_for(kind: str) -> str | None:
    """The approved template code for a kind of message (``SMS_TEMPLATES``), or None."""
    return (current_app.config.get("SMS_TEMPLATES") or {}).get(kind) or None
