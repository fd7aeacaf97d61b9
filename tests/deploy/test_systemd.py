"""The shipped systemd units pass ``systemd-analyze verify`` (paths pointed at this checkout)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.deploy.serving import ROOT

UNITS = ROOT / "deploy" / "systemd"


@pytest.fixture
def analyze() -> str:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.skip("systemd-analyze is not installed: the units cannot be verified here")
    return binary


def installed_units(tmp_path) -> list[str]:
    """Copies with /srv/xiangxuetong replaced by this checkout, whose .venv has the binaries."""
    names = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text()
        assert "/srv/xiangxuetong" in text or unit.suffix == ".timer"
        (tmp_path / unit.name).write_text(text.replace("/srv/xiangxuetong", str(ROOT)))
        names.append(str(tmp_path / unit.name))
    return names


def test_units_verify_cleanly(analyze, tmp_path):
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("no .venv/bin/gunicorn in this checkout (python3 dev.py setup makes it)")
    units = installed_units(tmp_path)
    assert len(units) == 3
    result = subprocess.run([analyze, "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "xiangxuetong" not in result.stderr, result.stderr  # no warning about our units


def test_a_broken_unit_is_caught(analyze, tmp_path):
    broken = tmp_path / "broken.service"
    broken.write_text("[Service]\nExecStart=/nonexistent/gunicorn\n")
    result = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0
