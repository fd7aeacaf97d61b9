"""A small keep-alive HTTP client for the providers' documented APIs (SMS, WeChat).

Stdlib only: one connection per host and thread, reused across requests. It tells apart a
request that never reached the provider (safe to retry) from one whose answer was lost (the
provider may have acted on it), because a message must never be sent twice.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

_local = threading.local()


class NotDelivered(Exception):
    """The request did not reach the provider (refused, DNS, connect timeout): retry is safe."""


class AnswerLost(Exception):
    """The request was sent but no answer came: the provider may have acted on it."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> dict:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {}


#: A kept connection idle longer than this is closed before use: a server may have dropped it,
#: and a request on a dropped connection could not be told apart from one whose answer was lost.
IDLE_SECONDS = 4.0


def _connection(scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, netloc)
    entry = pool.get(key)
    if entry is not None and time.monotonic() - entry[1] > IDLE_SECONDS:
        _drop(scheme, netloc)
        entry = None
    if entry is None:
        kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        entry = pool[key] = [kind(netloc, timeout=timeout), time.monotonic()]
    entry[1] = time.monotonic()
    return entry[0]


def _drop(scheme: str, netloc: str) -> None:
    entry = getattr(_local, "pool", {}).pop((scheme, netloc), None)
    if entry is not None:
        entry[0].close()


def request(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Answer:
    """Send one request on a reused connection; raise NotDelivered or AnswerLost on faults."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection = _connection(parts.scheme, parts.netloc, timeout)
    try:
        if connection.sock is None:
            connection.connect()
    except OSError as error:
        _drop(parts.scheme, parts.netloc)
        raise NotDelivered(f"connect {parts.netloc}: {error!r}") from error
    try:
        connection.request(method, path, body=body, headers=headers or {})
    except OSError as error:
        _drop(parts.scheme, parts.netloc)
        raise NotDelivered(f"send {parts.netloc}: {error!r}") from error
    try:
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as error:
        _drop(parts.scheme, parts.netloc)
        raise AnswerLost(f"{parts.netloc}: {error!r}") from error
    if response.getheader("Connection", "").lower() == "close":
        _drop(parts.scheme, parts.netloc)
    return Answer(response.status, data)


def close_all() -> None:
    """Close this thread's connections (end of a sender run)."""
    for key in list(getattr(_local, "pool", {})):
        _drop(*key)
