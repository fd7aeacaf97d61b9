"""Forms of the steering plugin; every message is Chinese and shown beside its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
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

from core.forms.fields import clean_text, date_range
from core.i18n import translate


class ResultField(RadioField):
    """A checklist result; an unknown value (a crafted post) gets the Chinese message."""

    def pre_validate(self, form):
        if self.data not in {value for value, *_ in self.choices or []}:
            raise ValidationError(_l("请为每项资料选择检查结果。"))


def _coerce_int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class TaskForm(FlaskForm):
    """A task by hand: what, which unit, who, by when."""

    title = StringField(
        _l("任务内容"),
        filters=[clean_text],
        validators=[DataRequired(_l("请填写任务内容。")), Length(max=120)],
    )
    description = TextAreaField(
        _l("说明"), filters=[clean_text], validators=[Optional(), Length(max=2000)]
    )
    unit_id = SelectField(_l("单位"), coerce=int, validate_choice=False)
    owner_id = SelectField(_l("负责人"), coerce=_coerce_int_or_none, validate_choice=False)
    helper_ids = SelectMultipleField(_l("协办人"), coerce=int, validate_choice=False)
    deadline = DateField(_l("办结期限"), validators=[InputRequired(_l("请填写办结期限。"))])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("原因"), filters=[clean_text], validators=[Optional(), Length(max=500)]
    )


class EvidenceForm(FlaskForm):
    file = FileField(_l("佐证材料（JPG、PNG、PDF、Word 或 Excel，最大 5 MB）"))


class VisitForm(FlaskForm):
    """An inspection visit: when, who, the period whose materials were checked, findings."""

    visited_on = DateField(_l("检查日期"), validators=[InputRequired(_l("请填写检查日期。"))])
    visitors = StringField(
        _l("检查人员"),
        filters=[clean_text],
        validators=[DataRequired(_l("请填写检查人员。")), Length(max=200)],
    )
    period_start, period_end = date_range(
        _l("检查资料起始日"),
        _l("检查资料截止日"),
        start_name="period_start",
        required=True,
        message=_l("截止日不能早于起始日。"),
    )
    findings = TextAreaField(
        _l("发现的问题"), filters=[clean_text], validators=[Optional(), Length(max=4000)]
    )
    task_deadline = DateField(_l("整改期限"), validators=[Optional()])
    task_owner_id = SelectField(_l("整改负责人"), coerce=_coerce_int_or_none, validate_choice=False)


def visit_form(materials: dict[str, str], results: dict[str, str]) -> type[VisitForm]:
    """The visit form with a result and a note for each material of the checklist."""

    class Checked(VisitForm):
        pass

    for key, label in materials.items():
        setattr(
            Checked,
            f"result_{key}",
            ResultField(
                label,
                choices=[(code, translate(text)) for code, text in results.items()],
                default="ok",
                validators=[DataRequired(_l("请为每项资料选择检查结果。"))],
            ),
        )
        setattr(
            Checked,
            f"note_{key}",
            StringField(_l("备注"), filters=[clean_text], validators=[Optional(), Length(max=200)]),
        )
    return Checked


class AreaForm(FlaskForm):
    """A village or school for a counsellor's area."""

    user_id = SelectField(_l("辅导员"), coerce=_coerce_int_or_none, validate_choice=False)
    unit_id = SelectField(_l("联系单位"), coerce=int, validate_choice=False)


class StandardRowForm(Form):
    """One item of the standard; a row without a title is ignored."""

    title = StringField(
        _l("评估内容"), filters=[clean_text], validators=[Optional(), Length(max=120)]
    )
    points = IntegerField(
        _l("分值"), validators=[Optional(), NumberRange(1, 100, _l("每项分值应在 1 到 100 之间。"))]
    )
    evidence = StringField(
        _l("所需佐证"), filters=[clean_text], validators=[Optional(), Length(max=300)]
    )
    metric_key = SelectField(_l("参考统计指标"), validate_choice=False)
    metric_target = DecimalField(
        _l("满分所需数值"), validators=[Optional(), NumberRange(0.01, None, _l("数值应大于 0。"))]
    )


class StandardForm(FlaskForm):
    rows = FieldList(FormField(StandardRowForm), min_entries=8)


class MilestoneForm(FlaskForm):
    year = IntegerField(
        _l("年份"),
        validators=[
            InputRequired(_l("请填写年份。")),
            NumberRange(2000, 2100, _l("年份应在 2000 到 2100 之间。")),
        ],
    )
    villages = IntegerField(
        _l("累计示范村（个）"),
        default=0,
        validators=[Optional(), NumberRange(0, 1000, _l("示范村数量应在 0 到 1000 之间。"))],
    )
    full_coverage = BooleanField(_l("全覆盖（每个村都达到示范标准）"))


class CsrfForm(FlaskForm):
    """Only the CSRF token: pages whose fields are one per item read them from the request."""


class RuleForm(FlaskForm):
    body = TextAreaField(_l("制度内容（Markdown）"), validators=[Optional()])
    note = StringField(
        _l("修改说明"), filters=[clean_text], validators=[Optional(), Length(max=200)]
    )
