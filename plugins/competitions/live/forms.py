"""Forms of the live quiz: setting one up, joining from a phone, typing in a paper sheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from core.forms.fields import clean_text
from plugins.competitions.forms import CATEGORY_CHOICES, REQUIRED


class LiveForm(FlaskForm):
    title = StringField(
        _l("名称"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    org_unit_id = SelectField(_l("举办村（社区）或单位"), coerce=int)
    category = SelectField(
        _l("题目分类"), choices=[("", _l("不限")), *CATEGORY_CHOICES], default=""
    )
    question_count = IntegerField(
        _l("题数"), default=5, validators=[InputRequired(REQUIRED), NumberRange(1, 30)]
    )
    seconds_per_question = IntegerField(
        _l("每题秒数"), default=30, validators=[InputRequired(REQUIRED), NumberRange(5, 600)]
    )
    scheduled_at = DateTimeLocalField(_l("计划时间（可不填）"), validators=[Optional()])
    location = StringField(_l("地点"), filters=[clean_text], validators=[Length(max=120)])


class JoinForm(FlaskForm):
    code = StringField(
        _l("问答码"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=8)]
    )
    name = StringField(
        _l("您的姓名"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=30)]
    )
    village_id = SelectField(_l("所在村（社区）"), coerce=int)

    def validate_village_id(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择所在村（社区）。")


class PaperForm(FlaskForm):
    name = StringField(
        _l("姓名"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=30)]
    )
    village_id = SelectField(_l("所在村（社区）"), coerce=int)
    answers = StringField(
        _l("各题答案"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=300)],
        description=_l("按题目顺序用空格分隔，如“A 对 BC”；未答写 -"),
    )

    def validate_village_id(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择所在村（社区）。")
