"""Forms of assigned learning: a course for a group with a deadline, the party roster."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired

from core.forms.fields import MobilePhone
from plugins.learning.assignments.models import GROUPS


class AssignmentForm(FlaskForm):
    course_id = SelectField(_l("课程"), coerce=int)
    org_unit_id = SelectField(_l("单位"), coerce=int)
    group = SelectField(_l("学员"), choices=list(GROUPS.items()))
    due_on = DateField(_l("截止日期"), validators=[InputRequired("请填写截止日期。")])


class PartyMemberForm(FlaskForm):
    phone = StringField(_l("手机号"), validators=[InputRequired("请填写手机号。"), MobilePhone()])
    org_unit_id = SelectField(_l("所在党支部（村、社区）"), coerce=int)
