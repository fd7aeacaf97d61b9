"""A realistic mix of traffic on the whole site, served like production, with /healthz alongside.

Seeds the demo town (``flask demo-data``) plus extra residents, events with few seats, a running
contest and the lecture menu on PostgreSQL; serves it with gunicorn (deploy/gunicorn.conf.py,
4 workers); drives a bounded mix from threads: anonymous agenda, event pages, the public feed
(full and 304), registrations of logged-in residents, contest answers, a coordinator's lecture
request (form, then submit) and /healthz. Prints throughput, p50/p95 and errors per kind, then
checks the database: no occurrence over capacity, no saved contest answer lost.

    .venv/bin/python benchmarks/load_mix.py [--database URL] [--operations 3000] [--threads 16]

Default database: postgresql+psycopg://postgres@127.0.0.1:5432/xxt_deploy (it is wiped).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import free_port, gunicorn, percentile, timed_request

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xxt_deploy"
SECRET = "load-mix-secret-key-not-for-production"
QUESTIONS = 10
#: kind → share of the operations (the mix of a weekday evening, roughly).
MIX = {
    "agenda": 22,
    "event": 18,
    "feed": 8,
    "feed_304": 8,
    "register": 14,
    "answer": 12,
    "lecture_form": 4,
    "lecture_submit": 4,
    "healthz": 10,
}


def seed(url: str, residents: int, events: int, capacity: int) -> dict:
    """Fresh schema, demo town, extras; returns what the clients need (cookies, ids, forms)."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import text

    from core import accounts, create_app, demo, orgunits
    from core.extensions import db
    from core.timeutil import utcnow
    from plugins.calendar import services as calendar
    from plugins.competitions import services as contests
    from plugins.competitions.importer import stem_key
    from plugins.competitions.models import Contest, Question

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
            db.session.commit()
        else:
            db.drop_all()
        db.create_all()
    runner = app.test_cli_runner()
    for command in (["demo-data"], ["lecturers", "seed-menu"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    with app.test_request_context():
        signer = app.session_interface.get_signing_serializer(app)
        csrf = URLSafeTimedSerializer(SECRET, salt="wtf-csrf-token")

        def session_for(user) -> tuple[str, str]:
            raw = f"csrf-{user.id}"
            cookie = signer.dumps({"_user_id": user.get_id(), "_fresh": True, "csrf_token": raw})
            return cookie, csrf.dumps(raw)

        villages = orgunits.villages()
        category = calendar.ensure_categories()[0].id
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
        occurrences = []
        for number in range(events):
            begins = start + timedelta(hours=number)
            event = calendar.save_event(
                None,
                {
                    "title": f"压测活动{number}",
                    "description": "限额报名",
                    "markdown": False,
                    "category_id": category,
                    "org_unit_id": villages[number % len(villages)].id,
                    "venue": "学习中心",
                    "all_day": False,
                    "start_at": begins,
                    "end_at": begins + timedelta(hours=1),
                    "freq": "none",
                    "interval": 1,
                    "weekdays": "",
                    "count": None,
                    "until": None,
                    "capacity": capacity,
                    "registration_open": True,
                    "members_only": False,
                },
                None,
            )
            db.session.flush()
            occurrences.append(f"/calendar/e/{event.id}/{begins.strftime('%Y%m%dT%H%M%SZ')}")
        for i in range(QUESTIONS * 2):
            stem = f"负载题目 {i}: 下列哪一项是正确的?"
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
        contest = Contest(
            title="负载竞赛",
            org_unit_id=villages[0].parent_id,
            opens_at=utcnow() - timedelta(hours=1),
            closes_at=utcnow() + timedelta(hours=3),
            time_limit_minutes=120,
            quotas=[{"category": "law", "difficulty": 1, "count": QUESTIONS}],
            state="published",
        )
        db.session.add(contest)
        db.session.commit()
        people = []
        for i in range(residents):
            user = accounts.create_user(
                f"159{i:08d}", "load-pass-2026", f"居民{i}", villages[i % len(villages)]
            )
            db.session.commit()
            attempt = contests.start_attempt(contest, user)
            db.session.commit()
            cookie, token = session_for(user)
            # position 0 exists on every question (the demo bank has true/false ones)
            answers = [(f"q{item['question_id']}", "0") for item in attempt.drawn]
            people.append({"cookie": cookie, "csrf": token, "attempt": attempt.id, "form": answers})
        coordinator = demo.demo_user("village_coordinator")
        cookie, token = session_for(coordinator)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    return {
        "occurrences": occurrences,
        "people": people,
        "coordinator": {"cookie": cookie, "csrf": token},
    }


def first_option(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(r'<option[^>]*value="([^"]+)"', select).group(1)


class Mix:
    """The clients: one bounded list of operations shared by the threads."""

    def __init__(self, port: int, plan: dict, operations: int, rng: random.Random):
        self.port, self.plan = port, plan
        kinds = list(MIX)
        self.queue = rng.choices(kinds, weights=[MIX[k] for k in kinds], k=operations)
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.saved_attempts: set[int] = set()
        self.statuses: dict[tuple[str, int], int] = defaultdict(int)  # unexpected answers
        self.etag = timed_request(port, "GET", "/calendar/feed.ics")[2].get("ETag", "")
        self.rng = rng

    def next_kind(self) -> str | None:
        with self.lock:
            return self.queue.pop() if self.queue else None

    def record(self, kind: str, millis: float, ok: bool) -> None:
        with self.lock:
            self.timings[kind].append(millis)
            if not ok:
                self.errors[kind] += 1

    def call(self, kind, method, path, expect, person=None, form=None):
        headers = {"Cookie": f"session={person['cookie']}"} if person else {}
        body = b""
        if form is not None:
            body = urlencode([("csrf_token", person["csrf"]), *form]).encode()
        millis, status, _headers, data = timed_request(self.port, method, path, headers, body)
        self.record(kind, millis, status in expect)
        if status not in expect:
            with self.lock:
                self.statuses[(kind, status)] += 1
        return status, data

    def one(self, kind: str) -> None:
        plan, rng = self.plan, self.rng
        occurrence = rng.choice(plan["occurrences"])
        person = rng.choice(plan["people"])
        if kind == "agenda":
            self.call(kind, "GET", "/calendar/", {200})
        elif kind == "event":
            self.call(kind, "GET", occurrence, {200})
        elif kind == "feed":
            self.call(kind, "GET", "/calendar/feed.ics", {200})
        elif kind == "feed_304":
            millis, status, _h, _d = timed_request(
                self.port, "GET", "/calendar/feed.ics", {"If-None-Match": self.etag}
            )
            self.record(kind, millis, status == 304)
        elif kind == "healthz":
            self.call(kind, "GET", "/healthz", {200})
        elif kind == "register":
            self.call(kind, "POST", occurrence + "/register", {302, 303}, person, [])
        elif kind == "answer":
            path = f"/contests/attempts/{person['attempt']}"
            # 302: saved; 303 back to the sheet: refused with a message (counted as an error).
            status, _ = self.call(kind, "POST", path, {302}, person, person["form"])
            if status == 302:
                with self.lock:
                    self.saved_attempts.add(person["attempt"])
        elif kind == "lecture_form":
            self.call(kind, "GET", "/lectures/requests/new", {200}, plan["coordinator"])
        elif kind == "lecture_submit":
            self.submit_lecture_request()

    def submit_lecture_request(self) -> None:
        coordinator = self.plan["coordinator"]
        status, page = self.call(
            "lecture_form", "GET", "/lectures/requests/new", {200}, coordinator
        )
        if status != 200:
            return
        page = page.decode()
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
        day = (time.gmtime(time.time() + 30 * 86400), time.gmtime(time.time() + 31 * 86400))
        form = [
            ("nonce", nonce),
            ("village_id", first_option(page, "village_id")),
            ("topic_id", first_option(page, "topic_id")),
            ("format", first_option(page, "format")),
            ("audience_size", "40"),
            ("audience_group", first_option(page, "audience_group")),
            ("venue", "村学习中心"),
            ("notes", ""),
        ]
        for n, moment in enumerate(day, start=1):
            form += [
                (f"slot{n}_day", time.strftime("%Y-%m-%d", moment)),
                (f"slot{n}_start", "09:00"),
                (f"slot{n}_end", "11:00"),
            ]
        self.call("lecture_submit", "POST", "/lectures/requests/new", {302}, coordinator, form)

    def run(self, threads: int) -> float:
        def worker():
            while (kind := self.next_kind()) is not None:
                self.one(kind)

        started = time.perf_counter()
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        return time.perf_counter() - started


def check_database(url: str, saved_attempts: set[int]) -> tuple[int, int, int, dict]:
    """(occurrences over capacity, saved attempts missing answers, lecture requests,
    registrations by status)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        over = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT r.event_id, r.original_start, count(*) AS taken,"
                " max(e.capacity) AS capacity FROM calendar_registration r"
                " JOIN calendar_event e ON e.id = r.event_id WHERE r.status = 'confirmed'"
                " AND e.capacity IS NOT NULL GROUP BY r.event_id, r.original_start) s"
                " WHERE s.taken > s.capacity"
            )
        ).scalar_one()
        answered = dict(
            connection.execute(
                text("SELECT attempt_id, count(*) FROM competitions_answer GROUP BY attempt_id")
            ).all()
        )
        requests = connection.execute(text("SELECT count(*) FROM lecturers_request")).scalar_one()
        statuses = dict(
            connection.execute(
                text("SELECT status, count(*) FROM calendar_registration GROUP BY status")
            ).all()
        )
    engine.dispose()
    lost = sum(1 for attempt in saved_attempts if answered.get(attempt, 0) != QUESTIONS)
    return over, lost, requests, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--operations", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=8)
    args = parser.parse_args()
    began = time.perf_counter()
    plan = seed(args.database, args.residents, args.events, args.capacity)
    print(
        f"seeded demo town + {args.residents} residents, {args.events} events of "
        f"{args.capacity} seats, a contest in {time.perf_counter() - began:.1f} s "
        f"({args.database.split('@')[-1]})",
        flush=True,
    )
    port = free_port()
    with gunicorn(args.database, port, SECRET, workers=args.workers):
        mix = Mix(port, plan, args.operations, random.Random(8))
        for path in ("/calendar/", "/calendar/feed.ics", plan["occurrences"][0]):  # warm up
            for _ in range(args.workers * 2):
                timed_request(port, "GET", path)
        seconds = mix.run(args.threads)
    total = sum(len(v) for v in mix.timings.values())
    print(
        f"gunicorn {args.workers} workers (gthread, deploy/gunicorn.conf.py), {args.threads} "
        f"client threads: {total} requests in {seconds:.1f} s = {total / seconds:.0f} req/s"
    )
    print(f"{'kind':<16}{'n':>6}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for kind in MIX:
        values = sorted(mix.timings.get(kind, []))
        print(
            f"{kind:<16}{len(values):>6}{len(values) / seconds:>8.1f}"
            f"{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
            f"{mix.errors.get(kind, 0):>8}"
        )
    if mix.statuses:
        print("unexpected answers:", dict(mix.statuses))
    over, lost, requests, statuses = check_database(args.database, mix.saved_attempts)
    print(f"registrations by status: {statuses}")
    print(f"occurrences over capacity: {over}")
    print(f"attempts with a saved sheet but missing answers: {lost} of {len(mix.saved_attempts)}")
    print(f"lecture requests in the database: {requests}")


if __name__ == "__main__":
    main()
