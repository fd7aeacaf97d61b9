"""Sign-up, log-in, profile and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from core.forms.fields import STRIP, MobilePhone, StrongPassword

REQUIRED = _l("此项必填。")


def display_name_field() -> StringField:
    return StringField(
        _l("姓名"),
        filters=STRIP,
        validators=[DataRequired(REQUIRED), Length(max=50, message=_l("姓名不能超过 50 个字。"))],
    )


def home_village_field() -> SelectField:
    return SelectField(
        _l("所在村（社区）"), coerce=int, validators=[DataRequired(_l("请选择所在村（社区）。"))]
    )


def phone_field(autocomplete: str = "tel") -> StringField:
    return StringField(
        _l("手机号"),
        validators=[DataRequired(REQUIRED), MobilePhone()],
        render_kw={"inputmode": "tel", "autocomplete": autocomplete},
    )


class ProfileForm(FlaskForm):
    """What a person says about themself; sign-up asks the same and more."""

    display_name = display_name_field()
    home_unit_id = home_village_field()
    email = EmailField(
        _l("电子邮箱（可不填）"),
        filters=STRIP,
        validators=[
            Optional(),
            Length(max=254, message=_l("邮箱太长。")),
            Email(_l("邮箱格式不正确。")),
        ],
    )


class SignupForm(ProfileForm):
    phone = phone_field()
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(REQUIRED), StrongPassword(phone_field="phone")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入密码"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致。"))],
    )
    #: Checked by the view only where numbers are verified (``SIGNUP_REQUIRES_CODE``).
    code = StringField(
        _l("短信验证码"),
        filters=STRIP,
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6},
    )


class LoginForm(FlaskForm):
    phone = phone_field(autocomplete="username")
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(REQUIRED), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("记住我（在自己的手机上勾选）"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(REQUIRED), Length(max=128)])
    password = PasswordField(
        _l("新密码"),
        validators=[DataRequired(REQUIRED), StrongPassword(phone_attribute="account_phone")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致。"))],
    )

    def __init__(self, *args, phone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_phone = phone
