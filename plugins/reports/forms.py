"""Forms of the reports plugin. Bad input gets a Chinese message beside the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core import timeutil
from core.forms import fields
from core.forms.fields import clean_text
from plugins.reports.services import INCOME_SOURCES, SPENDING_CATEGORIES


class PeriodForm(fields.PeriodForm):
    """A period of whole days, both ends included, read from the query string (core's form:
    this year so far when not given or invalid), at most three years long."""

    def validate_end(self, field):
        if field.data and self.start.data and (field.data - self.start.data).days > 3 * 366:
            raise ValidationError("统计期间最长三年。")


def period() -> tuple[PeriodForm, date, date]:
    """The period asked for in the query string: (form with any errors, first day, day after)."""
    form = PeriodForm(request.args)
    form.validate()
    start, end = form.bounds()
    return form, start, end


class YearForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(
        _l("年度"), validators=[Optional(), NumberRange(2000, 2100, "年度应在 2000 到 2100 之间。")]
    )

    def chosen(self) -> int:
        return self.year.data if self.year.data and not self.errors else timeutil.local_today().year


def year() -> tuple[YearForm, int]:
    """The year asked for in the query string (this year when absent or invalid)."""
    form = YearForm(request.args)
    form.validate()
    return form, form.chosen()


def _non_negative(field_label: str):
    return NumberRange(min=0, max=10**9, message=f"{field_label}不能为负数。")


def targets_form(metric_labels: dict[str, str], data: dict | None = None) -> FlaskForm:
    """A field per metric: the yearly target each village should reach (blank: none)."""

    class TargetsForm(FlaskForm):
        pass

    for key, label in metric_labels.items():
        setattr(
            TargetsForm,
            key.replace(".", "__"),
            # Whole numbers: a fraction is rounded up when saved (services.save_targets).
            DecimalField(label, places=0, validators=[Optional(), _non_negative("目标")]),
        )
    return TargetsForm(data=data)


def weights_form(metric_labels: dict[str, str], data: dict | None = None) -> FlaskForm:
    """A weight (percent) per metric; all weights must add up to exactly 100."""

    class WeightsForm(FlaskForm):
        def validate(self, extra_validators=None):
            """Field rules and the sum together, so every problem shows at once."""
            ok = super().validate(extra_validators)
            # A field missing from the post keeps its stored default, which may be a float;
            # a field that is not a number (data None) adds nothing to the sum.
            total = sum(Decimal(str(f.data or 0)) for f in self.metric_fields())
            if total != 100:
                self.form_errors.append(f"各项权重之和必须等于 100%，现在是 {total:g}%。")
                return False
            return ok

        def metric_fields(self):
            return [f for f in self if f.name.count("__")]

    for key, label in metric_labels.items():
        setattr(
            WeightsForm,
            key.replace(".", "__"),
            DecimalField(
                label,
                places=2,
                validators=[Optional(), NumberRange(0, 100, "权重应在 0 到 100 之间。")],
            ),
        )
    return WeightsForm(data=data)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DemonstrationForm(FlaskForm):
    villages = MultiCheckboxField(_l("示范村（社区）"), coerce=int, validate_choice=True)


class BudgetForm(FlaskForm):
    amount = DecimalField(
        _l("年度预算（元）"),
        places=2,
        validators=[InputRequired("请填写预算金额。"), _non_negative("预算")],
    )


class SpendingForm(FlaskForm):
    spent_on = DateField(_l("支出日期"), validators=[InputRequired("请填写支出日期。")])

    def validate_spent_on(self, field):
        if field.data and field.data > timeutil.local_today():
            raise ValidationError("支出日期不能晚于今天：请在付款后再登记。")

    category = SelectField(_l("类别"), choices=list(SPENDING_CATEGORIES.items()))
    amount = DecimalField(
        _l("金额（元）"),
        places=2,
        validators=[
            InputRequired("请填写金额。"),
            NumberRange(min=Decimal("0.01"), max=10**8, message="支出金额必须大于 0，不能为负数。"),
        ],
    )
    description = StringField(
        _l("用途说明"), filters=[clean_text], validators=[Length(max=200, message="最多 200 字。")]
    )
    receipt = FileField(_l("票据（PDF、JPG 或 PNG，最大 5 MB）"))


class IncomeForm(FlaskForm):
    received_on = DateField(_l("到账日期"), validators=[InputRequired("请填写到账日期。")])

    def validate_received_on(self, field):
        if field.data and field.data > timeutil.local_today():
            raise ValidationError("到账日期不能晚于今天：请在到账后再登记。")

    source = SelectField(_l("来源"), choices=list(INCOME_SOURCES.items()))
    amount = DecimalField(
        _l("金额（元）"),
        places=2,
        validators=[
            InputRequired("请填写金额。"),
            NumberRange(min=Decimal("0.01"), max=10**8, message="收入金额必须大于 0。"),
        ],
    )
    description = StringField(
        _l("说明"), filters=[clean_text], validators=[Length(max=200, message="最多 200 字。")]
    )
    document = FileField(_l("凭证（PDF、JPG 或 PNG，最大 5 MB）"))


class LearningItemForm(FlaskForm):
    publish_on = DateField(_l("发布日期"), validators=[InputRequired("请选择发布日期。")])
    org_unit_id = SelectField(_l("面向"), coerce=int, default=0)
    title = StringField(
        _l("标题"),
        filters=[clean_text],
        validators=[DataRequired("请填写标题。"), Length(max=100, message="标题最多 100 字。")],
    )
    body = TextAreaField(
        _l("正文"),
        filters=[clean_text],
        validators=[Length(max=2000, message="正文最多 2000 字，指尖学习宜短。")],
    )
    link = URLField(
        _l("链接（可选）"),
        filters=[clean_text],
        validators=[
            Optional(),
            URL(require_tld=False, message="请填写以 http:// 或 https:// 开头的网址。"),
            Length(max=500),
        ],
    )
    picture = FileField(_l("图片（可选，JPG 或 PNG，最大 5 MB）"))

    def validate_link(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("请填写以 http:// 或 https:// 开头的网址。")
