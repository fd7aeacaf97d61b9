"""Field validators and field pairs shared by core and plugin forms (date and time ranges,
the query-string period of the report pages)."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, ValidationError
from wtforms.validators import InputRequired, Optional

from core.accounts import is_valid_phone, normalise_phone, password_problem
from core.timeutil import local_today

#: The value format of ``<input type="datetime-local">``.
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


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


def date_range(
    start_label: str = _l("开始日期"),
    end_label: str = _l("结束日期"),
    *,
    start_name: str = "start",
    required: bool = False,
    message: str = "结束日期不能早于开始日期。",
) -> tuple[DateField, DateField]:
    """A pair of date fields, the second not before the first: ``start, end = date_range()``.

    ``start_name`` is the attribute the first field is assigned to (the end checks it).
    """
    presence = InputRequired(_l("请填写日期。")) if required else Optional()
    return (
        DateField(start_label, validators=[presence]),
        DateField(end_label, validators=[NotBefore(start_name, message), presence]),
    )


def moment_range(
    start_label: str = _l("开始时间"),
    end_label: str = _l("结束时间"),
    *,
    start_name: str = "starts_at",
    required: bool = True,
    message: str = "结束时间必须晚于开始时间。",
    start_message: str = "请填写开始时间。",
    end_message: str = "请填写结束时间。",
) -> tuple[DateTimeLocalField, DateTimeLocalField]:
    """A pair of local date-time fields (``<input type="datetime-local">``), the second strictly
    after the first: ``starts_at, ends_at = moment_range()``."""
    first = InputRequired(start_message) if required else Optional()
    second = InputRequired(end_message) if required else Optional()
    return (
        DateTimeLocalField(start_label, format=MOMENT_FORMAT, validators=[first]),
        DateTimeLocalField(
            end_label,
            format=MOMENT_FORMAT,
            validators=[NotBefore(start_name, message, strict=True), second],
        ),
    )


class PeriodForm(FlaskForm):
    """A period of whole local days, both ends included, read from the query string; without
    dates (or with bad ones) it is this year so far. ``max_days`` caps its length."""

    class Meta:
        csrf = False

    start, end = date_range()
    max_days: int | None = None

    def validate_end(self, field) -> None:
        start = self.start.data
        if self.max_days and field.data and start and (field.data - start).days > self.max_days:
            raise ValidationError(_l("统计期间太长，请缩短。"))

    def bounds(self) -> tuple[date, date]:
        """(first day, day after the last)."""
        today = local_today()
        if self.errors:
            return today.replace(month=1, day=1), today + timedelta(days=1)
        start = self.start.data or today.replace(month=1, day=1)
        end = self.end.data or max(today, start)
        return start, end + timedelta(days=1)
