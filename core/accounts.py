"""Public functions on accounts: create users, check passwords, grant and revoke roles."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db
from core.models import OrgUnit, RoleAssignment, User
from core.roles import ROLES
from core.timeutil import utcnow

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
PASSWORD_MIN_LENGTH = 8
COMMON_PASSWORDS = frozenset(
    {
        "12345678",
        "123456789",
        "password",
        "password1",
        "qwerty123",
        "11111111",
        "88888888",
        "abc12345",
        "a1234567",
        "iloveyou",
        "woaini1314",
        "1qaz2wsx",
    }
)


def normalise_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86/86 prefix from a typed phone number."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def is_valid_phone(phone: str) -> bool:
    return bool(PHONE_PATTERN.match(phone))


def password_problem(password: str, phone: str | None = None) -> str | None:
    """Why ``password`` is too weak (a Chinese sentence), or None if it will do."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _("密码至少需要 %(n)s 位。", n=PASSWORD_MIN_LENGTH)
    if len(password) > 128:
        return _("密码不能超过 128 位。")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return _("密码需要同时包含字母和数字。")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return _("这个密码太常见或太简单，请换一个。")
    if phone and phone in password:
        return _("密码不能包含手机号。")
    return None


def find_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def authenticate(phone: str, password: str) -> User | None:
    """The active account with this phone and password, or None. The log-in page and the API
    token endpoint both call this: a wrong password counts towards the lockout, a locked or
    disabled account never passes, and the caller cannot tell which case it was. One password
    hash is checked in every case (a dummy one when there is no usable account), so the answer
    takes as long whether the number is registered or not. Commits."""
    found = find_by_phone(phone)
    now = utcnow()
    user = found if found is not None and not found.is_locked(now) else None
    matches = password_matches(user, password)
    if user is None:
        return None
    if matches and user.active:
        user.last_login_at = now
        user.unlock()
        db.session.commit()
        return user
    user.record_failed_login(
        now,
        current_app.config["LOGIN_LOCKOUT_THRESHOLD"],
        current_app.config["LOGIN_LOCKOUT_MINUTES"],
    )
    db.session.commit()
    return None


def password_matches(user: User | None, password: str) -> bool:
    """Check ``password`` against ``user``'s hash, or with no user against a dummy hash of the
    same method, so a log-in takes as long whether the number is registered or not."""
    if user is not None:
        return check_password_hash(user.password_hash, password)
    check_password_hash(_dummy_hash(), password)
    return False


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    hashes = current_app.extensions.setdefault("xxt_dummy_hashes", {})
    if method not in hashes:
        hashes[method] = generate_password_hash("no-such-account-0", method=method)
    return hashes[method]


def create_user(
    phone: str,
    password: str,
    display_name: str,
    home_unit: OrgUnit | None = None,
    email: str | None = None,
    roles: tuple[str, ...] = ("resident",),
) -> User:
    """Make an account; every person is a resident of their home village. Caller commits."""
    user = User(phone=phone, display_name=display_name, home_unit=home_unit, email=email or None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    for role in roles:
        unit = home_unit
        if unit is not None:
            grant_role(user, role, unit)
    return user


def role_assignment(user: User, role: str, unit: OrgUnit) -> RoleAssignment | None:
    """``user``'s assignment of ``role`` on exactly ``unit``, if they hold one."""
    return db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.org_unit_id == unit.id,
        )
    )


def grant_role(
    user: User, role: str, unit: OrgUnit, granted_by: User | None = None
) -> RoleAssignment:
    """Give ``user`` ``role`` on ``unit``; returns the existing assignment if there is one."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    existing = role_assignment(user, role, unit)
    if existing:
        return existing
    assignment = RoleAssignment(
        user_id=user.id,
        role=role,
        org_unit_id=unit.id,
        granted_by_id=granted_by.id if granted_by else None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def users_with_role(role: str, unit: OrgUnit | None = None) -> list[User]:
    """Users who hold ``role`` on ``unit`` or above it (None: anywhere)."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == role, User.active.is_(True))
    )
    if unit is not None:
        query = query.where(RoleAssignment.org_unit_id.in_(unit.ancestor_ids))
    return list(db.session.scalars(query.distinct()))


def users_holding(roles, unit_ids) -> list[User]:
    """Active people holding any of ``roles`` on any of ``unit_ids`` exactly, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role.in_(list(roles)),
                RoleAssignment.org_unit_id.in_(list(unit_ids)),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.display_name)
        )
    )


def person_label(user: User) -> str:
    """How staff tell apart two people of one name, e.g. 张三（甲村，尾号 1234）."""
    parts = [user.home_unit.name] if user.home_unit else []
    if user.phone:
        parts.append(_("尾号 %(digits)s", digits=user.phone[-4:]))
    return f"{user.display_name}（{'，'.join(parts)}）" if parts else user.display_name
