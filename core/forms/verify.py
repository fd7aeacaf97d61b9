"""Forms of the SMS verification-code flows (sign-up code, forgotten password)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Regexp

from core.forms.auth import REQUIRED, phone_field
from core.forms.fields import STRIP, StrongPassword


def code_field() -> StringField:
    return StringField(
        _l("短信验证码"),
        filters=STRIP,
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{6}$", message=_l("验证码是 6 位数字。")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class CodeRequestForm(FlaskForm):
    phone = phone_field()


class ResetPasswordForm(FlaskForm):
    phone = phone_field(autocomplete="username")
    code = code_field()
    password = PasswordField(
        _l("新密码"),
        validators=[DataRequired(REQUIRED), StrongPassword(phone_field="phone")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致。"))],
    )
