"""Readiness: can this worker serve every request, and if not, which part is missing?

``/healthz`` stays the liveness probe (the app and its database answer). ``/healthz/ready``
checks each thing a request may need and names it: the database, Redis (when ``REDIS_URL`` is
set; the site keeps serving without it, so a dead Redis makes the answer "degraded", 200), the
upload folder being writable, and free disk space there. A failing database, upload folder or disk
answers 503 so a load balancer stops sending traffic to this host.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text

from core.extensions import db

#: Checks whose failure makes the host unready (503); the others only degrade it.
ESSENTIAL = ("database", "uploads", "disk")


def check_database() -> tuple[bool, str]:
    try:
        db.session.execute(select(text("1")))
    except Exception as error:  # the probe must answer, not raise
        db.session.rollback()
        return False, f"unreachable: {type(error).__name__}"
    return True, "ok"


def check_redis() -> tuple[bool, str]:
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return True, "not configured (per-process memory)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as error:
        return False, f"unreachable: {type(error).__name__}; rate limits per process"
    return True, "ok"


def check_uploads() -> tuple[bool, str]:
    folder = Path(current_app.config["UPLOAD_DIR"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ready-", delete=True) as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as error:
        return False, f"not writable: {error.strerror or type(error).__name__}"
    return True, "ok"


def check_disk() -> tuple[bool, str]:
    folder = Path(current_app.config["UPLOAD_DIR"])
    try:
        free_mb = shutil.disk_usage(folder if folder.exists() else folder.parent).free // 2**20
    except OSError as error:
        return False, f"unknown: {error.strerror}"
    floor = int(current_app.config["READY_MIN_FREE_MB"])
    if free_mb < floor:
        return False, f"{free_mb} MB free, below {floor} MB"
    return True, f"{free_mb} MB free"


CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "uploads": check_uploads,
    "disk": check_disk,
}


def readiness() -> tuple[dict, int]:
    """``({"status": ..., "checks": {name: {"ok": bool, "detail": str}}}, http status)``."""
    checks = {}
    for name, check in CHECKS.items():
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    if not all(checks[name]["ok"] for name in ESSENTIAL):
        return {"status": "unready", "checks": checks}, 503
    status = "ok" if all(item["ok"] for item in checks.values()) else "degraded"
    return {"status": status, "checks": checks}, 200
