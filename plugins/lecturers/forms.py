"""Forms of the lecturer corps and the topic menu (the request forms are in requests/forms.py);
every message is Chinese and shown beside its field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
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

from core.forms.fields import MobilePhone, clean_text
from core.i18n import translate
from plugins.lecturers.models import FORMATS, MAX_AUDIENCE


class MultiCheckboxField(SelectMultipleField):
    """Check boxes; an unknown value (a crafted post) gets a Chinese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        choices = self.choices() if callable(self.choices) else self.choices or []
        known = {value for value, *_ in choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError("包含无效的选项，请重新选择。")


def format_choices() -> list[tuple[str, str]]:
    return [(code, translate(label)) for code, label in FORMATS.items()]


class LecturerForm(FlaskForm):
    """A lecturer's profile, used to apply, to recommend and to edit."""

    org_unit_id = SelectField("工作单位", coerce=int)
    title = StringField(
        "职务/职称",
        filters=[clean_text],
        validators=[DataRequired("请填写职务或职称。"), Length(max=60)],
    )
    bio = TextAreaField("简介", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    topic_ids = MultiCheckboxField("开设专题", coerce=int)
    formats = MultiCheckboxField("宣讲形式", choices=format_choices)
    village_ids = MultiCheckboxField("愿意服务的村（不选表示全镇）", coerce=int)
    monthly_max = IntegerField(
        "每月最多场次",
        default=4,
        validators=[
            InputRequired("请填写每月最多场次。"),
            NumberRange(1, 31, "应在 1 到 31 之间。"),
        ],
    )
    active = BooleanField("接受派单（不勾选表示暂停休息）", default=True)

    def validate_topic_ids(self, field):
        if not field.data:
            raise ValidationError("请至少选择一个专题。")

    def validate_formats(self, field):
        if not field.data:
            raise ValidationError("请至少选择一种形式。")


class RecommendForm(LecturerForm):
    phone = StringField(
        "被推荐人手机号", validators=[DataRequired("请填写手机号。"), MobilePhone()]
    )


class ReviewForm(FlaskForm):
    decision = RadioField(
        "审核结果",
        choices=[("approve", "通过"), ("reject", "不通过")],
        validators=[InputRequired("请选择审核结果。")],
    )
    reason = StringField("不通过的原因", filters=[clean_text], validators=[Length(max=300)])

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError("不通过时请写明原因。")


class TopicForm(FlaskForm):
    """A menu item; for each format a length and audience size (0 minutes: not offered)."""

    name = StringField(
        "专题名称", filters=[clean_text], validators=[DataRequired("请填写名称。"), Length(max=80)]
    )
    domain_id = SelectField("领域", coerce=int)
    new_domain = StringField(
        "或新建领域", filters=[clean_text], validators=[Optional(), Length(max=60)]
    )
    description = TextAreaField(
        "介绍", filters=[clean_text], validators=[Optional(), Length(max=2000)]
    )
    active = BooleanField("在菜单上显示", default=True)


def add_format_fields(form_class):
    """Give ``TopicForm`` a minutes and an audience field per format."""
    for code, label in FORMATS.items():
        setattr(
            form_class,
            f"{code}_minutes",
            IntegerField(
                f"{label}时长（分钟，0 表示不提供）",
                default=0,
                validators=[
                    InputRequired("请填写时长。"),
                    NumberRange(0, 480, "应在 0 到 480 之间。"),
                ],
            ),
        )
        setattr(
            form_class,
            f"{code}_audience",
            IntegerField(
                f"{label}建议人数",
                default=0,
                validators=[
                    InputRequired("请填写人数。"),
                    NumberRange(0, MAX_AUDIENCE, "人数超出范围。"),
                ],
            ),
        )
    return form_class


add_format_fields(TopicForm)
