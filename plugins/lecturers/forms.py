"""Forms of the lecturers plugin; every message is Chinese and shown beside its field."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
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
from core.timeutil import from_local, utcnow
from plugins.lecturers import services
from plugins.lecturers.models import FORMATS, tr
from plugins.lecturers.models_requests import AUDIENCE_GROUPS, MATERIAL_KINDS

MAX_AUDIENCE = 5000
SLOT_COUNT = 3


class MultiCheckboxField(SelectMultipleField):
    """Check boxes; an unknown value (a crafted post) gets a Chinese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        choices = self.choices() if callable(self.choices) else self.choices or []
        known = {value for value, *_ in choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError("包含无效的选项，请重新选择。")


def _format_choices():
    return [(code, tr(label)) for code, label in FORMATS.items()]


class RequestForm(FlaskForm):
    """A village orders a lecture: topic, format, 2–3 preferred times, audience, venue."""

    nonce = HiddenField()
    village_id = SelectField("村（社区）", coerce=int)
    topic_id = SelectField("专题", coerce=int)
    format = SelectField("形式", choices=_format_choices)
    audience_size = IntegerField(
        "预计听众人数",
        validators=[
            InputRequired("请填写预计听众人数。"),
            NumberRange(1, MAX_AUDIENCE, f"人数应在 1 到 {MAX_AUDIENCE} 之间。"),
        ],
    )
    audience_group = SelectField(
        "听众对象", choices=lambda: [(code, tr(label)) for code, label in AUDIENCE_GROUPS.items()]
    )
    venue = StringField("地点", filters=[clean_text], validators=[Optional(), Length(max=200)])
    notes = TextAreaField("备注", filters=[clean_text], validators=[Optional(), Length(max=1000)])
    slot1_day = DateField("备选时间一：日期", validators=[Optional()])
    slot1_start = TimeField("开始", validators=[Optional()])
    slot1_end = TimeField("结束", validators=[Optional()])
    slot2_day = DateField("备选时间二：日期", validators=[Optional()])
    slot2_start = TimeField("开始", validators=[Optional()])
    slot2_end = TimeField("结束", validators=[Optional()])
    slot3_day = DateField("备选时间三（可选）：日期", validators=[Optional()])
    slot3_start = TimeField("开始", validators=[Optional()])
    slot3_end = TimeField("结束", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.slots: list[tuple[datetime, datetime]] = []
        now = utcnow()
        filled = 0
        for n in range(1, SLOT_COUNT + 1):
            day, start, end = (getattr(self, f"slot{n}_{part}") for part in ("day", "start", "end"))
            if day.errors or start.errors or end.errors:
                ok, filled = False, filled + 1
                continue
            if not (day.data or start.data or end.data):
                continue
            filled += 1
            if not (day.data and start.data and end.data):
                day.errors.append("请把日期、开始和结束时间填完整。")
                ok = False
                continue
            begins = from_local(datetime.combine(day.data, start.data))
            ends = from_local(datetime.combine(day.data, end.data))
            problem = services.slot_problem(begins, ends, now)
            if problem:
                (end if ends <= begins else day).errors.append(problem)
                ok = False
            else:
                self.slots.append((begins, ends))
        if filled < services.MIN_SLOTS:  # said together with any other problem of the form
            self.slot1_day.errors.append("请至少给出两个备选时间。")
            ok = False
        return ok


class ReasonForm(FlaskForm):
    reason = TextAreaField("原因", filters=[clean_text], validators=[Optional(), Length(max=300)])


class AssignForm(FlaskForm):
    lecturer_id = IntegerField("讲师", validators=[InputRequired("请选择一位讲师。")])


class AcceptForm(FlaskForm):
    slot_id = RadioField("选定时间", coerce=int, validators=[InputRequired("请选择一个时间。")])


class DeliverForm(FlaskForm):
    attendance = IntegerField(
        "实际听讲人数",
        validators=[
            InputRequired("请填写实际听讲人数。"),
            NumberRange(1, MAX_AUDIENCE, f"人数应在 1 到 {MAX_AUDIENCE} 之间。"),
        ],
    )
    summary = TextAreaField(
        "宣讲小结",
        filters=[clean_text],
        validators=[DataRequired("请填写宣讲小结。"), Length(max=2000)],
    )
    materials = TextAreaField(
        "资料（签到册、照片、讲稿等说明）",
        filters=[clean_text],
        validators=[Optional(), Length(max=2000)],
    )
    #: An optional first file; more can be added on the request page afterwards.
    kind = SelectField("资料类型", choices=list(MATERIAL_KINDS.items()), default="signin")
    file = FileField("上传文件（jpg/png/pdf/docx/xlsx，可不传）")


class MaterialForm(FlaskForm):
    """A file for a delivered lecture (签到册, 活动照片, 通讯稿 …)."""

    kind = SelectField("资料类型", choices=list(MATERIAL_KINDS.items()), default="photo")
    file = FileField("文件", validators=[FileRequired("请选择要上传的文件。")])

    def limit_kinds(self, kinds: list[str]) -> None:
        """Offer only the kinds that may be added now (slides only, before the lecture)."""
        self.kind.choices = [(k, label) for k, label in MATERIAL_KINDS.items() if k in kinds]


class RateForm(FlaskForm):
    rating = RadioField(
        "评分",
        coerce=int,
        choices=[(n, f"{n} 分") for n in range(5, 0, -1)],
        validators=[InputRequired("请选择 1 到 5 分。")],
    )
    comment = TextAreaField("评语", filters=[clean_text], validators=[Optional(), Length(max=1000)])


class RescheduleForm(FlaskForm):
    day = DateField("日期", validators=[InputRequired("请填写日期。")])
    start = TimeField("开始", validators=[InputRequired("请填写开始时间。")])
    end = TimeField("结束", validators=[InputRequired("请填写结束时间。")])
    venue = StringField("地点", filters=[clean_text], validators=[Optional(), Length(max=200)])
    reason = StringField("改期原因", filters=[clean_text], validators=[Optional(), Length(max=300)])


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
    formats = MultiCheckboxField("宣讲形式", choices=_format_choices)
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
