"""The whole site under gunicorn on PostgreSQL, with /healthz as the yardstick in the same run.

For each size (default 2,000 and 10,000 events) it seeds the demo town, the lecture menu and
that many events (1% of them weekly series), renders their VEVENTs once (``flask calendar
store-feeds``: what an upgrade runs), serves the site with deploy/gunicorn.conf.py and prints:

- the feed's cold request (the first after a start: nothing in memory, no Redis), warm and 304;
- for every page, throughput and server CPU per request (user + system time of the gunicorn
  processes, from /proc), each as a ratio to /healthz measured in the same round; medians of
  ``--rounds`` rounds, so other load on a shared machine moves both sides alike;
- worker memory (RSS) after the run. With ``--big N`` (50,000) it also times an edit of one
  event: the commit, the next feed request and worker memory, to show no full rebuild happens.

    .venv/bin/python benchmarks/site.py --database postgresql+psycopg://postgres@127.0.0.1/x \
        [--sizes 2000,10000] [--big 50000] [--rounds 3] [--workers 2]

The database is wiped. Figures go in benchmarks/README.md and the parts' READMEs.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import free_port, gunicorn, timed_request

SECRET = "site-benchmark-secret-key-not-for-production"
TICKS = os.sysconf("SC_CLK_TCK")
#: Workers are not recycled while measuring (max_requests 2000 would restart each one a few
#: times per run and put its start-up into whichever page was being timed); the first feed
#: request of a worker, what a recycle costs the feed, is measured as "cold".
NO_RECYCLING = {"GUNICORN_CMD_ARGS": "--max-requests 0"}
EDITABLE = [
    *("title", "description", "markdown", "category_id", "org_unit_id", "all_day", "capacity"),
    *("registration_open", "members_only", "freq", "interval", "weekdays", "count", "until"),
    *("start_at", "end_at"),
]


def seed(url: str, events: int, site_url: str) -> dict:
    """Fresh schema, demo data, ``events`` events with stored VEVENTs; what clients need.

    ``site_url`` must be the served one: stored VEVENTs carry links under it, and rows made
    under another are rendered again (as after a change of ``SITE_URL``)."""
    from sqlalchemy import insert, select, text

    from core import create_app, demo, orgunits
    from core.extensions import db
    from core.timeutil import from_local, utcnow
    from plugins.calendar import recurrence, services, store
    from plugins.calendar.models import CalendarEvent
    from plugins.lecturers.requests.models import LectureRequest

    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True, "SITE_URL": site_url}
    )
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        db.session.commit()
        db.create_all()
    runner = app.test_cli_runner()
    for command in (["demo-data"], ["lecturers", "seed-menu"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    figures = {}
    with app.test_request_context():
        categories = [c.id for c in services.ensure_categories()]
        villages = [v.id for v in orgunits.villages()]
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        rng = random.Random(7)
        rows = []
        for number in range(events - events // 100):
            start = now + timedelta(days=rng.randint(-120, 400), hours=rng.randint(-6, 6))
            end = start + timedelta(hours=rng.choice((1, 2, 3)))
            rows.append(
                {
                    "uid": f"bench-{number}@xiangxuetong",
                    "title": f"活动{number}:社区教育微讲堂",
                    "description": "欢迎村(居)民参加。" * 3,
                    "markdown": False,
                    "category_id": rng.choice(categories),
                    "org_unit_id": rng.choice(villages),
                    "venue": "学习中心",
                    "start_at": start,
                    "end_at": end,
                    "all_day": False,
                    "capacity": 50,
                    "registration_open": True,
                    "members_only": False,
                    "walk_ins": False,
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
        for chunk in range(0, len(rows), 2000):
            db.session.execute(insert(CalendarEvent), rows[chunk : chunk + 2000])
        services.bump_version()  # the bulk insert bypassed the service layer
        db.session.commit()
        for number in range(events // 100):
            day = (now + timedelta(days=rng.randint(-60, 30))).date()
            start = from_local(datetime.combine(day, dtime(19, 30)))
            event = services.save_event(
                None,
                {
                    "title": f"干部夜校第{number}期",
                    "description": "每周一次",
                    "markdown": False,
                    "category_id": categories[0],
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
            if number % 10 == 0:
                db.session.flush()
                starts = recurrence.all_original_starts(event)
                services.cancel_occurrence(event, starts[3], "农忙")
        db.session.commit()
        began = time.process_time()
        figures["stored"] = store.render_missing()
        figures["store_cpu_s"] = time.process_time() - began
        upcoming = services.occurrences_between(now + timedelta(days=1), now + timedelta(days=8))
        event_path = services.occurrence_url(next(o for o in upcoming if o.event_id))
        lecture = db.session.scalar(
            select(LectureRequest.id).where(LectureRequest.state == "submitted")
        )
        signer = app.session_interface.get_signing_serializer(app)
        manager = demo.demo_user("programme_manager")
        cookie = signer.dumps({"_user_id": manager.get_id(), "_fresh": True})
    with app.app_context(), db.engine.connect() as plain:
        plain.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return {"event": event_path, "lecture": lecture, "cookie": cookie, **figures}


def processes(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *map(int, children)]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def batch(port, master, path, headers, expect, seconds, limit, threads=4) -> dict:
    """Requests from ``threads`` clients for ``seconds`` (at most ``limit``): rps, CPU ms/req."""
    done, failures, lock = [], [], threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < stop:
            with lock:
                if len(done) >= limit:
                    return
            millis, status, _headers, _body = timed_request(port, "GET", path, headers)
            with lock:
                if status == expect:
                    done.append(millis)
                else:
                    failures.append(status)

    pids = processes(master)
    cpu_before, began = cpu_seconds(pids), time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall, cpu = time.perf_counter() - began, cpu_seconds(pids) - cpu_before
    if not done or len(failures) > len(done) / 50:
        raise RuntimeError(f"{path}: answers other than {expect}: {failures}")
    if failures:  # a dropped connection on a loaded machine (status 0): counted, not timed
        print(f"  {path}: {len(failures)} of {len(failures) + len(done)} failed: {failures}")
    return {"rps": len(done) / wall, "cpu_ms": cpu * 1000 / len(done), "median": median(done)}


def median(values) -> float:
    return statistics.median(values) if values else 0.0


def feed_figures(port: int, master: int, event_path: str) -> dict:
    """Cold (the first feed request of a worker: no feed in its memory, no Redis), warm and 304
    of the full public feed, in ms. The workers serve other pages first (one event's .ics
    included), so the figure is the feed's cost, not the worker's first imports."""
    for _ in range(8):
        for path in ("/healthz", "/calendar/", event_path, event_path.rsplit("/", 1)[0] + ".ics"):
            timed_request(port, "GET", path)
    pids = processes(master)
    cpu_before = cpu_seconds(pids)
    cold_ms, status, headers, body = timed_request(port, "GET", "/calendar/feed.ics")
    cold_cpu = (cpu_seconds(pids) - cpu_before) * 1000
    assert status == 200, status
    warm = [timed_request(port, "GET", "/calendar/feed.ics")[0] for _ in range(9)]
    etag = {"If-None-Match": headers["ETag"]}
    revalidated = [timed_request(port, "GET", "/calendar/feed.ics", etag) for _ in range(9)]
    assert all(r[1] == 304 for r in revalidated)
    return {
        "cold": cold_ms,
        "cold_cpu": cold_cpu,
        "warm": median(warm),
        "304": median([r[0] for r in revalidated]),
        "vevents": body.count(b"BEGIN:VEVENT"),
        "kib": len(body) / 1024,
        "etag": headers["ETag"],
    }


def run_size(url: str, events: int, args) -> dict:
    began = time.perf_counter()
    port = free_port()
    plan = seed(url, events, f"http://127.0.0.1:{port}")
    print(
        f"\n## {events:,} events: seeded in {time.perf_counter() - began:.0f} s; VEVENTs of "
        f"{plan['stored']:,} events stored once in {plan['store_cpu_s']:.1f} s CPU"
    )
    env = {"SITE_URL": f"http://127.0.0.1:{port}", "XXT_THREADS": "4", **NO_RECYCLING}
    with gunicorn(url, port, SECRET, workers=args.workers, **env) as server:
        feed = feed_figures(port, server.pid, plan["event"])
        page = timed_request(port, "GET", "/calendar/")[2]
        signed = {"Cookie": f"session={plan['cookie']}"}
        cases = [
            ("home /", "/", None, 200),
            ("agenda /calendar/", "/calendar/", None, 200),
            ("agenda 304", "/calendar/", {"If-None-Match": page["ETag"]}, 304),
            ("week", "/calendar/week", None, 200),
            ("month", "/calendar/month", None, 200),
            ("event page", plan["event"], None, 200),
            ("feed (warm)", "/calendar/feed.ics", None, 200),
            ("feed 304", "/calendar/feed.ics", {"If-None-Match": feed["etag"]}, 304),
            ("lecture request + suggestions", f"/lectures/requests/{plan['lecture']}", signed, 200),
            ("/volunteers/manage", "/volunteers/manage", signed, 200),
            ("/reports/", "/reports/", signed, 200),
        ]
        for _label, path, headers, _expect in cases:  # warm every worker's caches
            for _ in range(args.workers * 3):
                timed_request(port, "GET", path, headers)
        rounds: dict[str, list[dict]] = {label: [] for label, *_ in cases}
        for _round in range(args.rounds):
            for label, path, headers, expect in cases:
                trivial = batch(port, server.pid, "/healthz", None, 200, args.seconds, 400)
                found = batch(port, server.pid, path, headers, expect, args.seconds, 400)
                rounds[label].append(
                    {
                        "rps": found["rps"],
                        "cpu_ms": found["cpu_ms"],
                        "rps_ratio": found["rps"] / trivial["rps"],
                        "cpu_ratio": found["cpu_ms"] / max(trivial["cpu_ms"], 0.01),
                        "healthz_cpu_ms": trivial["cpu_ms"],
                    }
                )
        memory = [rss_mib(pid) for pid in processes(server.pid)[1:]]
    print(
        f"feed: {feed['vevents']:,} VEVENTs, {feed['kib']:,.0f} KiB; cold {feed['cold']:.0f} ms "
        f"({feed['cold_cpu']:.0f} ms server CPU), "
        f"warm {feed['warm']:.1f} ms, 304 {feed['304']:.1f} ms (wall, one request)"
    )
    print(f"{'page':<32}{'req/s':>8}{'× healthz':>11}{'CPU ms/req':>12}{'× healthz':>11}")
    table = {}
    for label, found in rounds.items():
        row = {key: median([r[key] for r in found]) for key in found[0]}
        table[label] = row
        print(
            f"{label:<32}{row['rps']:>8.0f}{row['rps_ratio']:>11.2f}"
            f"{row['cpu_ms']:>12.1f}{row['cpu_ratio']:>11.2f}"
        )
    print(
        f"/healthz CPU per request (median): {median([r['healthz_cpu_ms'] for r in rounds['home /']]):.2f} ms"
    )
    print(f"worker RSS after the run: {', '.join(f'{m:.0f}' for m in memory)} MiB")
    return {"feed": feed, "pages": table, "memory": memory}


def edit_one(url: str) -> float:
    """Change one event's venue through the service, as the edit form does; CPU seconds."""
    from sqlalchemy import select

    from core import create_app
    from core.extensions import db
    from plugins.calendar import services
    from plugins.calendar.models import CalendarEvent

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.test_request_context():
        event = db.session.scalar(select(CalendarEvent).order_by(CalendarEvent.id).limit(1))
        data = {name: getattr(event, name) for name in EDITABLE}
        began = time.process_time()
        services.save_event(event, {**data, "venue": f"新会场{time.time():.0f}"}, None)
        db.session.commit()
        return time.process_time() - began


