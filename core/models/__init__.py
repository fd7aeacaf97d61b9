"""Core tables: org units, users, role assignments, audit log, notifications."""

from core.models.api_tokens import ApiToken
from core.models.audit import AuditLog
from core.models.availability import Availability, Blackout
from core.models.idempotency import IdempotencyKey
from core.models.notifications import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from core.models.orgunits import OrgUnit, OrgUnitKind
from core.models.reach import VerificationCode, WeChatBinding
from core.models.roles import RoleAssignment
from core.models.users import User

__all__ = [
    "ApiToken",
    "AuditLog",
    "Availability",
    "Blackout",
    "IdempotencyKey",
    "Notification",
    "NotificationDelivery",
    "NotificationPreference",
    "OrgUnit",
    "OrgUnitKind",
    "RoleAssignment",
    "User",
    "VerificationCode",
    "WeChatBinding",
]
