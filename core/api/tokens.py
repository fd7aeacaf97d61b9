"""Issue, check, list and revoke the API's bearer tokens.

A token is ``xxt_`` plus 32 random bytes (URL-safe). Only its SHA-256 is stored, so a leaked
database gives no usable token; a fast hash is enough because the secret is random, not chosen.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.models import ApiToken, User
from core.timeutil import utcnow

PREFIX = "xxt_"
#: Writing ``last_used_at`` on every request would make each read a write; once an hour will do.
TOUCH_EVERY = timedelta(hours=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``'s device ``name``: the row and the secret (shown once). Commits."""
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:60] or "未命名设备",
        token_hash=_digest(secret),
        session_version=user.session_version,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def user_for(secret: str) -> User | None:
    """The account a presented token stands for, or None when the token is unknown, expired,
    revoked, older than the account's last password change, or its account is disabled."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or user.session_version != token.session_version:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return user


def active_tokens(user_id: int) -> list[ApiToken]:
    """A person's tokens that still work, newest first (listed on /account)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user_id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow(),
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(user_id: int, token_id: int) -> bool:
    """Revoke one of ``user_id``'s own tokens; False when it is not theirs or already gone.
    Commits."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True
