"""The forms of "我的空闲时间": one weekly slot, one blackout day."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TimeField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from core import availability
from core.forms.fields import STRIP, NotBefore
from core.timeutil import local_today

#: Written out so the catalog holds each.
WEEKDAY_LABELS = (
    _l("周一"),
    _l("周二"),
    _l("周三"),
    _l("周四"),
    _l("周五"),
    _l("周六"),
    _l("周日"),
)


class SlotForm(FlaskForm):
    """A weekly slot; ``existing`` (the person's slots) is set by the view for the overlap check."""

    weekday = SelectField(
        _l("星期"), coerce=int, choices=lambda: list(enumerate(map(str, WEEKDAY_LABELS)))
    )
    start_time = TimeField(_l("开始时间"), validators=[InputRequired(_l("请填写开始时间。"))])
    end_time = TimeField(
        _l("结束时间"),
        validators=[
            InputRequired(_l("请填写结束时间。")),
            NotBefore("start_time", _l("结束时间必须晚于开始时间。"), strict=True),
        ],
    )

    existing: list[availability.Slot] = []

    def validate_end_time(self, field):
        start, weekday = self.start_time.data, self.weekday.data
        if start is None or field.data is None or field.data <= start:
            return
        clash = availability.overlapping(self.existing, weekday, start, field.data)
        if clash is not None:
            raise ValidationError(
                _l(
                    "与已有的时段重叠（%(weekday)s %(start)s–%(end)s）。",
                    weekday=WEEKDAY_LABELS[clash.weekday],
                    start=clash.start.strftime("%H:%M"),
                    end=clash.end.strftime("%H:%M"),
                )
            )


class BlackoutForm(FlaskForm):
    """A day the person cannot come at all; today or later."""

    day = DateField(_l("不便日期"), validators=[InputRequired(_l("请选择日期。"))])
    note = StringField(
        _l("说明"),
        filters=STRIP,
        validators=[Optional(), Length(max=100, message=_l("最多 100 字。"))],
    )

    def validate_day(self, field):
        if field.data is not None and field.data < local_today():
            raise ValidationError(_l("这一天已经过去，不需要登记。"))
