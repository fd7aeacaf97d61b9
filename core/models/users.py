"""People who sign in: phone number as login."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db
from core.models.orgunits import OrgUnit
from core.timeutil import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(50))
    home_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Raised on password change or admin reset; old sessions then stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Wrong passwords in a row; at LOGIN_LOCKOUT_THRESHOLD the account locks for a while.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    home_unit: Mapped[OrgUnit | None] = relationship()
    role_assignments = relationship(
        "RoleAssignment",
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleAssignment.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot stay logged in
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Hash with ``PASSWORD_HASH_METHOD`` (werkzeug's scrypt by default)."""
        method = (
            current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
            if has_app_context()
            else "scrypt"
        )
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def is_locked(self, now: datetime) -> bool:
        """Locked after too many wrong passwords, until ``locked_until`` passes."""
        return self.locked_until is not None and self.locked_until > now

    def record_failed_login(self, now: datetime, threshold: int, minutes: int) -> None:
        """Count a wrong password; the threshold-th in a row locks the account."""
        self.failed_logins = (self.failed_logins or 0) + 1
        if self.failed_logins >= threshold:
            self.locked_until = now + timedelta(minutes=minutes)
            self.failed_logins = 0

    def unlock(self) -> None:
        """Forget wrong passwords (a successful login or an admin reset)."""
        self.failed_logins = 0
        self.locked_until = None

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def __str__(self) -> str:
        return self.display_name


def mask_phone(phone: str | None) -> str:
    """138****0000: the middle four digits hidden."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
