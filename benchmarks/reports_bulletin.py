"""Time the progress bulletin and the annual assessment over a year of data for 30 villages.

Seeds 100,000 credit entries through the credits tables, plus a bench-only metrics plugin whose
``report_metrics`` runs aggregate SQL over its own seeded tables standing in for the calendar and
volunteers plugins: 5,000 events, 50,000 attendances, 20,000 volunteer-hour records. Serves the
app with gunicorn on 127.0.0.1 and times each page beside ``/healthz`` in the same run.

    .venv/bin/python benchmarks/reports_bulletin.py                       # SQLite temp file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/xxt_credits \\
        .venv/bin/python benchmarks/reports_bulletin.py                   # PostgreSQL (wiped!)
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sqlalchemy import (  # noqa: E402
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    Table,
    func,
    select,
)

from benchmarks.harness import free_port  # noqa: E402 - after the path is set
from core.hookspecs import hookimpl  # noqa: E402
from core.hooktypes import Metric  # noqa: E402
from core.plugins import Plugin  # noqa: E402

YEAR = 2025
VILLAGES = 30
PEOPLE_PER_VILLAGE = 100
CREDIT_ENTRIES = 100_000
EVENTS = 5_000
ATTENDANCES = 50_000
HOUR_RECORDS = 20_000
PASSWORD = "bench-pass-2025"
MANAGER_PHONE = "13900000000"
ROUNDS = 15

bench_metadata = MetaData()
bench_event = Table(
    "bench_event",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("org_unit_id", Integer, index=True),
    Column("starts_at", DateTime(timezone=True), index=True),
)
bench_attendance = Table(
    "bench_attendance",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, index=True),
    Column("org_unit_id", Integer),
    Column("attended_at", DateTime(timezone=True), index=True),
)
bench_hours = Table(
    "bench_hours",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("org_unit_id", Integer),
    Column("hours", Float),
    Column("confirmed_at", DateTime(timezone=True), index=True),
)


def _bounds(start: date, end: date):
    from core.timeutil import period_bounds

    return period_bounds(start, end)


def _roll_up(rows, unit_ids):
    """Sum per-unit rows into each asked unit (descendants included), as real plugins must."""
    from core.extensions import db
    from core.models import OrgUnit

    paths = dict(db.session.execute(select(OrgUnit.id, OrgUnit.path)).all())
    by_path = [(paths.get(unit_id, "~"), amount or 0) for unit_id, amount in rows]
    return {
        unit_id: sum(a for p, a in by_path if p.startswith(paths.get(unit_id, "!")))
        for unit_id in unit_ids
    }


class BenchMetrics(Plugin):
    """Stands in for calendar and volunteers with realistic aggregate queries."""

    name = "benchmetrics"
    title = "bench"

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        from core.extensions import db

        first, after = _bounds(start, end)
        events = db.session.execute(
            select(bench_event.c.org_unit_id, func.count())
            .where(bench_event.c.starts_at >= first, bench_event.c.starts_at < after)
            .group_by(bench_event.c.org_unit_id)
        ).all()
        attendances = db.session.execute(
            select(bench_attendance.c.org_unit_id, func.count())
            .where(bench_attendance.c.attended_at >= first, bench_attendance.c.attended_at < after)
            .group_by(bench_attendance.c.org_unit_id)
        ).all()
        hours = db.session.execute(
            select(bench_hours.c.org_unit_id, func.sum(bench_hours.c.hours))
            .where(bench_hours.c.confirmed_at >= first, bench_hours.c.confirmed_at < after)
            .group_by(bench_hours.c.org_unit_id)
        ).all()
        url = "/bench/{unit_id}?from={start}&to={end}"
        return [
            Metric("calendar.events_held", "活动场次", _roll_up(events, unit_ids), "场", url),
            Metric(
                "calendar.participant_times",
                "参与人次",
                _roll_up(attendances, unit_ids),
                "人次",
                url,
            ),
            Metric("volunteers.hours", "志愿服务时长", _roll_up(hours, unit_ids), "小时", url),
        ]


def bench_app():
    """The gunicorn entry point: the normal app plus the bench metrics."""
    from core import create_app

    return create_app(extra_plugins=[BenchMetrics()])


def _moment(rng: random.Random) -> datetime:
    return datetime(YEAR, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))


def seed() -> None:
    from core import accounts, orgunits
    from core.extensions import db
    from core.models import OrgUnitKind
    from plugins.credits.models import CreditEntry
    from plugins.reports.models import AssessmentWeight

    app = bench_app()
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        bench_metadata.drop_all(db.engine)
        db.create_all()
        bench_metadata.create_all(db.engine)
        town = orgunits.create_unit(None, OrgUnitKind.town, "基准镇", population=60000)
        villages = [
            orgunits.create_unit(town, OrgUnitKind.village, f"村{n:02d}", population=1000 + 50 * n)
            for n in range(VILLAGES)
        ]
        manager = accounts.create_user(MANAGER_PHONE, PASSWORD, "基准管理员", villages[0])
        accounts.grant_role(manager, "programme_manager", town)
        db.session.commit()
        users = []
        for village in villages:
            rows = [
                {
                    "phone": f"137{village.id:04d}{n:04d}",
                    "display_name": f"居民{village.id}-{n}",
                    "home_unit_id": village.id,
                    "password_hash": "x",
                    "active": True,
                    "session_version": 1,
                    "created_at": datetime.now(UTC),
                }
                for n in range(PEOPLE_PER_VILLAGE)
            ]
            from core.models import User

            db.session.execute(User.__table__.insert(), rows)
        db.session.commit()
        from core.models import User

        users = db.session.execute(select(User.id, User.home_unit_id)).all()
        entries = []
        for n in range(CREDIT_ENTRIES):
            user_id, unit_id = users[rng.randrange(len(users))]
            moment = _moment(rng)
            entries.append(
                {
                    "user_id": user_id,
                    "org_unit_id": unit_id,
                    "amount": rng.choice((1, 2, 2, 3, 5)),
                    "reason": "参加活动",
                    "source": "bench",
                    "source_kind": "attendance",
                    "source_id": str(n),
                    "rule": "attendance",
                    "entry_kind": "credit",
                    "generation": 0,
                    "note": "",
                    "occurred_at": moment,
                    "created_at": moment,
                }
            )
        for chunk in range(0, len(entries), 10_000):
            db.session.execute(CreditEntry.__table__.insert(), entries[chunk : chunk + 10_000])
        ids = [v.id for v in villages]
        events = [
            {"id": n + 1, "org_unit_id": rng.choice(ids), "starts_at": _moment(rng)}
            for n in range(EVENTS)
        ]
        db.session.execute(bench_event.insert(), events)
        attendances = []
        for _n in range(ATTENDANCES):
            event = events[rng.randrange(EVENTS)]
            attendances.append(
                {
                    "event_id": event["id"],
                    "org_unit_id": event["org_unit_id"],
                    "attended_at": event["starts_at"],
                }
            )
        db.session.execute(bench_attendance.insert(), attendances)
        db.session.execute(
            bench_hours.insert(),
            [
                {"org_unit_id": rng.choice(ids), "hours": 1.0, "confirmed_at": _moment(rng)}
                for _n in range(HOUR_RECORDS)
            ],
        )
        for key, weight in (
            ("calendar.events_held", 30),
            ("calendar.participant_times", 30),
            ("volunteers.hours", 20),
            ("credits.earned", 20),
        ):
            db.session.add(AssessmentWeight(year=YEAR, metric_key=key, weight=weight))
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(CreditEntry))
        print(
            f"seeded: {VILLAGES} villages, {len(users)} people, {count} credit entries, "
            f"{EVENTS} events, {ATTENDANCES} attendances, {HOUR_RECORDS} hour records"
        )


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _log_in(opener, base: str) -> None:
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    data = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "phone": MANAGER_PHONE, "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/login", data).read()
    assert b"/logout" in opener.open(f"{base}/dashboard").read(), "login failed"


def _time(opener, url: str, rounds: int = ROUNDS) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with opener.open(url) as response:
            response.read()
            assert response.status == 200, (url, response.status)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='xxt-bench-')}/bench.sqlite"
    )
    os.environ.update(
        {"DATABASE_URL": database_url, "XXT_ENV": "development", "SECRET_KEY": "bench-secret-key"}
    )
    started = time.perf_counter()
    seed()
    print(
        f"database: {database_url.split('@')[-1]}; seeding took {time.perf_counter() - started:.1f} s"
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--chdir",
            str(ROOT),
            "benchmarks.reports_bulletin:bench_app()",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        opener = _opener()
        _log_in(opener, base)
        pages = {
            "/healthz": f"{base}/healthz",
            "bulletin (year)": f"{base}/reports/bulletin?start={YEAR}-01-01&end={YEAR}-12-31",
            "bulletin.xlsx (year)": f"{base}/reports/bulletin.xlsx?start={YEAR}-01-01&end={YEAR}-12-31",
            "assessment (year)": f"{base}/reports/assessment?year={YEAR}",
            "overview, 12 months": f"{base}/reports/?start={YEAR}-01-01&end={YEAR}-12-31",
        }
        for url in pages.values():  # warm up each worker
            _time(opener, url, 2)
        results = {name: _time(opener, url) for name, url in pages.items()}
        health = statistics.median(results["/healthz"])
        print(f"{'page':24} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'× healthz':>10}")
        for name, times in results.items():
            ordered = sorted(times)
            median = statistics.median(times)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            print(
                f"{name:24} {median * 1000:10.1f} {p95 * 1000:8.1f} {max(times) * 1000:8.1f}"
                f" {median / health:10.1f}"
            )
        for name in ("bulletin (year)", "assessment (year)"):
            verdict = "OK" if max(results[name]) < 1 else "SLOW"
            print(f"target < 1 s for {name}: {verdict}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
