"""Forms of the competitions plugin; every free text is cleaned and bounded."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
)

from core.forms.fields import clean_text, moment_range
from plugins.competitions.importer import CATEGORY_ALIASES
from plugins.competitions.models import CATEGORIES, DIFFICULTIES
from plugins.competitions.qtypes import LETTERS, QUESTION_TYPES, TRUE_FALSE_OPTIONS

REQUIRED = _l("必填")
CATEGORY_CHOICES = list(CATEGORIES.items())
DIFFICULTY_CHOICES = [(k, v) for k, v in DIFFICULTIES.items()]


class QuestionForm(FlaskForm):
    kind = SelectField(_l("题型"), choices=[(k, t.label) for k, t in QUESTION_TYPES.items()])
    category = SelectField(_l("分类"), choices=CATEGORY_CHOICES)
    difficulty = SelectField(_l("难度"), choices=DIFFICULTY_CHOICES, coerce=int)
    stem = TextAreaField(
        _l("题干"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=500)]
    )
    option_a = StringField(_l("选项 A"), filters=[clean_text], validators=[Length(max=200)])
    option_b = StringField(_l("选项 B"), filters=[clean_text], validators=[Length(max=200)])
    option_c = StringField(_l("选项 C"), filters=[clean_text], validators=[Length(max=200)])
    option_d = StringField(_l("选项 D"), filters=[clean_text], validators=[Length(max=200)])
    option_e = StringField(_l("选项 E"), filters=[clean_text], validators=[Length(max=200)])
    option_f = StringField(_l("选项 F"), filters=[clean_text], validators=[Length(max=200)])
    answer = StringField(
        _l("答案"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=10)],
        description=_l("字母，如 B 或 AC；判断题填 对 或 错"),
    )
    explanation = TextAreaField(_l("解析"), filters=[clean_text], validators=[Length(max=1000)])

    def option_fields(self):
        return [getattr(self, f"option_{ch.lower()}") for ch in LETTERS]

    def options(self) -> list[str]:
        texts = [f.data or "" for f in self.option_fields()]
        while texts and not texts[-1]:
            texts.pop()
        if self.kind.data == "true_false":
            return list(TRUE_FALSE_OPTIONS)
        return texts

    def validate(self, extra_validators=None) -> bool:
        """Field rules, the options and the answer key together: every problem shows at once."""
        ok = super().validate(extra_validators)
        qtype = QUESTION_TYPES.get(self.kind.data, None)
        if qtype is None:
            return False
        options = self.options()
        option_problems = []
        if any(not text for text in options):
            option_problems.append("选项中间不能有空项。")
        if len(options) < qtype.min_options:
            option_problems.append(f"至少需要 {qtype.min_options} 个选项。")
        self.option_a.errors = [*self.option_a.errors, *option_problems]
        problem = qtype.answer_problem(qtype.normalise_answer(self.answer.data or ""), len(options))
        if problem:
            self.answer.errors = [*self.answer.errors, problem + "。"]
        return ok and not option_problems and not problem


class ImportForm(FlaskForm):
    file = FileField(_l("XLSX 或 CSV 文件"), validators=[FileRequired("请选择文件。")])


QUOTA_LINE = re.compile(r"^\s*(\S+)\s+([123])\s+(\d{1,3})\s*$")


def parse_quotas(text: str) -> tuple[list[dict], list[str]]:
    """Lines "法律 1 3" (category, difficulty, count) → quotas; second item: problems."""
    quotas, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = QUOTA_LINE.match(line)
        if not match or match.group(1) not in CATEGORY_ALIASES:
            problems.append(f"第 {number} 行应写成“分类 难度 题数”，如“法律 1 3”。")
            continue
        count = int(match.group(3))
        if count > 0:
            quotas.append(
                {
                    "category": CATEGORY_ALIASES[match.group(1)],
                    "difficulty": int(match.group(2)),
                    "count": count,
                }
            )
    if not quotas and not problems:
        problems.append("至少需要一行抽题规则。")
    return quotas, problems


class ContestForm(FlaskForm):
    title = StringField(
        _l("名称"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    description = TextAreaField(_l("说明"), filters=[clean_text], validators=[Length(max=2000)])
    eligible_unit_id = SelectField(_l("参赛范围"), coerce=int, default=0)
    opens_at, closes_at = moment_range(
        _l("开始时间"),
        _l("截止时间"),
        start_name="opens_at",
        message="截止时间必须晚于开始时间。",
        start_message=REQUIRED,
        end_message=REQUIRED,
    )
    time_limit_minutes = IntegerField(
        _l("每次答题限时（分钟）"),
        default=20,
        validators=[InputRequired(REQUIRED), NumberRange(1, 180)],
    )
    attempts_allowed = IntegerField(
        _l("可答题次数"), default=1, validators=[InputRequired(REQUIRED), NumberRange(1, 10)]
    )
    counting = SelectField(
        _l("计分方式"), choices=[("best", _l("取最好成绩")), ("last", _l("取最后一次"))]
    )
    points_per_question = IntegerField(
        _l("每题分值"), default=10, validators=[InputRequired(REQUIRED), NumberRange(1, 100)]
    )
    quotas = TextAreaField(
        _l("抽题规则"),
        default="法律 1 2\n安全 1 2\n健康 2 1",
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        description=_l("每行：分类 难度 题数，如“法律 1 3”"),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        quotas, problems = parse_quotas(self.quotas.data)
        if problems:
            self.quotas.errors = [*self.quotas.errors, *problems]
            ok = False
        self.parsed_quotas = quotas
        return ok


class WinnerForm(FlaskForm):
    user_id = IntegerField(validators=[InputRequired()])
    prize = StringField(
        _l("奖项"), filters=[clean_text], validators=[Length(max=50)], default="一等奖"
    )
