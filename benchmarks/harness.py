"""Shared pieces of the benchmarks: a free port, gunicorn started with the shipped settings,
timed HTTP requests and percentile summaries.

The server is started with ``deploy/gunicorn.conf.py`` (``XXT_BIND`` pointing at 127.0.0.1), so
what is measured is what production runs.
"""

from __future__ import annotations

import http.client
import os
import selectors
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
        "LOG_LEVEL": "WARNING",  # no access line per request on the console
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


def raw_request(method: str, path: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    """The bytes of one HTTP/1.1 request that asks the server to close the connection after."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    headers = dict(headers or {})
    if body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        headers["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def burst(port: int, requests: list[bytes], spread: float = 0.0) -> list[tuple[float, int]]:
    """Send every request at the same instant (or the i-th at ``spread * i / n`` seconds) and
    time each one from its connect to the end of its answer: (milliseconds, status), status 0
    when the connection failed.

    One thread drives every socket through a selector, so the client spends a few microseconds
    per request. A thread per request (the obvious client) holds the GIL in turns and takes CPU
    that the server on the same machine needs, which inflates the very latencies it measures.
    """
    selector = selectors.DefaultSelector()
    count = len(requests)
    started = [0.0] * count
    results: list[tuple[float, int]] = [(0.0, 0)] * count
    received = [bytearray() for _ in range(count)]
    waiting = 0
    begin = time.perf_counter()

    def finish(index: int, sock: socket.socket) -> None:
        nonlocal waiting
        selector.unregister(sock)
        sock.close()
        waiting -= 1
        head = bytes(received[index][:12])
        status = int(head[9:12]) if head.startswith(b"HTTP/") and head[9:12].isdigit() else 0
        results[index] = ((time.perf_counter() - started[index]) * 1000, status)

    def on_event(index: int, sock: socket.socket, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            try:
                sock.sendall(requests[index])
            except OSError:
                finish(index, sock)
                return
            selector.modify(sock, selectors.EVENT_READ, index)
            return
        try:
            chunk = sock.recv(65536)
        except OSError:
            chunk = b""
        if chunk:
            received[index] += chunk
        else:
            finish(index, sock)

    next_index = 0
    while next_index < count or waiting:
        now = time.perf_counter()
        while next_index < count and (not spread or now - begin >= spread * next_index / count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            started[next_index] = time.perf_counter()
            sock.connect_ex(("127.0.0.1", port))
            selector.register(sock, selectors.EVENT_WRITE, next_index)
            waiting += 1
            next_index += 1
        timeout = None
        if next_index < count:
            timeout = max(begin + spread * next_index / count - time.perf_counter(), 0)
        events = selector.select(timeout if timeout is not None else 60)
        if not events and next_index >= count:  # a minute without a byte: count the rest failed
            for key in list(selector.get_map().values()):
                received[key.data].clear()
                finish(key.data, key.fileobj)
        for key, mask in events:
            on_event(key.data, key.fileobj, mask)
    selector.close()
    return results
