"""Forms of the credit bank: a rule and a household name (a ranking's period is core's
``PeriodForm``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms.fields import clean_text


def _not_negative(message: str):
    def check(form, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(message)

    return check


class RuleForm(FlaskForm):
    amount = IntegerField(
        _l("每次（每小时）学分"),
        validators=[
            InputRequired("请填写学分。"),
            NumberRange(min=0, max=1000, message="学分应在 0 到 1000 之间。"),
        ],
    )
    daily_cap = IntegerField(
        _l("每日上限"),
        validators=[
            Optional(),
            _not_negative("每日上限不能为负数；不限请留空。"),
            NumberRange(max=100000, message="每日上限过大。"),
        ],
    )
    monthly_cap = IntegerField(
        _l("每月上限"),
        validators=[
            Optional(),
            _not_negative("每月上限不能为负数；不限请留空。"),
            NumberRange(max=1000000, message="每月上限过大。"),
        ],
    )
    active = BooleanField(_l("启用"))
    submit = SubmitField(_l("保存"))

    def validate_monthly_cap(self, field):
        if (
            field.data is not None
            and self.daily_cap.data is not None
            and 0 <= field.data < self.daily_cap.data
        ):
            raise ValidationError("每月上限不能小于每日上限。")


class HouseholdForm(FlaskForm):
    name = StringField(
        _l("我的家庭（户主姓名或门牌号）"),
        filters=[clean_text],
        validators=[Length(max=50, message="家庭名称最多 50 字。")],
    )
