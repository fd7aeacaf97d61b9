"""Shared pieces of the benchmarks: a free port, gunicorn started with the shipped settings,
timed HTTP requests and percentile summaries.

The server is started with ``deploy/gunicorn.conf.py`` (``XXT_BIND`` pointing at 127.0.0.1), so
what is measured is what production runs.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed_request(
    port: int, method: str, path: str, headers: dict | None = None, body: bytes = b""
) -> tuple[float, int, dict, bytes]:
    """(milliseconds, status, headers, body); status 0 when the connection failed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = dict(headers or {})
    if body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        status, answer = response.status, dict(response.getheaders())
    except OSError:
        status, answer, data = 0, {}, b""
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status, answer, data


@contextmanager
def gunicorn(database_url: str, port: int, secret: str, workers: int = 4, **env: str):
    """gunicorn -c deploy/gunicorn.conf.py on 127.0.0.1:port; stopped (SIGTERM) on exit."""
    settings = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "XXT_ENV": "production",
        "XXT_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "XXT_ACCESS_LOG": "/dev/null",
        **env,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "core:create_app()"],
        cwd=ROOT,
        env=settings,
    )
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            if timed_request(port, "GET", "/healthz")[1] == 200:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]
