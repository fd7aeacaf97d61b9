"""Forms of the calendar plugin; every message is Chinese and shown beside its field."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from core.forms.fields import MobilePhone, clean_text, date_range
from core.timeutil import from_local, local_today

FREQ_CHOICES = [
    ("none", _l("不重复")),
    ("daily", _l("每天")),
    ("weekly", _l("每周")),
    ("monthly", _l("每月")),
]
WEEKDAY_CHOICES = [
    ("0", _l("周一")),
    ("1", _l("周二")),
    ("2", _l("周三")),
    ("3", _l("周四")),
    ("4", _l("周五")),
    ("5", _l("周六")),
    ("6", _l("周日")),
]
MATERIAL_CHOICES = [
    ("study_plan", _l("学习计划")),
    ("activity_plan", _l("活动方案")),
    ("learning_record", _l("学习记录")),
    ("photo", _l("活动照片")),
    ("press_release", _l("通讯稿")),
    ("other", _l("其他")),
]
REQUIRED = "此项必填。"
BAD_DATE = "请输入正确的日期，例如 2026-03-05。"
BAD_TIME = "请输入正确的时间，例如 19:30。"
PAST_START = _l("开始日期已经过去。补记办过的活动请勾选“这是过去活动的补录”。")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WhenMixin:
    """Start and end as local date + time (times ignored for all-day events)."""

    def moments(self) -> tuple[datetime, datetime]:
        """Aware UTC start and end; an all-day event ends at the midnight after its last day."""
        if self.all_day.data:
            start = from_local(datetime.combine(self.start_date.data, time()))
            end = from_local(datetime.combine(self.end_date.data + timedelta(days=1), time()))
            return start, end
        start = from_local(datetime.combine(self.start_date.data, self.start_time.data or time()))
        end = from_local(datetime.combine(self.end_date.data, self.end_time.data or time()))
        return start, end


class EventForm(WhenMixin, FlaskForm):
    title = StringField(
        _l("活动名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=120, message="活动名称最多 120 个字。")],
    )
    category_id = SelectField(_l("类别"), coerce=int, validators=[DataRequired(REQUIRED)])
    org_unit_id = SelectField(_l("主办单位"), coerce=int, validators=[DataRequired(REQUIRED)])
    venue = StringField(
        _l("地点"),
        filters=[clean_text],
        validators=[Length(max=200, message="地点最多 200 个字。")],
        description=_l("不填则为主办村（社区）的学习中心"),
    )
    description = TextAreaField(
        _l("活动介绍"),
        filters=[clean_text],
        validators=[Length(max=5000, message="活动介绍最多 5000 个字。")],
    )
    markdown = BooleanField(_l("介绍使用 Markdown 格式"))
    all_day = BooleanField(_l("全天活动"))
    start_date = DateField(_l("开始日期"), validators=[DataRequired(BAD_DATE)])
    start_time = TimeField(_l("开始时间"), validators=[Optional()], default=time(19, 30))
    end_date = DateField(_l("结束日期"), validators=[DataRequired(BAD_DATE)])
    end_time = TimeField(_l("结束时间"), validators=[Optional()], default=time(21, 0))
    capacity = IntegerField(
        _l("名额（不填为不限）"),
        validators=[Optional(), NumberRange(1, 10000, "名额应在 1 到 10000 之间。")],
    )
    registration_open = BooleanField(_l("需要报名"), default=True)
    walk_ins = BooleanField(
        _l("允许没有报名的人自己扫码签到"),
        description=_l("不勾选时，只有报名成功的人能扫码签到；不需要报名的活动总是允许。"),
    )
    checkin_opens_before = IntegerField(
        _l("活动开始前多少分钟开始签到"),
        validators=[Optional(), NumberRange(0, 1440, _l("请填写 0 到 1440 之间的分钟数。"))],
    )
    checkin_closes_after = IntegerField(
        _l("活动结束后多少分钟停止签到"),
        validators=[Optional(), NumberRange(0, 1440, _l("请填写 0 到 1440 之间的分钟数。"))],
    )
    members_only = BooleanField(_l("仅限本单位成员（不公开）"))
    freq = SelectField(_l("重复"), choices=FREQ_CHOICES, default="none")
    interval = IntegerField(
        _l("间隔（每几天/周/月）"),
        default=1,
        validators=[Optional(), NumberRange(1, 99, "间隔应在 1 到 99 之间。")],
    )
    weekdays = MultiCheckboxField(_l("每周的哪几天"), choices=WEEKDAY_CHOICES)
    count = IntegerField(_l("共几次"), validators=[Optional()])
    until = DateField(_l("或：重复到哪天为止"), validators=[Optional()])
    past_record = BooleanField(
        _l("这是过去活动的补录"),
        description=_l("只为台账补记已经办过的活动时勾选；新活动不能从过去的日期开始。"),
    )
    #: Set by the view for a new event: only then is a start in the past refused.
    creating = False

    def validate(self, extra_validators=None) -> bool:
        """The field rules and the schedule rules together, so every problem shows at once."""
        ok = super().validate(extra_validators)
        problems = []
        when = (self.start_date, self.end_date, self.start_time, self.end_time)
        if all(not f.errors for f in when) and self.start_date.data and self.end_date.data:
            start, end = self.moments()
            if not all(2000 <= f.data.year <= 2100 for f in (self.start_date, self.end_date)):
                problems.append((self.start_date, _l("日期必须在 2000 年到 2100 年之间。")))
            elif end < start:
                problems.append((self.end_date, _l("结束时间不能早于开始时间。")))
            if self.creating and self.start_date.data < local_today() and not self.past_record.data:
                problems.append((self.start_date, PAST_START))
        if self.freq.data != "none" and not self.count.data and not self.until.data:
            problems.append((self.count, _l("请填写重复次数或结束日期。")))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return ok and not problems

    def validate_start_time(self, field):
        if not self.all_day.data and field.data is None:
            raise ValidationError(BAD_TIME)

    def validate_end_time(self, field):
        if not self.all_day.data and field.data is None:
            raise ValidationError(BAD_TIME)

    def schedule_data(self) -> dict:
        start, end = self.moments()
        return {
            "start_at": start,
            "end_at": end,
            "all_day": bool(self.all_day.data),
            "freq": self.freq.data,
            "interval": self.interval.data or 1,
            "weekdays": ",".join(sorted(self.weekdays.data or [])),
            "count": self.count.data,
            "until": self.until.data,
        }


class CancelForm(FlaskForm):
    reason = StringField(
        _l("取消原因"),
        filters=[clean_text],
        validators=[DataRequired("请填写取消原因。"), Length(max=200, message="最多 200 个字。")],
    )
    #: Required (by the view) when the occurrence has attendance: it will be revoked.
    confirm_revoke = BooleanField(_l("我确认撤销这些签到记录，相应的学分会被扣回"))
    #: The number of records the page stated, so a check-in made meanwhile asks again.
    revoke_count = IntegerField(widget=HiddenInput(), validators=[Optional()])


class LateReasonMixin:
    """Staff entering attendance after the check-in window say why (kept and audited)."""

    reason = StringField(
        _l("补录原因"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("补录签到需要填写原因，例如“根据纸质签到册补录”。")),
            Length(max=200, message=_l("最多 200 个字。")),
        ],
        default=_l("根据纸质签到册补录"),
    )


class LateEntryForm(LateReasonMixin, FlaskForm):
    """Tick, after the window, the registrants the paper sheet shows as present."""

    registrations = MultiCheckboxField(
        _l("签到册上已到的报名者"),
        coerce=int,
        validators=[DataRequired(_l("请至少勾选一人。"))],
    )


class LateWalkInForm(LateReasonMixin, FlaskForm):
    """A walk-in from the paper sheet, entered after the window."""

    name = StringField(
        _l("姓名"),
        filters=[clean_text],
        validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名最多 50 个字。")],
    )
    phone = StringField(_l("手机号（可不填）"), validators=[Optional(), MobilePhone()])


class OccurrenceForm(FlaskForm):
    """Move or edit one occurrence, or (scope "following") this and all later ones."""

    start_date = DateField(_l("开始日期"), validators=[DataRequired(BAD_DATE)])
    start_time = TimeField(_l("开始时间"), validators=[DataRequired(BAD_TIME)])
    end_date = DateField(_l("结束日期"), validators=[DataRequired(BAD_DATE)])
    end_time = TimeField(_l("结束时间"), validators=[DataRequired(BAD_TIME)])
    title = StringField(
        _l("活动名称"),
        filters=[clean_text],
        validators=[Length(max=120, message="最多 120 个字。")],
    )
    venue = StringField(
        _l("地点"), filters=[clean_text], validators=[Length(max=200, message="最多 200 个字。")]
    )
    scope = SelectField(
        _l("修改范围"),
        choices=[("this", _l("仅这一次")), ("following", _l("这一次及以后所有"))],
        default="this",
    )

    def moments(self) -> tuple[datetime, datetime]:
        start = from_local(datetime.combine(self.start_date.data, self.start_time.data))
        end = from_local(datetime.combine(self.end_date.data, self.end_time.data))
        return start, end


class PauseForm(FlaskForm):
    first_day, last_day = date_range(
        _l("暂停开始日期"),
        _l("暂停结束日期"),
        start_name="first_day",
        required=True,
        message="暂停的结束日期不能早于开始日期。",
    )
    reason = StringField(
        _l("原因（如农忙）"),
        filters=[clean_text],
        validators=[Length(max=200, message="最多 200 个字。")],
    )


class ProxyForm(FlaskForm):
    """代报名 for a villager without a smartphone, by name and village; the phone is optional."""

    name = StringField(
        _l("姓名"),
        filters=[clean_text],
        validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名最多 50 个字。")],
    )
    village_id = SelectField(
        _l("所在村（社区）"), coerce=int, validators=[DataRequired(_l("请选择所在村（社区）。"))]
    )
    phone = StringField(_l("手机号（可不填）"), validators=[Optional(), MobilePhone()])
    #: Shown only after a likely duplicate was named: staff say it is somebody else.
    not_a_duplicate = BooleanField(_l("我已核对，这是另一个人，仍然代报名"))


class WalkInForm(FlaskForm):
    name = StringField(
        _l("姓名"),
        filters=[clean_text],
        validators=[DataRequired("请填写姓名。"), Length(max=50, message="姓名最多 50 个字。")],
    )
    phone = StringField(_l("手机号（可不填）"), validators=[Optional(), MobilePhone()])


class MaterialForm(FlaskForm):
    kind = SelectField(_l("资料类型"), choices=MATERIAL_CHOICES, default="photo")
    file = FileField(_l("文件"), validators=[FileRequired("请选择要上传的文件。")])


class CategoryForm(FlaskForm):
    name = StringField(
        _l("类别名称"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=40, message="最多 40 个字。")],
    )
    colour = StringField(
        _l("颜色"),
        default="#8a1c12",
        validators=[Regexp(r"^#[0-9a-fA-F]{6}$", message="颜色格式应为 #RRGGBB，例如 #8a1c12。")],
    )
    position = IntegerField(_l("排序"), default=100, validators=[Optional(), NumberRange(0, 9999)])
    active = BooleanField(_l("启用"), default=True)
