"""Forms of the learning plugin: course, lesson, attachment, event link, check question."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.forms.fields import clean_text
from plugins.learning.models import CATEGORIES, COMPLETION_RULES


class CourseForm(FlaskForm):
    title = StringField(
        _l("课程名称"),
        filters=[clean_text],
        validators=[InputRequired("请填写课程名称。"), Length(max=120, message="最多 120 字。")],
    )
    audience = StringField(
        _l("面向对象"),
        filters=[clean_text],
        validators=[Optional(), Length(max=120, message="最多 120 字。")],
    )
    category = SelectField(_l("主题"), choices=list(CATEGORIES.items()))
    completion_rule = SelectField(_l("学完规则"), choices=list(COMPLETION_RULES.items()))
    org_unit_id = SelectField(_l("所属单位"), coerce=int)
    description = TextAreaField(
        _l("课程简介"),
        filters=[clean_text],
        validators=[Optional(), Length(max=2000, message="最多 2000 字。")],
    )


class LessonForm(FlaskForm):
    title = StringField(
        _l("课时名称"),
        filters=[clean_text],
        validators=[InputRequired("请填写课时名称。"), Length(max=120, message="最多 120 字。")],
    )
    position = IntegerField(
        _l("顺序"),
        validators=[
            InputRequired("请填写顺序。"),
            NumberRange(min=1, max=999, message="顺序应在 1 到 999 之间。"),
        ],
    )
    body = TextAreaField(
        _l("课文"),
        filters=[clean_text],
        validators=[Optional(), Length(max=20000, message="最多 20000 字。")],
    )
    media = FileField(_l("图片、音频或视频（可选）"))
    question_id = SelectField(_l("课后小题（题库）"), coerce=int)


class AttachmentForm(FlaskForm):
    file = FileField(_l("附件（PDF、Word、Excel、PPT 或图片，最大 20 MB）"))


class EventLinkForm(FlaskForm):
    event = SelectField(_l("干部夜校或其他线下课"))


class CheckForm(FlaskForm):
    choice = RadioField(_l("您的答案"), validators=[InputRequired("请选择一个答案。")])


class PositionForm(FlaskForm):
    seconds = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=86400)])
