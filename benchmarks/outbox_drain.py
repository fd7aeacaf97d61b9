"""Benchmark the outbox drain: N deliveries to a local SMTP sink or a throttling fake SMS
provider, drained by ``flask notifications send --senders K --until-empty`` for K = 1, 2, 4.

Prints, per sender count, the drain time, deliveries a minute, the senders' peak memory, and
checks that every person got exactly one message (by message id at the sink / phone at the
provider). Needs PostgreSQL (several senders lock rows with SKIP LOCKED).

    .venv/bin/python benchmarks/outbox_drain.py email --size 100000
    .venv/bin/python benchmarks/outbox_drain.py sms-aliyun --size 300000 --rate 1000
    .venv/bin/python benchmarks/outbox_drain.py sms-tencent --size 300000 --rate 1000

``--database`` (default postgresql://postgres@127.0.0.1:5432/xxt_bench_outbox) is dropped and
re-created.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import delete, insert  # noqa: E402

from benchmarks.harness import free_port  # noqa: E402
from tests.fakes import sms as fake  # noqa: E402


class Sink:
    """An SMTP server that only counts Message-IDs."""

    def __init__(self) -> None:
        self.ids: Counter = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.ids[line.split(b":", 1)[1].strip()] += 1
                break
        return "250 OK"


def recreate(url: str) -> None:
    admin, _, name = url.rpartition("/")
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed_people(app, size: int) -> list[int]:
    from core.extensions import db
    from core.models import OrgUnitKind, User

    with app.app_context():
        db.create_all()
        from core import orgunits

        town = orgunits.create_unit(None, OrgUnitKind.town, "基准镇")
        village = orgunits.create_unit(town, OrgUnitKind.village, "基准村")
        db.session.commit()
        for start in range(0, size, 10000):
            db.session.execute(
                insert(User),
                [
                    {
                        "phone": f"13{n:09d}",
                        "email": f"p{n}@example.org",
                        "display_name": f"居民{n}",
                        "home_unit_id": village.id,
                        "password_hash": "!",
                    }
                    for n in range(start, min(size, start + 10000))
                ],
            )
        db.session.commit()
        return list(db.session.scalars(db.select(User.id).order_by(User.id)))


def queue(app, user_ids: list[int], channel: str) -> float:
    from core import notify
    from core.extensions import db
    from core.models import Notification, NotificationDelivery

    with app.app_context():
        db.session.execute(delete(NotificationDelivery))
        db.session.execute(delete(Notification))
        db.session.commit()
        started = time.perf_counter()
        notify.notify_many(
            user_ids, "双槐镇停水通知：明日8时至12时", "请提前储水。", channels=(channel,)
        )
        return time.perf_counter() - started


def drain(env: dict, senders: int) -> tuple[float, str, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "core",
            "notifications",
            "send",
            "--senders",
            str(senders),
            "--until-empty",
            "--limit",
            "2000",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, result.stdout.strip().splitlines()[-1], max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("channel", choices=["email", "sms-aliyun", "sms-tencent"])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--senders", default="1,2,4")
    parser.add_argument("--rate", type=float, default=1000.0, help="provider requests a second")
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1:5432/xxt_bench_outbox"
    )
    args = parser.parse_args()
    recreate(args.database)
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "XXT_ENV": "development",
        "SECRET_KEY": "bench",
        "PLUGINS": "",
        "LOG_LEVEL": "WARNING",
    }
    from core import create_app

    settings = {"DATABASE_URL": args.database, "PLUGINS": "", "TESTING": True}
    started = time.perf_counter()
    user_ids = seed_people(create_app(settings), args.size)
    print(f"{args.channel}: {args.size:,} people seeded in {time.perf_counter() - started:.1f} s")
    for senders in [int(n) for n in args.senders.split(",")]:
        if args.channel == "email":
            sink = Sink()
            port = free_port()
            controller = Controller(sink, hostname="127.0.0.1", port=port)
            controller.start()
            run_env = {**env, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TLS": "0"}
            channel = "email"
        else:
            provider = args.channel.split("-")[1]
            server = (fake.FakeAliyun if provider == "aliyun" else fake.FakeTencent)(args.rate)
            server.start()
            keys = (
                {"SMS_ACCESS_KEY_ID": fake.KEY_ID, "SMS_ACCESS_KEY_SECRET": fake.KEY_SECRET}
                if provider == "aliyun"
                else {
                    "SMS_ACCESS_KEY_ID": fake.SECRET_ID,
                    "SMS_ACCESS_KEY_SECRET": fake.SECRET_KEY,
                    "SMS_SDK_APP_ID": fake.APP_ID,
                }
            )
            run_env = {
                **env,
                **keys,
                "SMS_PROVIDER": provider,
                "SMS_ENDPOINT": server.url,
                "SMS_SIGN_NAME": fake.SIGN_NAME,
                "SMS_QUIET_START": "0",  # quiet hours off: the drain is measured at any hour
                "SMS_QUIET_END": "0",
                "SMS_TEMPLATE_ANNOUNCEMENT": "SMS_100001" if provider == "aliyun" else "1001",
            }
            channel = "sms"
        app_settings = dict(settings, SMTP_HOST="127.0.0.1")
        if channel == "sms":
            template = run_env["SMS_TEMPLATE_ANNOUNCEMENT"]
            app_settings |= {"SMS_PROVIDER": provider, "SMS_TEMPLATES": {"announcement": template}}
        queued = queue(create_app(app_settings), user_ids, channel)
        elapsed, summary, peak_kb = drain(run_env, senders)
        if args.channel == "email":
            controller.stop()
            counts = sink.ids
            extra = ""
        else:
            server.stop()
            counts = Counter(m["phone"] for m in server.accepted)
            extra = f", {server.requests:,} requests, {server.throttled:,} throttled"
        exactly_once = len(counts) == args.size and set(counts.values()) == {1}
        print(
            f"  senders={senders}: queued in {queued:.1f} s, drained in {elapsed:.1f} s = "
            f"{args.size / elapsed * 60:,.0f} a minute; peak RSS {peak_kb / 1024:.0f} MB; "
            f"{summary}; each person exactly once: {exactly_once}{extra}"
        )


if __name__ == "__main__":
    main()
