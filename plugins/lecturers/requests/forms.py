"""Forms of a lecture request: ordering (点单) and each workflow step; every message is Chinese
and shown beside its field."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms.fields import clean_text
from core.i18n import translate
from core.timeutil import from_local, utcnow
from plugins.lecturers.forms import format_choices
from plugins.lecturers.models import MAX_AUDIENCE
from plugins.lecturers.requests import services
from plugins.lecturers.requests.models import AUDIENCE_GROUPS, MATERIAL_KINDS

SLOT_COUNT = 3


class RequestForm(FlaskForm):
    """A village orders a lecture: topic, format, 2–3 preferred times, audience, venue."""

    nonce = HiddenField()
    village_id = SelectField("村（社区）", coerce=int)
    topic_id = SelectField("专题", coerce=int)
    format = SelectField("形式", choices=format_choices)
    audience_size = IntegerField(
        "预计听众人数",
        validators=[
            InputRequired("请填写预计听众人数。"),
            NumberRange(1, MAX_AUDIENCE, f"人数应在 1 到 {MAX_AUDIENCE} 之间。"),
        ],
    )
    audience_group = SelectField(
        "听众对象",
        choices=lambda: [(code, translate(label)) for code, label in AUDIENCE_GROUPS.items()],
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
