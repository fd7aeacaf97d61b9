"""One JSON line per request, and one request id on every record of the request."""

from __future__ import annotations

import json
import logging

from core.logs import JsonFormatter


def _access_lines(caplog) -> list[dict]:
    return [
        json.loads(JsonFormatter().format(record))
        for record in caplog.records
        if record.name == "xxt.access"
    ]


def test_each_request_writes_one_json_access_line(client, login_as, caplog):
    caplog.set_level(logging.INFO, logger="xxt.access")
    user_id = login_as("resident")
    response = client.get("/dashboard", headers={"X-Request-ID": "from-nginx-0001"})
    (line,) = _access_lines(caplog)
    assert response.headers["X-Request-ID"] == "from-nginx-0001"
    assert {key: line[key] for key in ("method", "path", "status", "user_id", "request_id")} == {
        "method": "GET",
        "path": "/dashboard",
        "status": 200,
        "user_id": user_id,
        "request_id": "from-nginx-0001",
    }
    assert line["logger"] == "xxt.access" and isinstance(line["duration_ms"], int | float)


def test_a_request_refused_by_csrf_has_its_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="xxt.access")
    response = client.post("/login", data={"phone": "13800000000"}, csrf=False)
    assert response.status_code == 400
    (line,) = _access_lines(caplog)
    assert len(line["request_id"]) == 32
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["status"], line["user_id"]) == (400, None)


def test_gunicorns_own_error_lines_carry_the_id_of_the_request_the_thread_served(client):
    """gunicorn logs "Error handling request" in the serving thread after the app returned."""
    response = client.get("/healthz")
    record = logging.LogRecord(
        "gunicorn.error", logging.ERROR, __file__, 1, "Error handling request /healthz", None, None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["logger"] == "gunicorn.error"
