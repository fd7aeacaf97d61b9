"""The form of one 每日一练 answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired


class PracticeAnswerForm(FlaskForm):
    day = HiddenField()
    choice = RadioField(_l("您的答案"), validators=[InputRequired("请选择一个答案。")])
