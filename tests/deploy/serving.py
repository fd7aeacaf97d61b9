"""Start the shipped serving stack (gunicorn + Debian's nginx) in a temp dir for the deploy tests.

Only paths, ports and names in deploy/nginx/xiangxuetong.conf are rewritten, so what is tested
is what an operator installs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "xiangxuetong.conf"


def need_binary(path: str | None, what: str) -> str:
    """The binary's path; a skip (a failure under CI=true) when it is missing."""
    if path and Path(path).exists():
        return path
    message = f"{what} is not installed: the serving test needs it (apt-get install {what})"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(tmp: Path, tag: str) -> str:
    """An empty database: a SQLite file, or ``<test db>_<tag>`` beside TEST_DATABASE_URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        return f"sqlite:///{tmp / (tag + '.sqlite')}"
    base, _, name = url.rpartition("/")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_{tag}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}_{tag}"'))
    engine.dispose()
    return f"{base}/{name}_{tag}"


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "core", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    openssl = need_binary(shutil.which("openssl"), "openssl")
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
    ]
    subprocess.run(
        [openssl, *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(
    tmp: Path, socket_path: Path, http_port: int, https_port: int, collected: Path | None = None
) -> str:
    """The shipped site file with only paths, ports and server name replaced."""
    cert, key = self_signed_certificate(tmp)
    site = SITE.read_text()
    replacements = {
        "/etc/letsencrypt/live/xxt.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/xxt.example.org/privkey.pem": str(key),
        "xxt.example.org": "localhost",
        "unix:/run/xiangxuetong/gunicorn.sock": f"unix:{socket_path}",
        "/srv/xiangxuetong/core/static/": f"{ROOT / 'core' / 'static'}/",
        "/srv/xiangxuetong/static-collected;": f"{collected or tmp / 'static-collected'};",
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
    }
    for old, new in replacements.items():
        assert old in site, f"the site file no longer contains {old!r}: update the test"
        site = site.replace(old, new)
    return site


def nginx_main_config(tmp: Path, site: Path) -> str:
    """A minimal main nginx.conf around the site, everything writable under ``tmp``."""
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / folder).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp files
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'nginx-error.log'};\nevents {{ worker_connections 64; }}\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        f"  access_log {tmp / 'nginx-access.log'};\n"
        f"  client_body_temp_path {tmp / 'body'};\n  proxy_temp_path {tmp / 'proxy'};\n"
        f"  fastcgi_temp_path {tmp / 'fastcgi'};\n  uwsgi_temp_path {tmp / 'uwsgi'};\n"
        f"  scgi_temp_path {tmp / 'scgi'};\n"
        f"  include {site};\n"
        "}\n"
    )


def wait_until(check, what: str, log: Path, attempts: int = 300) -> None:
    for _ in range(attempts):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up:\n{log.read_text() if log.exists() else ''}")


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    """Ask the process to stop (SIGTERM: graceful for gunicorn, fast for nginx), then insist."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
