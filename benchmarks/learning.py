"""Benchmark the learning pages and media under gunicorn, against /healthz in the same run.

Seeds the demo town into a fresh database (PostgreSQL by default) plus a lesson with a 20 MB
audio file, serves the shipped gunicorn settings on 127.0.0.1, logs in as the demo resident and
measures, ``--rounds`` times, the throughput of /healthz, a lesson page and the daily practice
page (requests per second with ``--threads`` client threads), then fetches the 20 MB audio in
1 MB ranges and whole, against reading the same file from disk, with the workers' memory
(RSS) before and after. Other people may use the machine meanwhile: medians are printed.

    .venv/bin/python benchmarks/learning.py [--rounds 5] [--requests 300]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/xxt_bench .venv/bin/python ...
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.harness import free_port, gunicorn  # noqa: E402 - after the path is set
from benchmarks.volunteers_pages import opener_for  # noqa: E402

SECRET = "bench-secret-" + "x" * 20
AUDIO_BYTES = 20 * 1024 * 1024
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/xxt_learning_bench"


def fresh_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from tests.databases import pg_recreate

    base, _, name = url.rpartition("/")
    pg_recreate(f"{base}/postgres", name)


def seed(database_url: str, upload_dir: str) -> int:
    """Demo data and a lesson with a 20 MB Ogg file; returns that lesson's id."""
    from core import create_app, demo
    from core.extensions import db
    from core.plugins import registry
    from plugins.learning.models import Course, Lesson

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "UPLOAD_DIR": upload_dir})
    with app.app_context():
        db.create_all()
        town = demo.load_town()
        registry().hook.load_demo_data(town=town)
        folder = Path(upload_dir) / "learning"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "bench-20mb.ogg").open("wb") as out:
            out.write(b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis")
            out.write(os.urandom(AUDIO_BYTES - 35))
        course = db.session.scalar(db.select(Course).order_by(Course.id))
        lesson = Lesson(
            course=course,
            position=9,
            title="二十兆的录音",
            body="长录音。",
            media_file="bench-20mb.ogg",
            media_type="audio/ogg",
            media_size=AUDIO_BYTES,
        )
        db.session.add(lesson)
        db.session.commit()
        lesson_id = lesson.id
        db.engine.dispose()
    return lesson_id


def throughput(opener, url: str, count: int, threads: int) -> float:
    """Requests per second for ``count`` GETs of ``url`` over ``threads`` threads."""
    per_thread = max(count // threads, 1)

    def work():
        for _ in range(per_thread):
            response = opener.open(url)
            response.read()
            assert response.status == 200 and response.geturl() == url, (url, response.geturl())

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - started)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the gunicorn workers), in KB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        for line in Path(f"/proc/{one}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def fetch_ranges(opener, url: str, chunk: int) -> float:
    """Read the whole file in ``chunk``-byte ranges, as a player seeking; MB/s."""
    started = time.perf_counter()
    offset = 0
    while offset < AUDIO_BYTES:
        request = urllib.request.Request(
            url, headers={"Range": f"bytes={offset}-{offset + chunk - 1}"}
        )
        response = opener.open(request)
        data = response.read()
        assert response.status == 206 and len(data) == min(chunk, AUDIO_BYTES - offset)
        offset += len(data)
    return AUDIO_BYTES / (1024 * 1024) / (time.perf_counter() - started)


def fetch_whole(opener, url: str) -> float:
    started = time.perf_counter()
    response = opener.open(url)
    size = 0
    while block := response.read(256 * 1024):
        size += len(block)
    assert size == AUDIO_BYTES
    return AUDIO_BYTES / (1024 * 1024) / (time.perf_counter() - started)


def disk_speed(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as source:
        while source.read(1024 * 1024):
            pass
    return AUDIO_BYTES / (1024 * 1024) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    upload_dir = tempfile.mkdtemp(prefix="xxt-learning-bench-")
    fresh_database(database_url)
    lesson_id = seed(database_url, upload_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"UPLOAD_DIR": upload_dir, "RATELIMIT_ENABLED": "false"}
    with gunicorn(database_url, port, SECRET, workers=args.workers, **env) as server:
        from core.demo import DEMO_PASSWORD

        resident = opener_for(base, "13800000009", DEMO_PASSWORD)
        plain = urllib.request.build_opener()
        # (label, path, opener): the signed-in pages, the lesson for a visitor, and a minimal
        # signed-in core page, which shows the floor any signed-in page starts from.
        cases = [
            ("/healthz", "/healthz", plain),
            ("lesson (resident)", "/learning/lessons/1", resident),
            ("practice (resident)", "/learning/practice", resident),
            ("lesson (visitor)", "/learning/lessons/1", plain),
            ("/notifications/ (resident)", "/notifications/", resident),
        ]
        for _label, path, opener in cases:  # warm up every worker
            throughput(opener, base + path, args.threads * 4, args.threads)
        rates: dict[str, list[float]] = {label: [] for label, _path, _opener in cases}
        for _round in range(args.rounds):
            for label, path, opener in cases:
                rates[label].append(throughput(opener, base + path, args.requests, args.threads))
        print(
            f"database {database_url.split(':')[0]}; gunicorn gthread -w {args.workers}; "
            f"{args.threads} client threads; {args.requests} requests × {args.rounds} rounds"
        )
        healthz = statistics.median(rates["/healthz"])
        for label, _path, _opener in cases:
            median = statistics.median(rates[label])
            print(
                f"{label:27} median {median:7.1f} req/s  (rounds: "
                f"{', '.join(f'{r:.0f}' for r in rates[label])})  "
                f"{100 * median / healthz:5.1f}% of /healthz"
            )
        media = f"{base}/learning/lessons/{lesson_id}/media"
        before = rss_kb(server.pid)
        samples = [before]
        serving = threading.Event()

        def sample():  # the workers' memory every 20 ms while the file is being served
            while not serving.is_set():
                samples.append(rss_kb(server.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        ranged, whole = [], []
        for _round in range(args.rounds):
            ranged.append(fetch_ranges(resident, media, 1024 * 1024))
            whole.append(fetch_whole(resident, media))
        serving.set()
        sampler.join()
        peak = max(samples)
        disk = statistics.median(
            disk_speed(Path(upload_dir) / "learning" / "bench-20mb.ogg") for _ in range(3)
        )
        print(
            f"20 MB audio: 1 MB ranges median {statistics.median(ranged):.0f} MB/s, "
            f"whole file median {statistics.median(whole):.0f} MB/s, "
            f"disk read {disk:.0f} MB/s (page cache)"
        )
        print(
            f"gunicorn RSS (master + workers): {before / 1024:.0f} MB before, "
            f"{peak / 1024:.0f} MB at most while serving ({(peak - before) / 1024:+.1f} MB)"
        )


if __name__ == "__main__":
    main()
