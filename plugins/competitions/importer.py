"""Read questions from XLSX/CSV, find every bad row, and write the bank back to XLSX."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from core import exports
from core.extensions import db
from plugins.competitions.models import CATEGORIES, Question
from plugins.competitions.qtypes import LETTERS, TRUE_FALSE_OPTIONS, TYPE_ALIASES, get_type

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_STEM = 500
MAX_OPTION = 200
MAX_EXPLANATION = 1000
COLUMNS = ["题型", "分类", "难度", "题干", *[f"选项{ch}" for ch in LETTERS], "答案", "解析"]
REQUIRED = ["题型", "分类", "难度", "题干", "选项A", "选项B", "答案"]
#: Category names people type (in a spreadsheet or a contest's quota lines) → category key.
CATEGORY_ALIASES = {**{v: k for k, v in CATEGORIES.items()}, **{k: k for k in CATEGORIES}}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (too big, not a spreadsheet, columns missing)."""


def stem_key(stem: str) -> str:
    """The stem without spaces and punctuation: what counts as "the same question"."""
    return re.sub(r"[\s\W_]+", "", stem or "").lower()[:500]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of cells (the first is the header) from XLSX or CSV bytes; refuse junk clearly."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"文件太大（上限 {MAX_BYTES // 1024 // 1024} MB），请拆分后再导入。")
    if not data:
        raise ImportFileError("文件是空的。")
    if data[:2] == b"PK":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append([_cell(value) for value in row])
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ImportFileError("无法读取这个 XLSX 文件，请用模板重新保存。") from error
    if b"\x00" in data[:4096]:
        raise ImportFileError("这不是 XLSX 或 CSV 文件，请下载模板后填写。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别 CSV 文件的编码，请保存为 UTF-8。")
    rows = csv.reader(io.StringIO(text))
    return [[exports.strip_csv_guard(cell.strip()) for cell in row] for row in rows]


def parse_rows(table: list[list[str]]) -> tuple[list[dict], list[dict]]:
    """Check every data row; return (good questions, bad rows with their reasons)."""
    if not table:
        raise ImportFileError("文件里没有内容。")
    header = [cell.strip() for cell in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"缺少列：{'、'.join(missing)}。请使用模板的表头。")
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(f"一次最多导入 {MAX_ROWS} 题。")
    index = {name: header.index(name) for name in COLUMNS if name in header}
    known = set(db.session.scalars(select(Question.stem_key)))
    seen: dict[str, int] = {}
    good, bad = [], []
    for number, row in enumerate(table[1:], start=2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in index.items()}
        if not any(cells.values()):
            continue
        question, reasons = _check_row(cells)
        key = stem_key(cells.get("题干", ""))
        if key and key in known:
            reasons.append("题库中已有相同题目")
        elif key and key in seen:
            reasons.append(f"与第 {seen[key]} 行重复")
        if key:
            seen.setdefault(key, number)
        if reasons:
            bad.append({"row": number, "stem": cells.get("题干", "")[:60], "reasons": reasons})
        else:
            question["stem_key"] = key
            question["row"] = number
            good.append(question)
    return good, bad


def _check_row(cells: dict[str, str]) -> tuple[dict, list[str]]:
    reasons: list[str] = []
    kind = TYPE_ALIASES.get(cells.get("题型", "").strip().lower()) or TYPE_ALIASES.get(
        cells.get("题型", "").strip()
    )
    if kind is None:
        reasons.append("题型应为 单选/多选/判断")
    category = CATEGORY_ALIASES.get(cells.get("分类", "").strip())
    if category is None:
        reasons.append("分类不在 " + "/".join(CATEGORIES.values()) + " 之中")
    difficulty = cells.get("难度", "").strip()
    if difficulty not in {"1", "2", "3"}:
        reasons.append("难度应为 1、2 或 3")
    stem = cells.get("题干", "")
    if not stem:
        reasons.append("题干为空")
    elif len(stem) > MAX_STEM:
        reasons.append(f"题干超过 {MAX_STEM} 字")
    explanation = cells.get("解析", "")
    if len(explanation) > MAX_EXPLANATION:
        reasons.append(f"解析超过 {MAX_EXPLANATION} 字")
    options = [cells.get(f"选项{ch}", "") for ch in LETTERS]
    while options and not options[-1]:
        options.pop()
    if kind == "true_false" and not options:
        options = list(TRUE_FALSE_OPTIONS)
    answer = ""
    if kind:
        qtype = get_type(kind)
        if any(not text for text in options):
            reasons.append("选项中间有空项")
        elif len(options) < qtype.min_options:
            reasons.append(f"{qtype.label}至少需要 {qtype.min_options} 个选项")
        elif len(options) > qtype.max_options:
            reasons.append(f"{qtype.label}最多 {qtype.max_options} 个选项")
        if any(len(text) > MAX_OPTION for text in options):
            reasons.append(f"选项超过 {MAX_OPTION} 字")
        answer = qtype.normalise_answer(cells.get("答案", ""))
        if options and not any("选项" in r for r in reasons):
            problem = qtype.answer_problem(answer, len(options))
            if problem:
                reasons.append(problem)
    question = {
        "kind": kind,
        "category": category,
        "difficulty": int(difficulty) if difficulty in {"1", "2", "3"} else 1,
        "stem": stem,
        "options": options,
        "answer": answer,
        "explanation": explanation,
    }
    return question, reasons


def template_rows() -> list[list[str]]:
    return [
        COLUMNS,
        [
            "单选",
            "法律",
            "1",
            "村民委员会每届任期几年？",
            "三年",
            "五年",
            "四年",
            "",
            "",
            "",
            "B",
            "《村民委员会组织法》规定每届任期五年。",
        ],
        [
            "多选",
            "防诈骗",
            "2",
            "以下哪些做法可以防范电信诈骗？",
            "不点陌生链接",
            "不透露验证码",
            "向陌生账户转账",
            "",
            "",
            "",
            "AB",
            "任何索要验证码、要求转账的都要警惕。",
        ],
        [
            "判断",
            "健康",
            "1",
            "高血压患者血压正常后可以自行停药。",
            "",
            "",
            "",
            "",
            "",
            "",
            "错",
            "降压药需遵医嘱长期服用，不能擅自停药。",
        ],
    ]


def to_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    for row in rows:
        sheet.append(row)
    return exports.xlsx_bytes(book)


def to_csv(rows: list[list[str]]) -> bytes:
    return exports.csv_bytes(rows)


def bank_rows(questions: list[Question]) -> list[list[str]]:
    """The bank in the import layout, so an export can be edited and imported elsewhere."""
    labels = {"single": "单选", "multiple": "多选", "true_false": "判断"}
    rows = [COLUMNS]
    for q in questions:
        options = list(q.options) + [""] * (len(LETTERS) - len(q.options))
        answer = {"A": "对", "B": "错"}[q.answer] if q.kind == "true_false" else q.answer
        rows.append(
            [
                labels[q.kind],
                q.category_label,
                str(q.difficulty),
                q.stem,
                *options,
                answer,
                q.explanation,
            ]
        )
    return rows
