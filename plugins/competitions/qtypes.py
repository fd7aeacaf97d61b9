"""Question types: a base class and a registry, as CTFd does for challenge types.

A type says how many answer letters are valid and how a choice is scored; the contest, the live
quiz and the importer ask the registry instead of branching on the kind themselves.
"""

from __future__ import annotations

LETTERS = "ABCDEF"
TRUE_FALSE_OPTIONS = ["正确", "错误"]


class QuestionType:
    """Base: a question with lettered options and a set of correct letters."""

    name = "base"
    label = ""
    min_options = 2
    max_options = len(LETTERS)

    def answer_problem(self, answer: str, option_count: int) -> str | None:
        """Why ``answer`` cannot be the key of a question with ``option_count`` options."""
        if not answer:
            return "缺少答案"
        bad = [ch for ch in answer if ch not in LETTERS[:option_count]]
        if bad:
            return f"答案字母 {''.join(bad)} 不在选项 A–{LETTERS[option_count - 1]} 之内"
        if len(set(answer)) != len(answer):
            return "答案字母重复"
        return None

    def normalise_answer(self, raw: str) -> str:
        letters = "".join(ch for ch in (raw or "").upper() if ch.isalpha())
        return "".join(sorted(letters))

    def score(self, answer: str, chosen: str | None) -> float:
        """1.0 for a fully right choice, else 0.0."""
        return 1.0 if chosen and self.normalise_answer(chosen) == answer else 0.0


class SingleChoice(QuestionType):
    name = "single"
    label = "单选题"

    def answer_problem(self, answer: str, option_count: int) -> str | None:
        problem = super().answer_problem(answer, option_count)
        if problem is None and len(answer) != 1:
            return "单选题只能有一个答案"
        return problem


class MultipleChoice(QuestionType):
    name = "multiple"
    label = "多选题"
    min_options = 3

    def answer_problem(self, answer: str, option_count: int) -> str | None:
        problem = super().answer_problem(answer, option_count)
        if problem is None and len(answer) < 2:
            return "多选题至少要有两个正确答案"
        return problem


class TrueFalse(QuestionType):
    name = "true_false"
    label = "判断题"
    min_options = 2
    max_options = 2

    def normalise_answer(self, raw: str) -> str:
        text = (raw or "").strip().upper()
        if text in {"对", "正确", "是", "T", "TRUE", "√", "Y"}:
            return "A"
        if text in {"错", "错误", "否", "F", "FALSE", "×", "N"}:
            return "B"
        return super().normalise_answer(text)

    def answer_problem(self, answer: str, option_count: int) -> str | None:
        if answer not in ("A", "B"):
            return "判断题答案应为 对/错（或 A/B）"
        return None


QUESTION_TYPES: dict[str, QuestionType] = {
    qtype.name: qtype for qtype in (SingleChoice(), MultipleChoice(), TrueFalse())
}
#: Names people type in a spreadsheet.
TYPE_ALIASES: dict[str, str] = {
    "单选": "single",
    "单选题": "single",
    "single": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "multiple": "multiple",
    "判断": "true_false",
    "判断题": "true_false",
    "true_false": "true_false",
}


def get_type(name: str) -> QuestionType:
    return QUESTION_TYPES[name]
