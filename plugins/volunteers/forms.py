"""Forms of the volunteers plugin; every message is Chinese and shown beside its field."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms.fields import MOMENT_FORMAT, clean_text, moment_range

REQUIRED = "此项必填。"


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier on a phone than a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    home_unit_id = SelectField(
        _l("所在村（社区）"), coerce=int, validators=[InputRequired(REQUIRED)]
    )
    skills = MultiCheckboxField(_l("我能做的（技能）"), coerce=int)
    teams = MultiCheckboxField(_l("所属志愿队"), coerce=int)
    villages = MultiCheckboxField(_l("愿意服务的村（社区）"), coerce=int)
    monthly_max_shifts = IntegerField(
        _l("每月最多班次"),
        default=4,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, 31, message="每月最多班次应在 1 到 31 之间。"),
        ],
    )
    note = TextAreaField(
        _l("补充说明"), filters=[clean_text], validators=[Length(max=500, message="最多 500 字。")]
    )

    def validate_skills(self, field):
        if not field.data:
            raise ValidationError("请至少选择一项技能（不确定可选“其他”）。")


class ShiftForm(FlaskForm):
    title = StringField(
        _l("班次名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=120, message="最多 120 字。")],
    )
    org_unit_id = SelectField(_l("服务地点所属单位"), coerce=int)
    venue = StringField(
        _l("具体地点"), filters=[clean_text], validators=[Length(max=200, message="最多 200 字。")]
    )
    starts_at, ends_at = moment_range()
    signup_opens_at, signup_closes_at = moment_range(
        _l("报名开始（可空）"),
        _l("报名截止（可空）"),
        start_name="signup_opens_at",
        required=False,
        message="报名截止必须晚于报名开始。",
    )
    withdraw_deadline = DateTimeLocalField(
        _l("退出截止（可空，默认开始时）"), format=MOMENT_FORMAT, validators=[Optional()]
    )
    #: Choices come from the calendar service (see ``calendar_link``); checked in the view.
    calendar_event_ref = SelectField(
        _l("服务于日历上的哪次活动（可空）"), choices=[("", "—")], validate_choice=False
    )
    description = TextAreaField(
        _l("说明"), filters=[clean_text], validators=[Length(max=2000, message="最多 2000 字。")]
    )
    public = BooleanField(_l("在公开日历上显示"), default=True)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = self.starts_at.data, self.ends_at.data
        if start and end and (end - start).total_seconds() > 24 * 3600:
            self.ends_at.errors.append("一个班次不能超过 24 小时。")
            ok = False
        for field in (self.signup_closes_at, self.withdraw_deadline):
            if start and field.data and field.data > start:
                field.errors.append("不能晚于班次开始时间。")
                ok = False
        return ok


class RoleForm(FlaskForm):
    name = StringField(
        _l("岗位名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=60, message="最多 60 字。")],
    )
    needed = IntegerField(
        _l("需要人数"),
        default=1,
        validators=[
            InputRequired("请填写人数。"),
            NumberRange(1, 100, message="需要人数应在 1 到 100 之间。"),
        ],
    )
    skills = MultiCheckboxField(_l("需要的技能"), coerce=int)


class SignupForm(FlaskForm):
    role_id = HiddenField(validators=[InputRequired()])
    waitlist = HiddenField(default="")


class HoursField(FloatField):
    """Hours as a number; anything else is refused in plain Chinese, not as a "float"."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("请填写数字（小时），例如 1.5。"))) from error


def hours_in_range(form, field) -> None:
    """More than 0 and at most 24 hours (the bound of the shift is checked on confirming)."""
    value = field.data
    if value is None:
        return
    if not math.isfinite(value) or value <= 0:
        raise StopValidation(str(_l("服务时长必须大于 0 小时。")))
    if value > 24:
        raise StopValidation(str(_l("服务时长不能超过 24 小时。")))


class HoursForm(FlaskForm):
    hours = HoursField(
        _l("服务时长（小时）"),
        validators=[InputRequired(_l("请填写服务时长。")), hours_in_range],
    )
    reason = StringField(
        _l("超出原因"),
        filters=[clean_text],
        validators=[Length(max=300, message=_l("最多 300 字。"))],
    )


class SkillForm(FlaskForm):
    name = StringField(
        _l("技能名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=40, message="最多 40 字。")],
    )


class TeamForm(FlaskForm):
    name = StringField(
        _l("志愿队名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=60, message="最多 60 字。")],
    )
    description = TextAreaField(
        _l("介绍"), filters=[clean_text], validators=[Length(max=500, message="最多 500 字。")]
    )


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("从"), validators=[Optional()])
    end = DateField(_l("到"), validators=[Optional()])


class AutofillForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("从哪天开始"), validators=[Optional()])
    days = IntegerField(
        _l("天数"), default=7, validators=[Optional(), NumberRange(1, 31, message="1 到 31 天。")]
    )
