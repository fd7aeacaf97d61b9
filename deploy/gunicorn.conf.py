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
accesslog = os.environ.get("XXT_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"


def child_exit(server, worker):
    """Drop a dead worker's Prometheus files so /metrics stays right (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
