"""Calendar benchmark: 10,000 events and 200 weekly series, served by gunicorn on 127.0.0.1.

Measures requests per second and p95 latency of the agenda page, the month grid, the public
feed (full and 304), a private feed and the trivial ``/healthz`` in the same run, and the
agenda page's compressed size (HTML + CSS + JS).

    .venv/bin/python benchmarks/calendar_feeds.py [--database URL] [--requests 300]

Default database: a temporary SQLite file; pass your PostgreSQL URL to measure that.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.harness import free_port  # noqa: E402 - after the path is set


def seed(database_url: str) -> str:
    """Fresh schema, demo town, 10,000 single events, 200 weekly series; returns a feed token."""
    from sqlalchemy import insert, text

    from core import create_app, demo, orgunits
    from core.extensions import db
    from core.timeutil import from_local, utcnow
    from plugins.calendar import recurrence, registration, services
    from plugins.calendar.models import CalendarEvent, CalendarFeedToken

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    with app.test_request_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
            db.session.commit()
        else:
            db.drop_all()
        db.create_all()
        town = demo.load_town()
        demo.load_people(town)
        cats = [c.id for c in services.ensure_categories()]
        villages = [v.id for v in orgunits.villages()]
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        rng = random.Random(7)
        rows = []
        for number in range(10_000):
            start = now + timedelta(days=rng.randint(-180, 540), hours=rng.randint(-6, 6))
            end = start + timedelta(hours=rng.choice((1, 2, 3)))
            rows.append(
                {
                    "uid": f"bench-{number}@xiangxuetong",
                    "title": f"活动{number}:社区教育微讲堂",
                    "description": "欢迎村(居)民参加。" * 3,
                    "markdown": False,
                    "category_id": rng.choice(cats),
                    "org_unit_id": rng.choice(villages),
                    "venue": "学习中心",
                    "start_at": start,
                    "end_at": end,
                    "all_day": False,
                    "capacity": 50,
                    "registration_open": True,
                    "members_only": False,
                    "status": "cancelled" if number % 97 == 0 else "scheduled",
                    "cancel_reason": "",
                    "freq": "none",
                    "interval": 1,
                    "weekdays": "",
                    "count": None,
                    "until": None,
                    "last_end_at": end,
                    "sequence": number % 3,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for chunk in range(0, len(rows), 1000):
            db.session.execute(insert(CalendarEvent), rows[chunk : chunk + 1000])
        services.bump_version()  # the bulk insert bypassed the service layer
        series = []
        for number in range(200):
            day = (now + timedelta(days=rng.randint(-60, 30))).date()
            start = from_local(datetime.combine(day, dtime(19, 30)))
            series.append(
                services.save_event(
                    None,
                    {
                        "title": f"干部夜校第{number}期",
                        "description": "每周一次",
                        "markdown": False,
                        "category_id": cats[0],
                        "org_unit_id": rng.choice(villages),
                        "venue": "学习中心",
                        "all_day": False,
                        "start_at": start,
                        "end_at": start + timedelta(hours=1, minutes=30),
                        "freq": "weekly",
                        "interval": 1,
                        "weekdays": str(day.weekday()),
                        "count": 40,
                        "until": None,
                        "capacity": 40,
                        "registration_open": True,
                        "members_only": False,
                    },
                    None,
                )
            )
        db.session.flush()
        for event in series[::10]:
            starts = recurrence.all_original_starts(event)
            services.cancel_occurrence(event, starts[3], "农忙")
        resident = demo.demo_user("resident")
        for event in series[:30]:
            future = [s for s in recurrence.all_original_starts(event) if s > utcnow()]
            if future:
                registration.register(
                    event, recurrence.find_occurrence(event, future[0]), resident.id
                )
        token = "bench-token-0123456789abcdef"
        db.session.add(CalendarFeedToken(user_id=resident.id, token=token))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # fresh statistics, no autovacuum mid-run
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    return token


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def drive(url: str, total: int, concurrency: int, headers=None, expect=200) -> dict:
    """``total`` requests from ``concurrency`` threads; returns rps and p95 (ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = {"left": total}

    def worker():
        while True:
            with lock:
                if counter["left"] <= 0:
                    return
                counter["left"] -= 1
            began = time.perf_counter()
            status, _body = fetch(url, headers)
            elapsed = time.perf_counter() - began
            if status != expect:
                raise RuntimeError(f"{url} answered {status}")
            with lock:
                latencies.append(elapsed)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": total / wall,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "median": statistics.median(latencies) * 1000,
    }


def page_weight(base: str) -> tuple[int, int]:
    """Agenda HTML plus its CSS and JS, raw and gzip-compressed bytes."""
    _status, html = fetch(base + "/calendar/")
    assets = re.findall(rb'(?:href|src)="(/[^"]+\.(?:css|js))"', html)
    total = [html] + [fetch(base + asset.decode())[1] for asset in set(assets)]
    raw = sum(len(part) for part in total)
    compressed = sum(len(gzip.compress(part, 6)) for part in total)
    return raw, compressed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="xxt-cal-bench-")
    database = args.database or f"sqlite:///{tmp}/bench.sqlite"
    began = time.perf_counter()
    token = seed(database)
    print(
        f"seeded 10,000 events + 200 weekly series in {time.perf_counter() - began:.1f} s ({database.split('@')[-1]})"
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "bench-secret-key-0123456789",
        "XXT_ENV": "production",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "UPLOAD_DIR": tmp,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "core:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        _status, feed = fetch(base + "/calendar/feed.ics")
        etag = None
        for _ in range(args.workers * 4):  # every worker builds and caches once
            for path in (
                "/calendar/",
                "/calendar/month",
                "/calendar/feed.ics",
                f"/calendar/feed/{token}.ics",
            ):
                fetch(base + path)
        request = urllib.request.Request(base + "/calendar/feed.ics")
        with urllib.request.urlopen(request) as response:
            etag = response.headers["ETag"]
        cases = [
            ("healthz (trivial)", "/healthz", None, 200),
            ("agenda page", "/calendar/", None, 200),
            ("month grid", "/calendar/month", None, 200),
            ("public feed, full", "/calendar/feed.ics", None, 200),
            ("public feed, 304", "/calendar/feed.ics", {"If-None-Match": etag}, 304),
            ("private feed", f"/calendar/feed/{token}.ics", None, 200),
        ]
        results, trivial_before = {}, {}
        for label, path, headers, expect in cases:
            # The host is shared: measure the trivial endpoint right before each case too.
            trivial_before[label] = drive(base + "/healthz", args.requests, args.concurrency)["rps"]
            results[label] = drive(base + path, args.requests, args.concurrency, headers, expect)
        print(f"public feed: {feed.count(b'BEGIN:VEVENT')} VEVENTs, {len(feed) / 1024:.0f} KB")
        print(
            f"{'endpoint':<20}{'req/s':>10}{'p95 ms':>10}{'median ms':>11}"
            f"{'healthz req/s':>15}{'ratio':>8}"
        )
        for label, figures in results.items():
            trivial = trivial_before[label]
            print(
                f"{label:<20}{figures['rps']:>10.0f}{figures['p95']:>10.1f}"
                f"{figures['median']:>11.1f}{trivial:>15.0f}{figures['rps'] / trivial:>8.2f}"
            )
        raw, compressed = page_weight(base)
        print(f"agenda page HTML+CSS+JS: {raw / 1024:.1f} KB raw, {compressed / 1024:.1f} KB gzip")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
