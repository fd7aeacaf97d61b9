"""gunicorn settings for 乡学通: ``gunicorn -c deploy/gunicorn.conf.py 'core:create_app()'``.

Every value can be overridden from the environment (systemd unit, shell).
"""

import os

bind = os.environ.get("XXT_BIND", "unix:/run/xiangxuetong/gunicorn.sock")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# Threads let a worker keep answering while a live-quiz phone polls or a feed is built.
worker_class = "gthread"
threads = int(os.environ.get("XXT_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
# Only the local nginx may say who the client is (ProxyFix reads one hop).
forwarded_allow_ips = os.environ.get("XXT_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app writes one JSON line per request itself (core/logs.py: method, path, status,
# duration, user id, request id), so gunicorn's plain-text access log stays off unless asked for.
accesslog = os.environ.get("XXT_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
# gunicorn's own lines (start, worker timeouts, "Error handling request") as JSON too, with the
# id of the request the thread was serving (core.logs.JsonFormatter).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        # With a logconfig gunicorn always writes access lines; they stay below the level
        # unless XXT_ACCESS_LOG asks for them (the app's own line is the access log).
        "gunicorn.access": {
            "level": "INFO" if os.environ.get("XXT_ACCESS_LOG") else "WARNING",
            "handlers": ["console"],
            "propagate": False,
        },
    },
}
# gunicorn 27 keeps a control socket; by default it lands in the working directory (the
# checkout). Keep it beside the unix socket (systemd's RuntimeDirectory), or go without.
_socket_dir = bind[len("unix:") :].rpartition("/")[0] if bind.startswith("unix:") else ""
control_socket = os.environ.get("XXT_CONTROL_SOCKET") or (
    f"{_socket_dir}/gunicorn.ctl" if _socket_dir else "gunicorn.ctl"
)
control_socket_disable = not (os.environ.get("XXT_CONTROL_SOCKET") or _socket_dir)


def child_exit(server, worker):
    """Drop a dead worker's Prometheus files so /metrics stays right (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
