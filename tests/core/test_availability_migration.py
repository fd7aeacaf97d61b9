"""The migrations that move lecturers' and volunteers' free time into core keep every row.

A person who is both a lecturer and a volunteer keeps the union of both sets, duplicates
dropped; the downgrade rebuilds the plugins' tables from core's rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
BOTH, LECTURER, VOLUNTEER = 1, 2, 3


def flask_db(url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, XXT_ENV="development", FLASK_APP="core")
    done = subprocess.run(
        [sys.executable, "-m", "flask", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def table(name: str, *columns: str, times: tuple[str, ...] = (), days: tuple[str, ...] = ()):
    typed = [sa.column(c, sa.Time) for c in times] + [sa.column(c, sa.Date) for c in days]
    return sa.table(name, *(sa.column(c) for c in columns), *typed)


LECTURER_SLOTS = table(
    "lecturers_availability", "lecturer_id", "weekday", times=("start_time", "end_time")
)
VOLUNTEER_SLOTS = table(
    "volunteers_availability", "profile_id", "weekday", times=("start_time", "end_time")
)
LECTURER_DAYS = table("lecturers_blackout", "lecturer_id", "note", days=("day",))
VOLUNTEER_DAYS = table("volunteers_blackout", "profile_id", days=("day",))
CORE_SLOTS = table("user_availability", "user_id", "weekday", times=("start_time", "end_time"))
CORE_DAYS = table("user_blackout", "user_id", "note", days=("day",))


def _seed(connection) -> None:
    users = sa.table(
        "user_account",
        *(sa.column(c) for c in ("id", "phone", "display_name", "password_hash", "active")),
        sa.column("session_version"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection.execute(
        sa.insert(users),
        [
            {"id": n, "phone": f"1380000000{n}", "display_name": f"人{n}", "password_hash": "x",
             "active": True, "session_version": 1, "created_at": NOW}
            for n in (BOTH, LECTURER, VOLUNTEER)
        ],
    )  # fmt: skip
    lecturers = sa.table(
        "lecturers_lecturer",
        *(sa.column(c) for c in ("id", "user_id", "title", "bio", "formats", "monthly_max")),
        *(sa.column(c) for c in ("active", "status", "reject_reason", "source")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection.execute(
        sa.insert(lecturers),
        [
            {"id": lid, "user_id": uid, "title": "", "bio": "", "formats": "", "monthly_max": 4,
             "active": True, "status": "approved", "reject_reason": "", "source": "self",
             "created_at": NOW}
            for lid, uid in ((10, BOTH), (11, LECTURER))
        ],
    )  # fmt: skip
    profiles = sa.table(
        "volunteers_profile",
        *(sa.column(c) for c in ("id", "user_id", "monthly_max_shifts", "status", "note")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection.execute(
        sa.insert(profiles),
        [
            {"id": pid, "user_id": uid, "monthly_max_shifts": 4, "status": "approved",
             "note": "", "created_at": NOW}
            for pid, uid in ((20, BOTH), (21, VOLUNTEER))
        ],
    )  # fmt: skip
    slot = lambda owner, key, weekday, start, end: {  # noqa: E731
        key: owner, "weekday": weekday, "start_time": time(start), "end_time": time(end)
    }  # fmt: skip
    connection.execute(
        sa.insert(LECTURER_SLOTS),
        [
            slot(10, "lecturer_id", 0, 9, 12),
            slot(10, "lecturer_id", 2, 14, 17),
            slot(11, "lecturer_id", 1, 8, 9),
            slot(11, "lecturer_id", 3, 10, 9),  # backwards: the old table allowed it
        ],
    )
    connection.execute(
        sa.insert(VOLUNTEER_SLOTS),
        [
            slot(20, "profile_id", 0, 9, 12),  # the same as the lecturer's: kept once
            slot(20, "profile_id", 5, 8, 21),
            slot(21, "profile_id", 6, 8, 10),
        ],
    )
    connection.execute(
        sa.insert(LECTURER_DAYS),
        [
            {"lecturer_id": 10, "day": date(2030, 1, 2), "note": "出差"},
            {"lecturer_id": 11, "day": date(2030, 2, 1), "note": ""},
        ],
    )
    connection.execute(
        sa.insert(VOLUNTEER_DAYS),
        [
            {"profile_id": 20, "day": date(2030, 1, 2)},
            {"profile_id": 20, "day": date(2030, 1, 3)},
            {"profile_id": 21, "day": date(2030, 3, 1)},
        ],
    )


def _rows(connection, selectable, *columns: str) -> set[tuple]:
    return {
        tuple(row) for row in connection.execute(sa.select(*(selectable.c[c] for c in columns)))
    }


def test_upgrade_copies_both_into_core_as_a_union_and_downgrade_gives_them_back(
    fresh_database_url,
):
    url = fresh_database_url("availability")
    flask_db(url, "upgrade", "lecturers_0003")
    flask_db(url, "upgrade", "volunteers_0002")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            _seed(connection)
        flask_db(url, "upgrade")
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            slots = _rows(connection, CORE_SLOTS, "user_id", "weekday", "start_time", "end_time")
            days = _rows(connection, CORE_DAYS, "user_id", "day", "note")
        assert not tables & {
            "lecturers_availability",
            "lecturers_blackout",
            "volunteers_availability",
            "volunteers_blackout",
        }
        assert slots == {
            (BOTH, 0, time(9), time(12)),
            (BOTH, 2, time(14), time(17)),
            (BOTH, 5, time(8), time(21)),
            (LECTURER, 1, time(8), time(9)),
            (VOLUNTEER, 6, time(8), time(10)),
        }
        assert days == {
            (BOTH, date(2030, 1, 2), "出差"),
            (BOTH, date(2030, 1, 3), ""),
            (LECTURER, date(2030, 2, 1), ""),
            (VOLUNTEER, date(2030, 3, 1), ""),
        }

        flask_db(url, "downgrade", "lecturers_0003")
        flask_db(url, "downgrade", "volunteers_0002")
        with engine.connect() as connection:
            lecturer_slots = _rows(connection, LECTURER_SLOTS, "lecturer_id", "weekday")
            volunteer_slots = _rows(connection, VOLUNTEER_SLOTS, "profile_id", "weekday")
            lecturer_days = _rows(connection, LECTURER_DAYS, "lecturer_id", "day", "note")
            volunteer_days = _rows(connection, VOLUNTEER_DAYS, "profile_id", "day")
        assert lecturer_slots == {(10, 0), (10, 2), (10, 5), (11, 1)}
        assert volunteer_slots == {(20, 0), (20, 2), (20, 5), (21, 6)}
        assert lecturer_days == {
            (10, date(2030, 1, 2), "出差"),
            (10, date(2030, 1, 3), ""),
            (11, date(2030, 2, 1), ""),
        }
        assert volunteer_days == {
            (20, date(2030, 1, 2)),
            (20, date(2030, 1, 3)),
            (21, date(2030, 3, 1)),
        }
    finally:
        engine.dispose()
