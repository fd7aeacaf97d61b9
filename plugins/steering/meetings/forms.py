"""Forms of meetings: calling one (who is invited by role) and recording attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms.fields import clean_text


class MultiCheckboxField(SelectMultipleField):
    """Check boxes; an unknown value (a crafted post) gets a Chinese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        known = {value for value, *_ in self.choices or []}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("包含无效的选项，请重新选择。"))


class MeetingForm(FlaskForm):
    """A progress meeting or staff training: when, how long, the agenda, who is invited."""

    kind = SelectField(_l("会议类型"), validate_choice=False)
    title = StringField(
        _l("会议名称"),
        filters=[clean_text],
        validators=[DataRequired(_l("请填写会议名称。")), Length(max=120)],
    )
    unit_id = SelectField(_l("单位"), coerce=int, validate_choice=False)
    held_on = DateField(_l("会议日期"), validators=[InputRequired(_l("请填写会议日期。"))])
    hours = DecimalField(
        _l("时长（小时）"),
        places=1,
        validators=[
            InputRequired(_l("请填写会议时长。")),
            NumberRange(0.5, 24, _l("时长应在 0.5 到 24 小时之间。")),
        ],
    )
    venue = StringField(_l("地点"), filters=[clean_text], validators=[Optional(), Length(max=200)])
    agenda = TextAreaField(
        _l("议程"), filters=[clean_text], validators=[Optional(), Length(max=4000)]
    )
    roles = MultiCheckboxField(_l("参会人员（按角色邀请）"))


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField(_l("出席人员"), coerce=int)
    minutes = TextAreaField(
        _l("会议纪要"), filters=[clean_text], validators=[Optional(), Length(max=10000)]
    )
