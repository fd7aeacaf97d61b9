"""300 phones polling a live quiz every 2 s, through gunicorn, against /healthz in the same run.

Seeds PostgreSQL (``BENCH_DATABASE_URL``, default database ``xxt_live_poll``): a town and one live
quiz showing its first question. Serves the app with ``deploy/gunicorn.conf.py`` (2 workers) and
Redis (``BENCH_REDIS_URL``), then for several 2-second rounds sends one poll per phone, evenly
spread over the round, as the phones' JavaScript does: first without ``If-None-Match`` (200 with
the JSON), then with the version the phone holds (304). The same number of ``/healthz`` requests
is the baseline. Prints per request: p50/p95 latency, the gunicorn CPU it cost (and its ratio to
/healthz) and the CPU of every PostgreSQL process on the machine over the same time.

    .venv/bin/python benchmarks/live_poll.py [--phones 300] [--rounds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.competitions_answers import cpu_seconds  # noqa: E402 - after the path is set
from benchmarks.harness import burst, free_port, gunicorn, percentile, raw_request  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xxt_live_poll"
SECRET = "benchmark-secret-key-not-for-production"
CODE = "BENCH1"


def seed(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core import accounts, create_app, orgunits
    from core.extensions import db
    from core.models import OrgUnitKind
    from core.timeutil import utcnow
    from plugins.competitions.live.models import LiveSession

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context():
        db.create_all()
        town = orgunits.create_unit(None, OrgUnitKind.town, "压测镇")
        village = orgunits.create_unit(town, OrgUnitKind.village, "压测村")
        host = accounts.create_user("13900000001", "bench-pass-1", "主持人", village)
        now = utcnow()
        db.session.add(
            LiveSession(
                code=CODE,
                title="压测问答",
                org_unit_id=village.id,
                host_id=host.id,
                question_ids=[1, 2, 3],
                state="question",
                current_index=0,
                question_started_at=now,
                question_deadline=now + timedelta(hours=2),
            )
        )
        db.session.commit()
        db.engine.dispose()


def measure(port: int, server: int, request: bytes, phones: int, rounds: int) -> dict:
    def app(pid, ppid, command):
        return server in (pid, ppid)

    def database(pid, ppid, command):
        return command.startswith("postgres")

    count = phones * rounds
    before = cpu_seconds(app), cpu_seconds(database)
    results = burst(port, [request] * count, spread=2.0 * rounds)
    after = cpu_seconds(app), cpu_seconds(database)
    times = [ms for ms, _ in results]
    return {
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "statuses": sorted({status for _, status in results}),
        "app_cpu_ms": (after[0] - before[0]) * 1000 / count,
        "db_cpu_ms": (after[1] - before[1]) * 1000 / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    seed(url)
    port = free_port()
    poll = f"/contests/live/play/{CODE}/state.json"
    with gunicorn(url, port, SECRET, workers=options.workers, REDIS_URL=redis_url) as server:
        cases = {
            "/healthz": raw_request("GET", "/healthz"),
            "poll, 200": raw_request("GET", poll),
            "poll, 304": raw_request("GET", poll, {"If-None-Match": '"question.0"'}),
        }
        burst(port, [cases["poll, 200"]] * 10)  # publish the version, warm the workers
        figures = {
            name: measure(port, server.pid, request, options.phones, options.rounds)
            for name, request in cases.items()
        }
    base = figures["/healthz"]["app_cpu_ms"] or 1e-9
    print(
        f"{options.phones} phones polling every 2 s for {options.rounds} rounds "
        f"({options.phones // 2} requests/s), {options.workers} gunicorn workers, Redis cache"
    )
    print("case        p50 ms  p95 ms  gunicorn CPU ms/req  ratio  PostgreSQL CPU ms/req")
    for name, row in figures.items():
        print(
            f"{name:<11} {row['p50']:6.1f}  {row['p95']:6.1f}  {row['app_cpu_ms']:19.2f}  "
            f"{row['app_cpu_ms'] / base:5.2f}  {row['db_cpu_ms']:21.2f}  "
            f"statuses {row['statuses']}"
        )


if __name__ == "__main__":
    main()
