"""core.forms.fields: the shared date-range, moment-range and period fields."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from core.forms.fields import PeriodForm, date_range, moment_range
from core.timeutil import local_today


class _Dates(FlaskForm):
    class Meta:
        csrf = False

    start, end = date_range(required=True)


class _Moments(FlaskForm):
    class Meta:
        csrf = False

    starts_at, ends_at = moment_range()


def test_date_range_refuses_an_end_before_its_start_and_a_missing_date(app):
    with app.test_request_context():
        form = _Dates(MultiDict({"start": "2026-05-02", "end": "2026-05-01"}))
        assert not form.validate()
        assert form.end.errors == ["结束日期不能早于开始日期。"]
        empty = _Dates(MultiDict({}))
        assert not empty.validate() and empty.start.errors == ["请填写日期。"]
        same = _Dates(MultiDict({"start": "2026-05-02", "end": "2026-05-02"}))
        assert same.validate() and same.end.data == date(2026, 5, 2)


def test_moment_range_needs_the_end_strictly_after_the_start(app):
    with app.test_request_context():
        form = _Moments(MultiDict({"starts_at": "2026-05-02T19:00", "ends_at": "2026-05-02T19:00"}))
        assert not form.validate() and form.ends_at.errors == ["结束时间必须晚于开始时间。"]
        ok = _Moments(MultiDict({"starts_at": "2026-05-02T19:00", "ends_at": "2026-05-02T21:00"}))
        assert ok.validate() and ok.ends_at.data == datetime(2026, 5, 2, 21, 0)
        missing = _Moments(MultiDict({"starts_at": "2026-05-02T19:00"}))
        assert not missing.validate() and missing.ends_at.errors == ["请填写结束时间。"]


def test_period_defaults_to_this_year_so_far_and_honours_its_cap(app):
    class Capped(PeriodForm):
        max_days = 10

    with app.test_request_context():
        today = local_today()
        assert PeriodForm(MultiDict({})).bounds() == (
            today.replace(month=1, day=1),
            today + timedelta(days=1),
        )
        chosen = PeriodForm(MultiDict({"start": "2026-03-01", "end": "2026-03-31"}))
        assert chosen.validate() and chosen.bounds() == (date(2026, 3, 1), date(2026, 4, 1))
        long = Capped(MultiDict({"start": "2026-03-01", "end": "2026-03-31"}))
        assert not long.validate() and long.end.errors == ["统计期间太长，请缩短。"]
        backwards = PeriodForm(MultiDict({"start": "2026-03-31", "end": "2026-03-01"}))
        assert not backwards.validate()
        assert backwards.bounds()[0] == today.replace(month=1, day=1)
