"""Forms for people's mediation requests, scheduling and outcomes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms.fields import clean_text, moment_range
from plugins.volunteers.forms import REQUIRED, MultiCheckboxField
from plugins.volunteers.mediation.models import DISPUTE_TYPES, OUTCOMES


class MediationRequestForm(FlaskForm):
    org_unit_id = SelectField(_l("纠纷所在村（社区）"), coerce=int)
    dispute_type = SelectField(_l("纠纷类型"), choices=list(DISPUTE_TYPES.items()))
    parties_count = IntegerField(
        _l("当事人数"),
        default=2,
        validators=[
            InputRequired("请填写当事人数。"),
            NumberRange(2, 50, message="当事人数应在 2 到 50 之间。"),
        ],
    )
    parties = TextAreaField(
        _l("当事人（每行一人，仅调解员可见）"),
        filters=[clean_text],
        validators=[Length(max=1000, message="最多 1000 字。")],
    )
    party_villages = MultiCheckboxField(_l("当事人所在村（社区）"), coerce=int)
    preferred_times = StringField(
        _l("方便的时间"),
        filters=[clean_text],
        validators=[Length(max=300, message="最多 300 字。")],
    )
    description = TextAreaField(
        _l("简要情况（仅调解员可见）"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=2000, message="最多 2000 字。")],
    )


class ScheduleForm(FlaskForm):
    starts_at, ends_at = moment_range()
    venue = StringField(
        _l("地点"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=200, message="最多 200 字。")],
    )
    mediators = MultiCheckboxField(_l("调解员"), coerce=int)
    helpers = MultiCheckboxField(_l("协助的志愿者（可选）"), coerce=int)


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("调解结果"), choices=list(OUTCOMES.items()))
    note = TextAreaField(
        _l("情况说明"),
        filters=[clean_text],
        validators=[Length(max=2000, message="最多 2000 字。")],
    )
    follow_up_on = DateField(_l("回访日期（可空）"), validators=[Optional()])


class RecuseForm(FlaskForm):
    mediator_row_id = IntegerField(validators=[InputRequired()])
    reason = StringField(
        _l("回避原因"),
        filters=[clean_text],
        default="与当事人同村，回避",
        validators=[Length(max=200, message="最多 200 字。")],
    )
