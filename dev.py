#!/usr/bin/env python3
"""One-command set-up for 乡学通, using nothing but Python 3.11+.

    python3 dev.py serve   # venv, install, migrate, demo town, serve on http://127.0.0.1:5000
    python3 dev.py test    # venv, install, whole test suite on SQLite, then on PostgreSQL
    python3 dev.py test tests/plugins/calendar -k feed   # one part, both databases
    python3 dev.py coverage   # SQLite pass with coverage (subprocesses too), htmlcov/

PostgreSQL tests use TEST_POSTGRES_URL (default: the local server, database "test"); they run
when it answers, and under CI=true an unreachable server is a failure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed-for"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = "/usr/bin/chromium"
NGINX = "/usr/sbin/nginx"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args, env: dict | None = None, check: bool = True) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=check).returncode


def ensure_venv() -> None:
    """Create .venv and install the project with its dev extras when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - a clear message for an old python3
        sys.exit("乡学通 needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        say("installing dependencies (pip install -e .[dev])")
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
        STAMP.write_text(wanted)
    run(PYTHON, "-m", "core.i18n")


def app_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("XXT_ENV", "development")
    env.setdefault("FLASK_APP", "core")
    env.update(extra)
    return env


def serve() -> None:
    ensure_venv()
    port = os.environ.get("PORT", "5000")
    # Links in feeds, e-mails and the live-quiz screen point at the port really served.
    env = app_env(SITE_URL=os.environ.get("SITE_URL", f"http://127.0.0.1:{port}"))
    flask = BIN / "flask"
    say("building the database (flask db upgrade)")
    run(flask, "db", "upgrade", env=env)
    say("loading the demo town (flask demo-data)")
    run(flask, "demo-data", env=env)
    say(f"serving on http://127.0.0.1:{port} (Ctrl+C stops)")
    run(flask, "run", "--host", "127.0.0.1", "--port", port, env=env, check=False)


#: (path, Debian package, what needs it): installed for the tests when missing and we may.
#: nginx is for the serving test (tests/deploy/test_nginx.py) and systemd-analyze verifies the
#: shipped units (tests/deploy/test_systemd.py); pgbouncer is started by its own test
#: (tests/deploy/test_pgbouncer.py) on a port of its own. None is started here.
TEST_PACKAGES = [
    (CHROMIUM, "chromium", "browser tests"),
    (NGINX, "nginx", "serving test"),
    ("/usr/bin/systemd-analyze", "systemd", "unit-file check"),
    ("/usr/sbin/pgbouncer", "pgbouncer", "connection-pooler test"),
]


def ensure_debian_packages(needs: list[tuple[str, str, str]]) -> None:
    """Debian packages the tests need, installed when missing and we may (root, apt-get):
    one ``apt-get update`` and one install for all of them."""
    missing = [need for need in needs if not Path(need[0]).exists()]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        for _, package, purpose in missing:
            say(f"installing Debian's {package} for the {purpose}")
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ("apt-get", "install", "-y", "-qq")
        run("apt-get", "update", "-qq", env=apt_env, check=False)
        packages = [package for _, package, _ in missing]
        if run(*install, *packages, env=apt_env, check=False) != 0 and len(packages) > 1:
            # One unavailable package fails the whole install: try the others one by one.
            for path, package, _ in missing:
                if not Path(path).exists():
                    run(*install, package, env=apt_env, check=False)
    for path, package, purpose in missing:
        if not Path(path).exists():
            say(
                f"{package} is not available: the {purpose} will be skipped (a failure under CI=true)"
            )


def postgres_answers(url: str) -> bool:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 5432), timeout=3
        ):
            return True
    except OSError:
        return False


def pytest_options(pytest_args: list[str], coverage: bool) -> list[str]:
    """The whole suite runs in parallel (pytest-xdist, one worker per core); a run of one part
    (any arguments given) runs as asked. Coverage, with its floor, is measured on the SQLite
    pass of the whole suite."""
    options = list(pytest_args)
    if not any(arg.startswith(("-n", "--numprocesses")) for arg in options):
        options += ["-n", str(min(4, os.cpu_count() or 2)), "--dist", "worksteal"]
    if coverage:
        options += ["--cov", "--cov-report=term:skip-covered"]
    return options


def test(pytest_args: list[str], coverage: bool | None = None) -> None:
    ensure_venv()
    ensure_debian_packages(TEST_PACKAGES)
    whole_suite = not pytest_args
    coverage = whole_suite if coverage is None else coverage
    env = app_env()
    env.pop("TEST_DATABASE_URL", None)
    say("tests on SQLite" + (" (with coverage)" if coverage else ""))
    options = pytest_options(pytest_args, coverage)
    codes = [run(PYTHON, "-m", "pytest", *options, env=env, check=False)]
    postgres = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    if postgres_answers(postgres):
        say(f"tests on PostgreSQL ({postgres})")
        codes.append(
            run(
                PYTHON,
                "-m",
                "pytest",
                *pytest_options(pytest_args, coverage=False),
                env=app_env(TEST_DATABASE_URL=postgres),
                check=False,
            )
        )
    elif os.environ.get("CI") == "true":
        say(f"PostgreSQL expected on CI but not answering at {postgres}")
        codes.append(1)
    else:
        say("PostgreSQL not answering: its run was skipped")
    sys.exit(max(codes))


def coverage_report(pytest_args: list[str]) -> None:
    """The SQLite pass with coverage (subprocesses included) and an HTML report in htmlcov/."""
    ensure_venv()
    ensure_debian_packages(TEST_PACKAGES)
    env = app_env()
    env.pop("TEST_DATABASE_URL", None)
    options = [*pytest_options(pytest_args, coverage=True), "--cov-report=html"]
    code = run(PYTHON, "-m", "pytest", *options, env=env, check=False)
    say("coverage report: htmlcov/index.html")
    sys.exit(code)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command == "serve":
        serve()
    elif command == "test":
        test(sys.argv[2:])
    elif command == "coverage":
        coverage_report(sys.argv[2:])
    elif command == "setup":
        ensure_venv()
    else:
        print(__doc__)
        sys.exit(0 if command == "help" else 2)


if __name__ == "__main__":
    main()
