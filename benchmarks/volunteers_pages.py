"""Benchmark the volunteers pages under gunicorn, against /healthz served in the same run.

Seeds the demo town plus extra volunteers and shifts into a fresh database, serves the app with
gunicorn on 127.0.0.1, logs in as the demo volunteer and the programme manager, and drives a
bounded number of requests from a few threads.

    .venv/bin/python benchmarks/volunteers_pages.py [--requests 200] [--volunteers 300]
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python benchmarks/volunteers_pages.py
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
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.harness import free_port  # noqa: E402 - after the path is set


def seed(database_url: str, volunteers: int, shifts: int) -> None:
    """Demo data plus generated volunteers and next-week shifts."""
    from datetime import time as clock

    from core import accounts, availability, create_app, demo
    from core.extensions import db
    from core.plugins import registry
    from core.timeutil import utcnow
    from plugins.volunteers import profiles
    from plugins.volunteers.models import Shift, ShiftRole, Skill

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-" + "x" * 20})
    with app.app_context():
        db.drop_all()
        db.create_all()
        town = demo.load_town()
        registry().hook.load_demo_data(town=town)
        rng = random.Random(1)
        villages = [demo.demo_village(town, name) for name, *_ in demo.VILLAGES]
        skills = list(db.session.scalars(db.select(Skill)))
        for n in range(volunteers):
            home = rng.choice(villages)
            user = accounts.create_user(f"1590000{n:04d}", demo.DEMO_PASSWORD, f"志愿者{n}", home)
            profiles.save_profile(
                user,
                {
                    "home_unit_id": home.id,
                    "monthly_max_shifts": rng.randint(2, 6),
                    "skills": [s.id for s in rng.sample(skills, 2)],
                    "teams": [],
                    "villages": [v.id for v in rng.sample(villages, 2)],
                },
            )
            for weekday in rng.sample(range(7), 4):
                availability.add_slot(user.id, weekday, clock(8), clock(21))
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=8)
        for k in range(shifts):
            begin = start + timedelta(hours=rng.randint(0, 6 * 24))
            shift = Shift(
                title=f"生成班次{k}",
                org_unit_id=rng.choice(villages).id,
                venue="学习中心",
                starts_at=begin,
                ends_at=begin + timedelta(hours=2),
            )
            for r in range(rng.randint(1, 2)):
                role = ShiftRole(name=f"岗位{r}", needed=rng.randint(1, 3))
                role.skills = rng.sample(skills, rng.randint(0, 1))
                shift.roles.append(role)
            db.session.add(shift)
        db.session.commit()
        db.engine.dispose()


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure session cookie over plain http to 127.0.0.1: production mode marks it
    Secure (nginx speaks https in front), and a stock jar would drop it, leaving every page
    measured a redirect to /login."""

    def return_ok_secure(self, cookie, request):
        return True


def opener_for(base: str, phone: str, password: str):
    """A urllib opener with a logged-in session cookie."""
    jar = http.cookiejar.CookieJar(policy=LoopbackCookies())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    data = urllib.parse.urlencode(
        {"phone": phone, "password": password, "csrf_token": token.group(1)}
    ).encode()
    landed = opener.open(base + "/login", data=data)
    landed.read()
    assert "/login" not in landed.geturl(), f"log-in as {phone} failed"
    return opener


def drive(opener, url: str, count: int, threads: int) -> list[float]:
    """``count`` GETs spread over ``threads``; returns each latency in seconds."""
    times: list[float] = []
    lock = threading.Lock()
    per_thread = max(count // threads, 1)

    def work():
        for _ in range(per_thread):
            started = time.perf_counter()
            response = opener.open(url)
            response.read()
            assert response.status == 200 and response.geturl() == url, (url, response.geturl())
            with lock:
                times.append(time.perf_counter() - started)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--volunteers", type=int, default=300)
    parser.add_argument("--shifts", type=int, default=150)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="xxt-vol-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    seed(database_url, args.volunteers, args.shifts)
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="bench-secret-" + "x" * 20,
        XXT_ENV="production",
        RATELIMIT_ENABLED="false",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "core:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        from core.demo import DEMO_PASSWORD

        volunteer = opener_for(base, "13800000008", DEMO_PASSWORD)
        manager = opener_for(base, "13800000002", DEMO_PASSWORD)
        plain = urllib.request.build_opener()
        cases = [
            ("/healthz", plain, args.requests),
            ("/volunteers/ (eligible list)", volunteer, args.requests),
            ("/volunteers/me", volunteer, args.requests),
            ("/volunteers/manage", manager, args.requests // 2),
            ("/volunteers/manage/autofill", manager, max(args.requests // 20, 4)),
        ]
        print(f"{args.volunteers} extra volunteers, {args.shifts} extra shifts; gunicorn -w 2; "
              f"{args.threads} client threads; database {database_url.split(':')[0]}")  # fmt: skip
        baseline = None
        for label, opener, count in cases:
            path = label.split(" ")[0]
            drive(opener, base + path, args.threads, args.threads)  # warm up
            times = drive(opener, base + path, count, args.threads)
            mean = statistics.mean(times)
            p95 = sorted(times)[int(len(times) * 0.95) - 1]
            baseline = baseline or mean
            print(f"{label:32} n={len(times):4}  mean {mean * 1000:7.1f} ms  "
                  f"p95 {p95 * 1000:7.1f} ms  x{mean / baseline:6.1f} of /healthz")  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
