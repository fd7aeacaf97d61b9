"""Forms of the competitions plugin; every free text is cleaned and bounded."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
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
    Optional,
    ValidationError,
)

from core.forms.fields import NotBefore, clean_text
from plugins.competitions.importer import CATEGORY_ALIASES
from plugins.competitions.models import CATEGORIES, DIFFICULTIES
from plugins.competitions.models_awards import AWARD_TYPES
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
    opens_at = DateTimeLocalField(_l("开始时间"), validators=[InputRequired(REQUIRED)])
    closes_at = DateTimeLocalField(
        _l("截止时间"),
        validators=[
            InputRequired(REQUIRED),
            NotBefore("opens_at", "截止时间必须晚于开始时间。", strict=True),
        ],
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


class LiveForm(FlaskForm):
    title = StringField(
        _l("名称"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    org_unit_id = SelectField(_l("举办村（社区）或单位"), coerce=int)
    category = SelectField(
        _l("题目分类"), choices=[("", _l("不限")), *CATEGORY_CHOICES], default=""
    )
    question_count = IntegerField(
        _l("题数"), default=5, validators=[InputRequired(REQUIRED), NumberRange(1, 30)]
    )
    seconds_per_question = IntegerField(
        _l("每题秒数"), default=30, validators=[InputRequired(REQUIRED), NumberRange(5, 600)]
    )
    scheduled_at = DateTimeLocalField(_l("计划时间（可不填）"), validators=[Optional()])
    location = StringField(_l("地点"), filters=[clean_text], validators=[Length(max=120)])


class JoinForm(FlaskForm):
    code = StringField(
        _l("问答码"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=8)]
    )
    name = StringField(
        _l("您的姓名"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=30)]
    )
    village_id = SelectField(_l("所在村（社区）"), coerce=int)

    def validate_village_id(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择所在村（社区）。")


class PaperForm(FlaskForm):
    name = StringField(
        _l("姓名"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=30)]
    )
    village_id = SelectField(_l("所在村（社区）"), coerce=int)
    answers = StringField(
        _l("各题答案"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=300)],
        description=_l("按题目顺序用空格分隔，如“A 对 BC”；未答写 -"),
    )

    def validate_village_id(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择所在村（社区）。")


class RoundForm(FlaskForm):
    title = StringField(
        _l("名称"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    award_type = SelectField(_l("评比类型"), choices=list(AWARD_TYPES.items()))
    year = IntegerField(_l("年度"), validators=[InputRequired(REQUIRED), NumberRange(2000, 2100)])
    winners_count = IntegerField(
        _l("获奖名额"), default=3, validators=[InputRequired(REQUIRED), NumberRange(1, 50)]
    )
    criteria = TextAreaField(
        _l("评分标准"),
        default="内容质量 40\n群众参与 30\n特色创新 30",
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        description=_l("每行：标准名 权重；权重合计 100"),
    )
    tie_rule = SelectField(
        _l("得分相同跨过获奖名额时"),
        choices=[
            ("all_tied", _l("并列者均获奖（获奖数可多于名额）")),
            ("criteria", _l("按评分标准的顺序依次比较单项平均分，高者在前")),
        ],
        default="all_tied",
        description=_l("评审开始前就写在评比页上，公布结果时照此执行。"),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        criteria, problems = [], []
        for line in (self.criteria.data or "").splitlines():
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit() or len(parts[0]) > 30:
                problems.append(f"“{line.strip()[:30]}”应写成“标准名 权重”。")
            else:
                criteria.append({"name": clean_text(parts[0]), "weight": int(parts[1])})
        if not problems and sum(c["weight"] for c in criteria) != 100:
            problems.append("权重合计必须等于 100。")
        if len({c["name"] for c in criteria}) != len(criteria):
            problems.append("标准名不能重复。")
        if problems:
            self.criteria.errors = [*self.criteria.errors, *problems]
            ok = False
        self.parsed_criteria = criteria
        return ok


class NominationForm(FlaskForm):
    nominee_name = StringField(
        _l("推荐对象"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    nominee_unit_id = SelectField(_l("所属村（社区）或单位"), coerce=int)
    reason = TextAreaField(
        _l("推荐理由"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=3000)]
    )
    evidence = FileField(_l("证明材料（PDF/PNG/JPEG，5 MB 以内，可不传）"))


class EvidenceForm(FlaskForm):
    evidence = FileField(_l("证明材料"), validators=[FileRequired("请选择文件。")])


class JudgeForm(FlaskForm):
    phone = StringField(
        _l("评委手机号"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=20)]
    )
