"""Field validators shared by core and plugin forms."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

from core.accounts import is_valid_phone, normalise_phone, password_problem


def clean_text(value: str | None) -> str | None:
    """Trim and drop control characters (keeps newlines and tabs)."""
    if value is None:
        return None
    kept = [ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C"]
    return "".join(kept).strip()


class MobilePhone:
    """A mainland mobile number: 11 digits starting with 1[3-9] (spaces and +86 tolerated)."""

    def __call__(self, form, field):
        field.data = normalise_phone(field.data or "")
        if not is_valid_phone(field.data):
            raise ValidationError(_l("请输入 11 位中国大陆手机号，例如 13800000000。"))


class StrongPassword:
    """The password rule of ``core.accounts.password_problem``, also refusing the phone number,
    read from another field (``phone_field``) or a form attribute (``phone_attribute``)."""

    def __init__(self, phone_field: str | None = None, phone_attribute: str | None = None):
        self.phone_field, self.phone_attribute = phone_field, phone_attribute

    def __call__(self, form, field):
        phone = None
        if self.phone_field:
            phone = form[self.phone_field].data
        elif self.phone_attribute:
            phone = getattr(form, self.phone_attribute, None)
        problem = password_problem(field.data or "", phone)
        if problem:
            raise ValidationError(problem)


class NotBefore:
    """This field's value may not come before ``other``'s (``strict``: must come after it).

    The one rule behind every "end before start" check on a form; empty values are left to
    the field's own Required/Optional validators.
    """

    def __init__(self, other: str, message: str, strict: bool = False):
        self.other, self.message, self.strict = other, message, strict

    def __call__(self, form, field):
        earlier = form[self.other].data
        if field.data is None or earlier is None:
            return
        if field.data < earlier or (self.strict and field.data == earlier):
            raise ValidationError(self.message)


STRIP = [clean_text]
