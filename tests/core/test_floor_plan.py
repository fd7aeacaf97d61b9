"""Every plugin has the same floor plan (README, "Writing a plugin"): the same file names in
every plugin folder, sub-products as sub-packages, one-line hook implementations, blueprints
in blueprint.py, click groups in cli.py, and no literal paths in Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(path.parent for path in (ROOT / "plugins").glob("*/plugin.py"))
#: The rooms every plugin has (views*.py too: at least one).
FLOOR_PLAN = {
    "__init__.py",
    "plugin.py",
    "blueprint.py",
    "hooks.py",
    "cli.py",
    "models.py",
    "services.py",
    "forms.py",
    "demo.py",
    "README.md",
    "templates",
    "static",
    "migrations",
    "translations",
}


def _python_files(plugin: Path) -> list[Path]:
    return [p for p in plugin.rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_every_plugin_folder_lists_the_floor_plan(plugin):
    names = {path.name for path in plugin.iterdir()}
    assert FLOOR_PLAN - names == set()
    assert list(plugin.glob("views*.py")), "a plugin shows its pages from views*.py"


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_sub_products_are_sub_packages_not_file_name_suffixes(plugin):
    suffixed = [
        path.relative_to(ROOT).as_posix()
        for path in _python_files(plugin)
        if re.fullmatch(
            r"(models|forms|api)_\w+\.py|\w+_(live|awards|mediation|requests)\.py", path.name
        )
    ]
    assert suffixed == []


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_hook_implementations_in_plugin_py_are_one_line(plugin):
    tree = ast.parse((plugin / "plugin.py").read_text())
    long = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        if not any("hookimpl" in ast.unparse(d) for d in node.decorator_list):
            continue
        body = [
            s
            for s in node.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        ]
        work = [s for s in body if not isinstance(s, ast.ImportFrom)]
        if len(work) != 1:
            long.append(node.name)
    assert long == []


def test_blueprints_and_click_groups_live_in_their_rooms():
    misplaced = []
    for plugin in PLUGINS:
        for path in _python_files(plugin):
            text = path.read_text()
            if re.search(r"\bBlueprint\(", text) and path.name != "blueprint.py":
                misplaced.append(path.relative_to(ROOT).as_posix())
            if (
                re.search(r"@click\.group|click\.Group\(|AppGroup\(", text)
                and path.name != "cli.py"
            ):
                misplaced.append(path.relative_to(ROOT).as_posix())
    assert misplaced == []


LITERAL_PATH = re.compile(r"""(?:link=|redirect\(|url=|href=)\s*f?["']/[a-z]""")


def test_no_literal_site_paths_in_python():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for directory in ("core", "plugins")
        for path in (ROOT / directory).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LITERAL_PATH.search(line)
    ]
    assert found == []
