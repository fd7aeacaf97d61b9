"""The architecture as a test: import-linter's contracts in pyproject.toml, and the contract's
plugin list kept equal to the plugins on disk (a new plugin cannot slip outside it)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def test_every_plugin_on_disk_is_in_the_independence_contract():
    on_disk = sorted(
        f"plugins.{path.parent.name}" for path in (ROOT / "plugins").glob("*/plugin.py")
    )
    assert sorted(_contracts()["plugins-independent"]["modules"]) == on_disk


def test_core_and_plugins_keep_the_import_contracts():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout
