"""How fast is the request page with ranked suggestions? 500 lecturers, 20,000 past lectures.

Seeds a fresh database, serves the app with gunicorn on 127.0.0.1, logs in as a programme
manager and requests the page of one submitted request (which ranks every lecturer) in a
bounded loop from a few threads, next to the trivial ``/healthz`` in the same run.

    .venv/bin/python benchmarks/lecturers_suggestions.py                    # SQLite temp file
    .venv/bin/python benchmarks/lecturers_suggestions.py --database-url \
        postgresql+psycopg://postgres@127.0.0.1:5432/xxt_lecturers         # PostgreSQL
Target: p95 of the request page under 150 ms.
"""

from __future__ import annotations

import argparse
import http.cookiejar
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
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.harness import free_port  # noqa: E402 - after the path is set

PASSWORD = "bench-pass-2026"
MANAGER_PHONE = "13600000000"


def seed(database_url: str, lecturers: int, lectures: int) -> int:
    """Fresh tables and data; returns the id of the request to open."""
    from sqlalchemy import insert, select, text
    from werkzeug.security import generate_password_hash

    from core import accounts, create_app, demo
    from core.extensions import db
    from core.models import Availability, OrgUnit, OrgUnitKind, User
    from core.timeutil import utcnow
    from plugins.lecturers.menu import seed_menu
    from plugins.lecturers.models import Lecturer, Offer, Topic
    from plugins.lecturers.requests.models import LectureRequest, RequestSlot

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "TESTING": True})
    rng = random.Random(4)
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        town = demo.load_town()
        seed_menu()
        villages = list(
            db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(["village", "community"])))
        )
        units = [
            u.id
            for u in db.session.scalars(select(OrgUnit).where(OrgUnit.kind != OrgUnitKind.town))
        ]
        manager = accounts.create_user(MANAGER_PHONE, PASSWORD, "压测管理员", villages[0])
        accounts.grant_role(manager, "programme_manager", town)
        coordinator = accounts.create_user("13600000001", PASSWORD, "压测书记", villages[0])
        db.session.commit()
        topics = list(db.session.scalars(select(Topic.id)))
        hashed = generate_password_hash(PASSWORD)
        db.session.execute(
            insert(User),
            [
                {
                    "phone": f"135{n:08d}",
                    "display_name": f"讲师{n}",
                    "password_hash": hashed,
                    "home_unit_id": villages[n % len(villages)].id,
                    "active": True,
                    "session_version": 1,
                }
                for n in range(lecturers)
            ],
        )
        user_ids = list(db.session.scalars(select(User.id).where(User.phone.like("135%"))))
        db.session.execute(
            insert(Lecturer),
            [
                {
                    "user_id": uid,
                    "org_unit_id": rng.choice(units),
                    "title": "讲师",
                    "formats": ",".join(
                        rng.sample(["briefing", "training", "forum", "courtyard"], 2)
                    ),
                    "monthly_max": rng.randint(2, 6),
                    "active": True,
                    "status": "approved",
                    "source": "self",
                    "bio": "",
                    "reject_reason": "",
                }
                for uid in user_ids
            ],
        )
        lecturer_ids = list(db.session.scalars(select(Lecturer.id)))
        db.session.execute(
            insert(Offer),
            [
                {"lecturer_id": lid, "topic_id": topic}
                for lid in lecturer_ids
                for topic in rng.sample(topics, 3)
            ],
        )
        db.session.execute(
            insert(Availability),
            [
                {"user_id": uid, "weekday": weekday, "start_time": clock(9), "end_time": clock(18)}
                for uid in user_ids
                for weekday in rng.sample(range(7), 2)
            ],
        )
        now = utcnow()
        rows = []
        for n in range(lectures):
            past = n < lectures - 300  # the last 300 are booked in the coming weeks
            start = now + timedelta(
                hours=rng.randint(-24 * 730, -2) if past else rng.randint(24, 24 * 30)
            )
            state = (
                rng.choice(["delivered", "rated", "closed"])
                if past
                else rng.choice(["accepted", "scheduled"])
            )
            rows.append(
                {
                    "org_unit_id": rng.choice(villages).id,
                    "topic_id": rng.choice(topics),
                    "format": "briefing",
                    "audience_size": 50,
                    "audience_group": "all",
                    "venue": "学习中心",
                    "notes": "",
                    "state": state,
                    "lecturer_id": rng.choice(lecturer_ids),
                    "scheduled_start": start,
                    "scheduled_end": start + timedelta(hours=1),
                    "published": True,
                    "attendance": rng.randint(20, 90) if past else None,
                    "materials": "",
                    "summary": "",
                    "rating": rng.randint(3, 5) if state != "delivered" and past else None,
                    "rating_comment": "",
                    "cancel_reason": "",
                    "requested_by_id": coordinator.id,
                    "idempotency_key": f"bench-{n}",
                    "sequence": 1,
                    "created_at": start,
                    "updated_at": start,
                    "state_changed_at": start,
                    "delivered_at": start if past else None,
                }
            )
        db.session.execute(insert(LectureRequest), rows)
        first = now + timedelta(days=7)
        target = LectureRequest(
            org_unit_id=villages[1].id,
            topic_id=topics[2],
            format="briefing",
            audience_size=60,
            audience_group="all",
            venue="学习中心",
            requested_by_id=coordinator.id,
            idempotency_key="bench-target",
            slots=[
                RequestSlot(start=first + timedelta(days=d), end=first + timedelta(days=d, hours=1))
                for d in range(3)
            ],
        )
        db.session.add(target)
        db.session.commit()
        target_id = target.id
        db.session.remove()
        # Fresh statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE would leave them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            postgres = db.engine.dialect.name == "postgresql"
            connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
        db.engine.dispose()
    return target_id


def opener_logged_in(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": token, "phone": MANAGER_PHONE, "password": PASSWORD}
    )
    opener.open(base + "/login", data=form.encode()).read()
    return opener


def measure(opener, url: str, count: int, threads: int, check: str | None = None) -> list[float]:
    def one(_):
        started = time.perf_counter()
        body = opener.open(url).read().decode()
        elapsed = (time.perf_counter() - started) * 1000
        if check and check not in body:
            raise RuntimeError(f"{url} did not contain {check!r}")
        return elapsed

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(count)))


def summary(name: str, samples: list[float]) -> float:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{name:<28} n={len(samples):<4} p50={statistics.median(ordered):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={ordered[-1]:7.1f} ms"
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--lecturers", type=int, default=500)
    parser.add_argument("--lectures", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    # One client per worker: measures the latency of a page, not the queue in front of it.
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    started = time.perf_counter()
    target = seed(database_url, args.lecturers, args.lectures)
    print(
        f"seeded {args.lecturers} lecturers, {args.lectures} lectures in "
        f"{time.perf_counter() - started:.1f} s on {database_url.split(':')[0]}"
    )
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="bench-secret-key",
        XXT_ENV="development",
        PLUGINS="lecturers",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
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
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        opener = opener_logged_in(base)
        page = f"{base}/lectures/requests/{target}"
        measure(opener, page, 20, args.threads, check="匹配分")  # warm-up
        measure(opener, base + "/healthz", 20, args.threads)
        health = summary(
            "/healthz", measure(opener, base + "/healthz", args.requests, args.threads)
        )
        p95 = summary(
            "request page (suggestions)",
            measure(opener, page, args.requests, args.threads, "匹配分"),
        )
        print(
            f"ratio p95 request page / healthz: {p95 / max(health, 0.001):.1f}x; "
            f"target p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
