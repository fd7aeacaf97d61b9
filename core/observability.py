"""Prometheus metrics, and request ids with JSON logs (``core.logs``).

Every request gets an id (the proxy's ``X-Request-ID`` or a new one), echoed in the response and
written in every log line of that request. ``/metrics`` serves Prometheus text to the addresses in
``METRICS_ALLOW``; with several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (see README).
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from core import logs
from core.logs import JsonFormatter  # noqa: F401  (the formatter's old home)

REQUESTS = Counter("xxt_requests_total", "HTTP requests answered", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "xxt_request_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class ScrapeTimeCollector:
    """Figures read from the database when /metrics is scraped, in this one place.

    A gauge kept in a worker's memory (or its multiprocess file) outlives the worker: after a
    recycle the dead worker's last value stayed in the "max" and the backlog alert never cleared.
    What the database knows is true whichever worker answers the scrape.
    """

    def collect(self):
        from core.notify import pending_count

        yield GaugeMetricFamily(
            "xxt_notification_outbox", "Notification deliveries waiting", value=pending_count()
        )


def scrape_time_metrics() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ScrapeTimeCollector())
    return generate_latest(registry)


def _metrics_registry() -> CollectorRegistry | None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return None


def init_app(app: Flask) -> None:
    logs.init_app(app)

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
        body = generate_latest(_metrics_registry() or REGISTRY) + scrape_time_metrics()
        return Response(body, mimetype=CONTENT_TYPE_LATEST)
