"""Request ids and one JSON line per request.

Every request gets an id (the proxy's ``X-Request-ID`` or a new one) before anything else runs,
in a WSGI middleware, so every log record of that request carries it: the app's own lines, the
line of a request refused by CSRF (refused before any view) and gunicorn's own error lines for
that request (logged in the same thread after the app returned; ``deploy/gunicorn.conf.py``
formats them with :class:`JsonFormatter`). The app writes the access line itself
(``xxt.access``: method, path, status, duration, user id, request id), so gunicorn's plain-text
access log is off.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid

from flask import Flask, g, has_request_context, request, session

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
ENVIRON_KEY = "xxt.request_id"
access_log = logging.getLogger("xxt.access")
_thread = threading.local()  # the id of the request this thread serves (or served last)


def current_request_id() -> str | None:
    """The id of the request being served in this thread (also after the app returned)."""
    if has_request_context():
        return request.environ.get(ENVIRON_KEY) or _thread.__dict__.get("request_id")
    return _thread.__dict__.get("request_id")


class RequestIdMiddleware:
    """Outermost WSGI layer: give the request its id before Flask (and CSRF) sees it."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        assign_request_id(environ)
        return self.wsgi_app(environ, start_response)


def assign_request_id(environ) -> str:
    """The proxy's ``X-Request-ID`` when it is well formed, else a new one."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    environ[ENVIRON_KEY] = request_id
    _thread.request_id = request_id
    return request_id


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id when there is one (gunicorn uses it too)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        line.update(getattr(record, "access", {}))
        if has_request_context() and "path" not in line:
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


def _user_id() -> int | None:
    """The signed-in user's id from the session cookie: no database read (it may be down)."""
    raw = str(session.get("_user_id") or "")
    user_id = raw.partition(":")[0]
    return int(user_id) if user_id.isdigit() else None


def log_request(response):
    """The request's one access line."""
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "access": {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
                "user_id": _user_id(),
                "ip": request.remote_addr,
            }
        },
    )
    return response


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)

    def start_request():
        environ = request.environ
        g.request_id = environ.get(ENVIRON_KEY) or assign_request_id(environ)
        g.request_started = time.perf_counter()

    # First of all, so that a request refused by an earlier check (CSRF) still has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request(log_request)
