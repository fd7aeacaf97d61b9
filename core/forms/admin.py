"""Forms of the site administration: users, org units, roles, audit filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms.auth import REQUIRED, display_name_field, home_village_field, phone_field
from core.forms.fields import STRIP, NotBefore, StrongPassword
from core.models import OrgUnitKind
from core.models.orgunits import KIND_LABELS
from core.roles import ROLES


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), StrongPassword()])


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""


class OrgUnitForm(FlaskForm):
    name = StringField(
        _l("名称"),
        filters=STRIP,
        validators=[DataRequired(REQUIRED), Length(max=100, message=_l("名称不能超过 100 个字。"))],
    )
    kind = SelectField(
        _l("类型"),
        choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    parent_id = SelectField(_l("上级单位"), coerce=int, validators=[Optional()])
    population = IntegerField(
        _l("常住人口"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message=_l("人口应在 0 到 1000 万之间。")),
        ],
    )
    learning_centre_name = StringField(
        _l("学习中心名称"),
        filters=STRIP,
        validators=[Optional(), Length(max=100, message=_l("不能超过 100 个字。"))],
    )
    learning_centre_address = StringField(
        _l("学习中心地址"),
        filters=STRIP,
        validators=[Optional(), Length(max=200, message=_l("不能超过 200 个字。"))],
    )
    learning_centre_opened_on = DateField(_l("学习中心成立日期"), validators=[Optional()])
    description = TextAreaField(
        _l("说明"),
        filters=STRIP,
        validators=[Optional(), Length(max=2000, message=_l("说明不能超过 2000 字。"))],
    )

    def validate_kind(self, field):
        if field.data not in {kind.value for kind in OrgUnitKind}:
            raise ValidationError(_l("请选择单位类型。"))


class GrantRoleForm(FlaskForm):
    role = SelectField(
        _l("角色"),
        choices=[(name, label) for name, label in ROLES.items()],
        validators=[DataRequired(REQUIRED)],
    )
    org_unit_id = SelectField(
        _l("单位（角色对其下级单位同样有效）"),
        coerce=int,
        validators=[DataRequired(_l("请选择单位。"))],
    )


class AdminUserForm(FlaskForm):
    phone = phone_field()
    display_name = display_name_field()
    home_unit_id = home_village_field()
    password = PasswordField(
        _l("初始密码"), validators=[DataRequired(REQUIRED), StrongPassword(phone_field="phone")]
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    #: Choices (the labelled actions and object types) are set by the view.
    action = SelectField(_l("动作"), choices=[], validators=[Optional()])
    object_type = SelectField(_l("对象类型"), choices=[], validators=[Optional()])
    actor = StringField(
        _l("操作人手机号或姓名"), filters=STRIP, validators=[Optional(), Length(max=50)]
    )
    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(
        _l("截止日期"),
        validators=[NotBefore("start", _l("截止日期不能早于起始日期。")), Optional()],
    )
    include_inactive = BooleanField(_l("含停用"))
