"""A threaded local HTTP server with keep-alive, a request-rate limit and fault injection."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class TokenBucket:
    """``rate`` requests a second, bursts up to ``rate`` (the provider's API flow control)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.tokens = rate or 0.0
        self.stamp = time.monotonic()
        self.lock = threading.Lock()
        #: Refuse this many next requests whatever the rate (a test's way to force throttling).
        self.refuse = 0

    def take(self) -> bool:
        if self.refuse > 0:
            with self.lock:
                self.refuse -= 1
            return False
        if not self.rate:
            return True
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class FakeProvider:
    """Base of the fakes: ``url``, ``faults`` (a list the next requests pop: "500", "drop",
    "drop_after_accept"), ``requests`` counted, ``accepted`` messages kept."""

    def __init__(self, rate: float | None = None) -> None:
        self.bucket = TokenBucket(rate)
        self.faults: list[str] = []
        self.requests = 0
        self.throttled = 0
        self.accepted: list[dict] = []
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with provider.lock:
                    provider.requests += 1
                    fault = provider.faults.pop(0) if provider.faults else ""
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault == "500":
                    self._answer(500, {"message": "Internal Server Error"})
                    return
                status, answer = provider.handle(self, body)
                if fault == "drop_after_accept":
                    self.close_connection = True
                    self.connection.close()
                    return
                self._answer(status, answer)

            def _answer(self, status: int, answer: dict) -> None:
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _handle
            do_GET = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def handle(self, request, body: bytes) -> tuple[int, dict]:
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
