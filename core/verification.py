"""6-digit SMS verification codes for sign-up and password reset.

Only an HMAC of the code is stored; a code lives ``VERIFY_CODE_MINUTES`` (5) and allows
``VERIFY_MAX_TRIES`` (5) guesses; a number gets at most one code a minute and
``VERIFY_PER_NUMBER_DAY`` (10) a day, an address ``VERIFY_PER_IP_HOUR`` (20) an hour. The
answer never tells whether a number is registered: a code row is written (and limits counted)
either way, and the SMS goes only where the purpose makes sense (sign-up: a new number; reset:
a registered one). Without an SMS provider, development shows the code in the log and on the
page; production refuses (password resets then go through an admin, as before).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import accounts, httpclient, sms
from core.config import is_production
from core.extensions import db
from core.models import VerificationCode
from core.timeutil import utcnow

log = logging.getLogger("xiangxuetong.verification")

PURPOSES = ("signup", "reset")
NO_SMS = _l("本站尚未开通短信验证码。忘记密码请联系村（社区）管理员或系统管理员重置。")
BAD_PHONE = _l("请输入正确的 11 位手机号。")
TOO_SOON = _l("验证码已发送，请 1 分钟后再获取。")
DAY_LIMIT = _l("这个手机号今天获取验证码的次数已达上限，请明天再试。")
IP_LIMIT = _l("获取验证码过于频繁，请稍后再试。")
SEND_FAILED = _l("短信发送失败，请稍后再试。")
SENT = _l("如果这个手机号可以使用，验证码已经发出，5 分钟内有效。")
WRONG = _l("验证码不正确或已过期，请重新获取。")
LOCKED = _l("验证码输错次数太多，请重新获取。")


@dataclass
class Requested:
    ok: bool
    message: str
    shown_code: str | None = None  # development without a provider only


def available() -> bool:
    """Codes can be sent (a provider), or shown (development)."""
    return bool(current_app.config.get("SMS_PROVIDER")) or not is_production(current_app)


def signup_requires_code() -> bool:
    """``SIGNUP_REQUIRES_CODE`` (True/False) or, when unset, whether an SMS provider is set."""
    setting = current_app.config.get("SIGNUP_REQUIRES_CODE")
    if setting is None:
        return bool(current_app.config.get("SMS_PROVIDER"))
    return bool(setting) and available()


def _digest(phone: str, purpose: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _limited(phone: str, ip: str | None, now) -> str | None:
    settings = current_app.config
    recent = select(func.count(VerificationCode.id))
    if db.session.scalar(
        recent.where(
            VerificationCode.phone == phone,
            VerificationCode.created_at > now - timedelta(minutes=1),
        )
    ):
        return str(TOO_SOON)
    if (
        db.session.scalar(
            recent.where(
                VerificationCode.phone == phone,
                VerificationCode.created_at > now - timedelta(days=1),
            )
        )
        >= settings["VERIFY_PER_NUMBER_DAY"]
    ):
        return str(DAY_LIMIT)
    if ip and (
        db.session.scalar(
            recent.where(
                VerificationCode.ip == ip, VerificationCode.created_at > now - timedelta(hours=1)
            )
        )
        >= settings["VERIFY_PER_IP_HOUR"]
    ):
        return str(IP_LIMIT)
    return None


def request_code(raw_phone: str, purpose: str, ip: str | None) -> Requested:
    """Make (and send, where it makes sense) a code; the answer is the same for any number."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    if not available():
        return Requested(False, str(NO_SMS))
    phone = sms.normalise_phone(raw_phone)
    if phone is None:
        return Requested(False, str(BAD_PHONE))
    now = utcnow()
    refused = _limited(phone, ip, now)
    if refused:
        return Requested(False, refused)
    code = f"{secrets.randbelow(10**6):06d}"
    settings = current_app.config
    db.session.add(
        VerificationCode(
            phone=phone,
            purpose=purpose,
            code_hash=_digest(phone, purpose, code),
            ip=ip,
            created_at=now,
            expires_at=now + timedelta(minutes=settings["VERIFY_CODE_MINUTES"]),
        )
    )
    db.session.commit()
    registered = accounts.find_by_phone(phone) is not None
    wanted = registered if purpose == "reset" else not registered
    client = sms.client(settings)
    if client is None:  # development: show it
        log.warning("verification code for %s (%s): %s", phone, purpose, code)
        return Requested(True, str(SENT), shown_code=code)
    if wanted:
        template = (settings.get("SMS_TEMPLATES") or {}).get("verification", "")
        try:
            [result] = client.send([phone], sms.SmsMessage(template, {"code": code}))
        finally:
            httpclient.close_all()  # a web worker keeps no connection to the provider
        if result.error is not None:
            log.warning("verification SMS to %s failed: %s", phone, result.error)
            return Requested(False, str(SEND_FAILED))
    return Requested(True, str(SENT))


def check(raw_phone: str, purpose: str, code: str) -> str | None:
    """None when the code is right (and now used up); else the message to show."""
    phone = sms.normalise_phone(raw_phone)
    if phone is None:
        return str(WRONG)
    now = utcnow()
    row = db.session.scalar(
        select(VerificationCode)
        .where(VerificationCode.phone == phone, VerificationCode.purpose == purpose)
        .order_by(VerificationCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        db.session.commit()
        return str(WRONG)
    if row.tries >= current_app.config["VERIFY_MAX_TRIES"]:
        db.session.commit()
        return str(LOCKED)
    row.tries += 1
    if hmac.compare_digest(row.code_hash, _digest(phone, purpose, (code or "").strip())):
        row.used_at = now
        db.session.commit()
        return None
    db.session.commit()
    return str(LOCKED) if row.tries >= current_app.config["VERIFY_MAX_TRIES"] else str(WRONG)
