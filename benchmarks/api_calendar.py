"""JSON API benchmark: the agenda (one page of 50), "my events" and the agenda's 304, served
by gunicorn on 127.0.0.1 over the calendar benchmark's data (10,000 events, 200 weekly series).

Each case is driven right after ``/healthz`` in the same run, and the whole set is repeated
``--rounds`` times (the host is shared, so single runs wander); the medians are printed.

    .venv/bin/python benchmarks/api_calendar.py --database postgresql+psycopg://postgres@127.0.0.1:5432/xxt_bench

Targets (issue 16): the agenda page at least 25% of /healthz's throughput, the 304 at least 60%.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.calendar_feeds import drive, fetch, seed  # noqa: E402 - after the path is set
from benchmarks.harness import free_port  # noqa: E402

AGENDA = "/api/v1/calendar/agenda?per_page=50&days=14"  # the agenda page's two weeks


def issue_token(database_url: str) -> str:
    """A bearer token of the demo resident (who holds 30 registrations in the seed)."""
    from core import create_app, demo
    from core.api import tokens

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        _token, secret = tokens.issue(demo.demo_user("resident"), "benchmark")
    return secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="xxt-api-bench-")
    database = args.database or f"sqlite:///{tmp}/bench.sqlite"
    began = time.perf_counter()
    seed(database)
    bearer = {"Authorization": f"Bearer {issue_token(database)}"}
    print(f"seeded in {time.perf_counter() - began:.1f} s ({database.split('@')[-1]})")
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
        for _ in range(args.workers * 4):  # every worker loads and caches once
            fetch(base + AGENDA)
            fetch(base + "/api/v1/calendar/mine?per_page=50", bearer)
        with urllib.request.urlopen(base + AGENDA) as response:
            etag = response.headers["ETag"]
            import json

            shown = len(json.load(response)["items"])
        cases = [
            ("agenda, page of 50", AGENDA, None, 200),
            ("agenda, 304", AGENDA, {"If-None-Match": etag}, 304),
            ("my events (token)", "/api/v1/calendar/mine?per_page=50", bearer, 200),
        ]
        ratios: dict[str, list[float]] = {label: [] for label, *_ in cases}
        rates: dict[str, list[float]] = {label: [] for label, *_ in cases}
        trivial: list[float] = []
        for _round in range(args.rounds):
            for label, path, headers, expect in cases:
                healthz = drive(base + "/healthz", args.requests, args.concurrency)["rps"]
                figures = drive(base + path, args.requests, args.concurrency, headers, expect)
                trivial.append(healthz)
                rates[label].append(figures["rps"])
                ratios[label].append(figures["rps"] / healthz)
        print(f"agenda page holds {shown} occurrences; {args.rounds} rounds, medians:")
        print(f"{'case':<22}{'req/s':>10}{'ratio to /healthz':>20}   (per round)")
        print(f"{'healthz (trivial)':<22}{statistics.median(trivial):>10.0f}")
        for label, *_ in cases:
            rounds = " ".join(f"{r:.2f}" for r in ratios[label])
            print(
                f"{label:<22}{statistics.median(rates[label]):>10.0f}"
                f"{statistics.median(ratios[label]):>20.2f}   ({rounds})"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
