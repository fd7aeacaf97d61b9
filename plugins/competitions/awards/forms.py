"""Forms of award rounds: the round, nominations with evidence, judges."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from core.forms.fields import clean_text
from plugins.competitions.awards.models import AWARD_TYPES
from plugins.competitions.forms import REQUIRED


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
