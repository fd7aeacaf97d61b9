"""Request ids, one-line JSON logs and Prometheus metrics.

Every request gets an id (the proxy's ``X-Request-ID`` or a new one), echoed in the response and
written in every log line of that request. ``/metrics`` serves Prometheus text to the addresses in
``METRICS_ALLOW``; with several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (see README).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid

from flask import Flask, Response, abort, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

REQUESTS = Counter("xxt_requests_total", "HTTP requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "xxt_request_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX = Gauge(
    "xxt_notification_outbox", "Notification deliveries waiting", multiprocess_mode="max"
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = g.get("request_id")
            line["path"] = request.path
            line["ip"] = request.remote_addr
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr in production; Flask's readable default elsewhere."""
    from core.config import is_production

    if app.config.get("LOG_FORMAT", "json") != "json" or not is_production(app):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.handlers[:] = []
    app.logger.propagate = True


def _metrics_registry() -> CollectorRegistry | None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return None


def init_app(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def start_request():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        if "request_started" in g:
            LATENCY.labels(endpoint).observe(time.perf_counter() - g.request_started)
        return response

    @app.route("/metrics")
    def metrics():
        """Prometheus text format; only for the monitoring hosts in METRICS_ALLOW."""
        if request.remote_addr not in app.config["METRICS_ALLOW"]:
            abort(404)
        from core.notify import pending_count

        OUTBOX.set(pending_count())
        registry = _metrics_registry()
        body = generate_latest(registry) if registry else generate_latest()
        return Response(body, mimetype=CONTENT_TYPE_LATEST)
