"""300 contest participants saving and submitting their answers at once, through gunicorn.

Seeds PostgreSQL (database ``xxt_competitions`` unless BENCH_DATABASE_URL says otherwise): a town,
300 residents, a bank and an open contest, and one running attempt per resident. Then serves the
app with gunicorn on 127.0.0.1 and fires, each wave with all 300 threads released together:
``/healthz`` (the trivial baseline), a save of every answer, and the final submit. Prints p50/p95
latency and errors per wave with the ratio to ``/healthz``, and counts the rows afterwards: every
answer must be in the database and every attempt finished exactly once.

    .venv/bin/python benchmarks/competitions_answers.py [--participants 300] [--workers 3]
        [--spread 10]   # the same requests arriving evenly over 10 seconds instead of at once
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.harness import free_port  # noqa: E402 - after the path is set

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


def request(port: int, method: str, path: str, cookie: str = "", body: bytes = b""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000, status


def wave(port: int, jobs: list[tuple], ok: set[int], spread: float = 0.0) -> dict:
    """Release every job at once (or evenly over ``spread`` seconds); latency in ms and errors
    (status not in ``ok``)."""
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[float, int]] = [(0.0, 0)] * len(jobs)

    def run(index, job):
        barrier.wait()
        if spread:
            time.sleep(spread * index / len(jobs))
        results[index] = request(port, *job)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(ms for ms, _ in results)
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "errors": sum(1 for _, status in results if status not in ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="seconds over which the requests of a wave arrive (0: all at the same instant)",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    spread = args.spread
    print(f"seeding {args.participants} participants on {url.split('@')[-1]} ...", flush=True)
    plans = seed(url, args.participants)
    port = free_port()
    env = dict(
        os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, XXT_ENV="production", RATELIMIT_ENABLED="0"
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--backlog",
            "2048",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "core:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/healthz")[1] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        request(port, "GET", "/contests/")  # warm every worker a little
        figures = {}
        figures["healthz"] = wave(port, [("GET", "/healthz")] * len(plans), {200}, spread)
        for action in ("save", "submit"):
            jobs = [
                (
                    "POST",
                    f"/contests/attempts/{p['attempt']}",
                    p["cookie"],
                    urllib.parse.urlencode([*p["form"], ("action", action)]).encode(),
                )
                for p in plans
            ]
            figures[action] = wave(port, jobs, {302}, spread)
        figures["healthz again"] = wave(port, [("GET", "/healthz")] * len(plans), {200}, spread)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = figures["healthz"]["p95"]
    when = f"arriving over {spread:g} s" if spread else "all released at the same instant"
    print(
        f"{len(plans)} participants, {QUESTIONS} answers each, {when}; "
        f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    print(f"{'wave':<14}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}{'p95/healthz':>13}")
    for name, row in figures.items():
        print(
            f"{name:<14}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['errors']:>8}"
            f"{row['p95'] / base:>13.1f}"
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
