"""dev.py, the README's two commands: the address it serves, and how it runs the tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev(monkeypatch):
    """dev.py loaded as a module, with set-up and every command it would run recorded."""
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.calls = []

    def run(*args, env=None, check=True):
        module.calls.append(([str(a) for a in args], env))
        return 0

    monkeypatch.setattr(module, "ensure_venv", lambda: None)
    monkeypatch.setattr(module, "run", run)
    return module


def test_serve_prints_and_links_the_port_it_really_serves(dev, monkeypatch, capsys):
    monkeypatch.setenv("PORT", "5101")
    monkeypatch.delenv("SITE_URL", raising=False)
    dev.serve()
    assert "serving on http://127.0.0.1:5101" in capsys.readouterr().out
    served, _env = dev.calls[-1]
    assert served[-4:] == ["--host", "127.0.0.1", "--port", "5101"]
    assert {env["SITE_URL"] for _args, env in dev.calls} == {"http://127.0.0.1:5101"}


def test_serve_keeps_a_site_url_that_was_set(dev, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setenv("SITE_URL", "https://xxt.example.org")
    dev.serve()
    served, env = dev.calls[-1]
    assert served[-1] == "5000" and env["SITE_URL"] == "https://xxt.example.org"


def test_whole_suite_runs_in_parallel_with_coverage_and_one_part_as_asked(dev):
    whole = dev.pytest_options([], coverage=True)
    assert whole[:2] == ["-n", whole[1]] and int(whole[1]) >= 1 and "--cov" in whole
    assert dev.pytest_options(["-n", "0", "tests/core"], coverage=False) == [
        "-n",
        "0",
        "tests/core",
    ]
    part = dev.pytest_options(["tests/core", "-k", "feed"], coverage=False)
    assert part[:3] == ["tests/core", "-k", "feed"] and "-n" in part and "--cov" not in part
