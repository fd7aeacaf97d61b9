"""300 contest participants saving and submitting their answers at once, through gunicorn.

Seeds PostgreSQL (database ``xxt_competitions`` unless BENCH_DATABASE_URL says otherwise): a town,
300 residents, a bank and an open contest, and one running attempt per resident. Serves the app
with gunicorn and the shipped ``deploy/gunicorn.conf.py`` on 127.0.0.1, then for each ``--spread``
sends 300 ``/healthz`` (the trivial baseline) and 300 saves of a whole answer sheet, all in the same
instant (0) or evenly over that many seconds; last, every participant hands in (submit) at the
first spread. Prints p50/p95/max latency, errors, completions per second and the CPU each request
cost gunicorn, PostgreSQL and the client (read from /proc), then counts the rows: every answer
must be in the database and every attempt finished exactly once.

    .venv/bin/python benchmarks/competitions_answers.py [--participants 300] [--workers 2]
        [--threads 4] [--spread 0 1 2 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.harness import (  # noqa: E402 - after the path is set
    burst,
    free_port,
    gunicorn,
    percentile,
    raw_request,
    timed_request,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xxt_competitions"
SECRET = "benchmark-secret-key-not-for-production"
QUESTIONS = 10


def seed(url: str, participants: int) -> list[dict]:
    """Fresh tables and data; returns per participant the attempt id, cookie and form."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import text

    from core import accounts, create_app, orgunits
    from core.extensions import db
    from core.models import OrgUnitKind
    from core.timeutil import utcnow
    from plugins.competitions import services
    from plugins.competitions.importer import stem_key
    from plugins.competitions.models import Contest, Question

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    plans = []
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        town = orgunits.create_unit(None, OrgUnitKind.town, "压测镇", population=30000)
        villages = [
            orgunits.create_unit(town, OrgUnitKind.village, f"压测{i}村", population=3000)
            for i in range(6)
        ]
        for i in range(QUESTIONS * 2):
            stem = f"压测题目 {i}: 下列哪一项是正确的?"
            db.session.add(
                Question(
                    kind="single",
                    category="law",
                    difficulty=1,
                    stem=stem,
                    stem_key=stem_key(stem),
                    options=["甲", "乙", "丙", "丁"],
                    answer="A",
                    explanation="压测",
                )
            )
        now = utcnow()
        contest = Contest(
            title="压测竞赛",
            org_unit_id=town.id,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=2),
            time_limit_minutes=60,
            quotas=[{"category": "law", "difficulty": 1, "count": QUESTIONS}],
            state="published",
        )
        db.session.add(contest)
        db.session.commit()
        signer = app.session_interface.get_signing_serializer(app)
        csrf = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token")
        for i in range(participants):
            user = accounts.create_user(
                f"137{i:08d}", "bench-pass-2026", f"选手{i}", villages[i % len(villages)]
            )
            db.session.commit()
            attempt = services.start_attempt(contest, user)
            raw = f"csrf-{i}"
            cookie = signer.dumps({"_user_id": user.get_id(), "_fresh": True, "csrf_token": raw})
            form = [("csrf_token", csrf.dumps(raw))]
            form += [(f"q{item['question_id']}", str(i % 4)) for item in attempt.drawn]
            plans.append({"attempt": attempt.id, "cookie": cookie, "form": form})
        db.session.remove()
        db.engine.dispose()
    return plans


def cpu_seconds(wanted) -> float:
    """User+system CPU seconds used so far by the processes ``wanted(pid, ppid, command)``
    accepts, read from /proc (0 where there is no /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if wanted(int(stat.parent.name), int(fields[1]), head.split("(", 1)[1]):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wave(port: int, server: int, requests: list[bytes], ok: set[int], spread: float) -> dict:
    """One burst; latency figures, errors (status not in ``ok``) and the CPU it cost the
    gunicorn processes (``server`` and its workers), PostgreSQL and this client."""

    def app(pid, ppid, command):
        return server in (pid, ppid)

    def database(pid, ppid, command):
        return command.startswith("postgres")

    before = cpu_seconds(app), cpu_seconds(database), time.process_time()
    started = time.perf_counter()
    results = burst(port, requests, spread)
    elapsed = time.perf_counter() - started
    after = cpu_seconds(app), cpu_seconds(database), time.process_time()
    times = [ms for ms, _ in results]
    app_cpu, db_cpu, client_cpu = (
        (b - a) * 1000 / len(requests) for a, b in zip(before, after, strict=True)
    )
    return {
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "max": max(times),
        "errors": sum(1 for _, status in results if status not in ok),
        "cpu": (app_cpu, db_cpu, client_cpu),
        "rate": len(requests) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--spread",
        type=float,
        nargs="+",
        default=[0.0, 1.0, 2.0, 5.0],
        help="seconds over which a wave's requests arrive, one save wave each (0: same instant)",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    print(f"seeding {args.participants} participants on {url.split('@')[-1]} ...", flush=True)
    plans = seed(url, args.participants)
    port = free_port()
    healthz = [raw_request("GET", "/healthz")] * len(plans)
    answers = {
        action: [
            raw_request(
                "POST",
                f"/contests/attempts/{p['attempt']}",
                {"Cookie": f"session={p['cookie']}"},
                urllib.parse.urlencode([*p["form"], ("action", action)]).encode(),
            )
            for p in plans
        ]
        for action in ("save", "submit")
    }
    figures = {}
    with gunicorn(
        url,
        port,
        SECRET,
        workers=args.workers,
        XXT_THREADS=str(args.threads),
        RATELIMIT_ENABLED="0",
    ) as server:
        for _ in range(args.workers * 4):  # let every worker open its database connections
            timed_request(port, "GET", "/contests/")
        for spread in args.spread:
            figures[("healthz", spread)] = wave(port, server.pid, healthz, {200}, spread)
            figures[("save", spread)] = wave(port, server.pid, answers["save"], {302}, spread)
        # Handing in happens once per attempt: one wave, at the first (harshest) spread.
        spread = args.spread[0]
        figures[("submit", spread)] = wave(port, server.pid, answers["submit"], {302}, spread)
        figures[("healthz after", spread)] = wave(port, server.pid, healthz, {200}, spread)
    print(
        f"{len(plans)} participants, {QUESTIONS} answers each; gunicorn {args.workers} workers x "
        f"{args.threads} threads; {os.cpu_count()} CPUs shared by client, gunicorn and PostgreSQL"
    )
    print(
        f"{'wave':<14}{'arrival':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'done/s':>8}   CPU ms per request: app / db / client"
    )
    for (name, spread), row in figures.items():
        arrival = f"{spread:g} s" if spread else "at once"
        print(
            f"{name:<14}{arrival:>10}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['max']:>9.1f}"
            f"{row['errors']:>8}{row['rate']:>8.0f}   " + " / ".join(f"{v:.2f}" for v in row["cpu"])
        )
    count_rows(url, len(plans))


def count_rows(url: str, participants: int) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        answers = connection.execute(text("SELECT count(*) FROM competitions_answer")).scalar()
        finished = connection.execute(
            text("SELECT count(*) FROM competitions_attempt WHERE finished_at IS NOT NULL")
        ).scalar()
    engine.dispose()
    expected = participants * QUESTIONS
    print(f"answers in database: {answers} of {expected} (lost: {expected - answers})")
    print(f"finished attempts: {finished} of {participants}")


if __name__ == "__main__":
    main()
