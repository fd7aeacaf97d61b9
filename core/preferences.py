"""Which kinds of message reach a person by which channel (the choices on /account).

Every message is on the person's own message page; the other channels (SMS, WeChat, e-mail)
are chosen per kind. Without a choice the defaults below apply: SMS for the things a villager
must not miss (promotion off the waiting list, a cancellation, the day-before reminder).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.models import NotificationPreference

#: kind → (label, default channels). Kinds not listed here behave like "general".
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "promotion": (_l("候补转正"), frozenset({"sms", "wechat", "email"})),
    "cancellation": (_l("活动取消或变更"), frozenset({"sms", "wechat", "email"})),
    "reminder": (_l("活动前一天提醒"), frozenset({"sms", "wechat", "email"})),
    "dispatch": (_l("讲座派单与接单"), frozenset({"email"})),
    "order": (_l("群众点单进度"), frozenset({"email"})),
    "announcement": (_l("公告"), frozenset({"email"})),
    "general": (_l("其他消息"), frozenset({"email"})),
}
#: Channels a person may choose (the site's own message page is always on).
CHOOSABLE = ("sms", "wechat", "email")
CHANNEL_LABELS = {"sms": _l("短信"), "wechat": _l("微信"), "email": _l("电子邮件")}


def normal_kind(kind: str) -> str:
    return kind if kind in KINDS else "general"


def defaults(kind: str) -> frozenset[str]:
    return KINDS[normal_kind(kind)][1]


def chosen_channels(user_id: int, kind: str) -> frozenset[str]:
    """The channels this person wants for this kind (their choice, else the default)."""
    kind = normal_kind(kind)
    stored = db.session.scalar(
        select(NotificationPreference.channels).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind
        )
    )
    if stored is None:
        return defaults(kind)
    return frozenset(name for name in stored.split(",") if name)


def all_choices(user_id: int) -> dict[str, frozenset[str]]:
    """kind → channels for every kind, for the /account form."""
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.channels).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {
        kind: (frozenset(n for n in stored[kind].split(",") if n) if kind in stored else default)
        for kind, (_label, default) in KINDS.items()
    }


def save_choices(user_id: int, choices: dict[str, set[str]]) -> None:
    """Store the person's choices (unknown kinds and channels are ignored). Caller commits."""
    existing = {
        row.kind: row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    for kind in KINDS:
        value = ",".join(sorted(set(choices.get(kind, set())) & set(CHOOSABLE)))
        row = existing.get(kind)
        if row is None:
            db.session.add(NotificationPreference(user_id=user_id, kind=kind, channels=value))
        else:
            row.channels = value