def run_big(url: str, events: int, args) -> None:
    began = time.perf_counter()
    port = free_port()
    plan = seed(url, events, f"http://127.0.0.1:{port}")
    print(
        f"\n## {events:,} events: seeded in {time.perf_counter() - began:.0f} s; VEVENTs of "
        f"{plan['stored']:,} events stored once in {plan['store_cpu_s']:.1f} s CPU"
    )
    env = {"SITE_URL": f"http://127.0.0.1:{port}", "XXT_THREADS": "4", **NO_RECYCLING}
    with gunicorn(url, port, SECRET, workers=args.workers, **env) as server:
        feed = feed_figures(port, server.pid, plan["event"])
        for _ in range(args.workers * 3):
            timed_request(port, "GET", "/calendar/feed.ics")
        before = [rss_mib(pid) for pid in processes(server.pid)[1:]]
        edit_cpu = edit_one(url)
        pids = processes(server.pid)
        cpu_before = cpu_seconds(pids)
        after_edit = [
            timed_request(port, "GET", "/calendar/feed.ics") for _ in range(args.workers * 2)
        ]
        rebuild_cpu = (cpu_seconds(pids) - cpu_before) * 1000
        assert all(r[1] == 200 for r in after_edit)
        after = [rss_mib(pid) for pid in processes(server.pid)[1:]]
    print(
        f"feed: {feed['vevents']:,} VEVENTs, {feed['kib']:,.0f} KiB; cold {feed['cold']:.0f} ms "
        f"({feed['cold_cpu']:.0f} ms server CPU), "
        f"warm {feed['warm']:.1f} ms, 304 {feed['304']:.1f} ms"
    )
    print(
        f"edit of one event: {edit_cpu * 1000:.0f} ms CPU for the commit; next feed requests "
        f"{', '.join(f'{r[0]:.0f}' for r in after_edit)} ms wall, {rebuild_cpu:.0f} ms server "
        f"CPU for the {len(after_edit)} (each worker concatenates once)"
    )
    print(
        f"worker RSS before the edit {', '.join(f'{m:.0f}' for m in before)} MiB, after "
        f"{', '.join(f'{m:.0f}' for m in after)} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True, help="PostgreSQL URL (wiped)")
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--big", type=int, default=0, help="e.g. 50000: the edit figure")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="per batch")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        f"# site benchmark {date.today()} on {platform.node()}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {args.workers} gunicorn workers × 4 threads"
    )
    for size in (int(s) for s in args.sizes.split(",") if s):
        run_size(args.database, size, args)
    if args.big:
        run_big(args.database, args.big, args)


if __name__ == "__main__":
    main()
