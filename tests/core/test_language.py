"""Language: every string the site shows has English, and Chinese uses full-width punctuation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.i18n import PROJECT_ROOT, extract, owners, read_catalog, translated

CHINESE = "\u3400-\u9fff\u3000-\u303f\uff01-\uff5e\u201c\u201d"
# An ASCII , : ; ( ) ! ? touching a Chinese character (or full-width punctuation).
MIXED = re.compile(rf"(?<=[{CHINESE}])[,:;()!?]|[,:;()!?](?=[{CHINESE}])")
# In a template, _('…') shows its text; any other tag shows something that is not Chinese.
TAG = re.compile(r"\{\{-?\s*_\(\s*(['\"])(.*?)\1[^}]*\}\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
CORE_CATALOG = PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _catalogs() -> list[Path]:
    return [folder / "en" / "LC_MESSAGES" / "messages.po" for folder in owners()]


@pytest.mark.parametrize("folder", list(owners()), ids=lambda f: str(f.relative_to(PROJECT_ROOT)))
def test_every_string_of_the_sources_has_english(folder):
    """Extracted from the sources, so a new string without English fails here."""
    own = read_catalog(folder / "en" / "LC_MESSAGES" / "messages.po")
    shared = read_catalog(CORE_CATALOG)
    missing = sorted(
        f"{where}: {message_id}"
        for message_id, where in dict(extract(owners()[folder])).items()
        if not translated(own, message_id) and not translated(shared, message_id)
    )
    assert missing == []


def test_a_new_untranslated_string_is_found(tmp_path):
    (tmp_path / "page.html").write_text("<p>{{ _('一句还没有英文的话') }}</p>")
    (tmp_path / "views.py").write_text("flash(_('另一句'))\n")
    assert sorted(message for message, _where in extract([tmp_path])) == [
        "一句还没有英文的话",
        "另一句",
    ]
    assert not translated(read_catalog(CORE_CATALOG), "一句还没有英文的话")


def mixed_punctuation(text: str) -> list[str]:
    """The stretches of ``text`` where ASCII punctuation touches Chinese."""
    return [text[max(m.start() - 6, 0) : m.end() + 6] for m in MIXED.finditer(text)]


def _shown_text(template: str) -> str:
    return TAG.sub(lambda m: m.group(2) if m.group(2) is not None else "\x00", template)


def _templates() -> list[Path]:
    return sorted(
        [
            *PROJECT_ROOT.glob("templates/**/*.html"),
            *PROJECT_ROOT.glob("plugins/*/templates/**/*.html"),
        ]
    )


def _python_sources() -> list[Path]:
    found = [*PROJECT_ROOT.glob("core/**/*.py"), *PROJECT_ROOT.glob("plugins/*/**/*.py")]
    return sorted(path for path in found if "migrations" not in path.parts)


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings are English prose for developers, not text people see: left out."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            found.add(id(first.value))
    return found


def test_chinese_text_uses_full_width_punctuation():
    found = []
    for path in _templates():
        for number, line in enumerate(_shown_text(path.read_text()).splitlines(), 1):
            found += [
                f"{path.relative_to(PROJECT_ROOT)}:{number}: {s}" for s in mixed_punctuation(line)
            ]
    for path in _catalogs():
        for message in read_catalog(path):
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                found += [f"{path.relative_to(PROJECT_ROOT)}: {s}" for s in mixed_punctuation(text)]
    for path in _python_sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in _docstrings(tree)
            ):
                found += [
                    f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {s}"
                    for s in mixed_punctuation(node.value)
                ]
    assert found == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("您好,测试张三", ["您好,测试张三"]),
        ("知识竞赛:法律", ["知识竞赛:法律"]),
        ("志愿服务: 两小时", ["志愿服务: 两小时"]),
        ("村(社区)", ["村(社区)", "村(社区)"]),
        ("您好，测试张三", []),
        ("下载 Excel(XLSX)", []),
        ("共 %(n)s 人", []),
        ("18:30 开始", []),
    ],
)
def test_the_punctuation_check_finds_ascii_next_to_chinese(text, found):
    assert mixed_punctuation(text) == found
    assert _shown_text("{{ _('状态') }}:<b>") == "状态:<b>"


@pytest.mark.parametrize(
    ("locale", "pattern", "shown"),
    [
        ("zh_CN", "M月d日 EEE HH:mm", "12月5日 周六 15:00"),
        ("en", "M月d日 EEE HH:mm", "Dec 5 Sat 15:00"),
        ("en", "yyyy年M月d日", "Dec 5, 2026"),
        ("en", "yyyy-MM-dd HH:mm", "2026-12-05 15:00"),
    ],
)
def test_dates_follow_the_language_of_the_page(app, locale, pattern, shown):
    from datetime import UTC, datetime

    from flask import session

    from core.web import local_datetime

    with app.test_request_context():
        session["locale"] = locale
        assert local_datetime(datetime(2026, 12, 5, 7, 0, tzinfo=UTC), pattern) == shown


def test_update_adds_new_strings_to_their_owners_catalog(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from core import i18n

    sources, catalogs = tmp_path / "plugin", tmp_path / "translations"
    sources.mkdir()
    (sources / "views.py").write_text("flash(_('新的一句'))\nflash(_('已有的一句'))\n")
    po = catalogs / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    catalog = Catalog(locale="en")
    catalog.add("已有的一句", "An old sentence")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setattr(i18n, "owners", lambda: {catalogs: [sources]})
    monkeypatch.setattr(i18n, "PROJECT_ROOT", tmp_path)
    (tmp_path / "translations").mkdir(exist_ok=True)
    assert i18n.update_catalogs() == {po: 1}
    updated = read_catalog(po)
    assert updated["新的一句"].string == "" and updated["已有的一句"].string == "An old sentence"
    assert i18n.update_catalogs() == {po: 0}


def test_an_unknown_audit_key_reads_as_a_plain_word(app):
    from core.audit_labels import label

    with app.test_request_context():
        assert label("core.role_granted") == "授予角色"
        assert label("calendar_event") == "活动"
        assert label("someplugin.something") == "其他操作"
        assert label("") == ""
