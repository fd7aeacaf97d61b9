"""Jobs run at the same moment from many threads, as concurrent requests would (row-lock tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from core.extensions import db


def run_together(
    app: Flask,
    jobs: list[Callable[[], object]],
    tolerated: tuple[type[Exception], ...] = (),
    commit: bool = False,
) -> list[Exception]:
    """Run every job in its own thread and app context, all released at one barrier; with
    ``commit`` the job's transaction is committed after it returns. Returns what the jobs
    raised, except the ``tolerated`` errors (refusals a job may rightly meet); a job that
    raises is rolled back, and every thread's session is removed."""
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                job()
                if commit:
                    db.session.commit()
            except tolerated:
                db.session.rollback()
            except Exception as error:  # returned to the test, which asserts on it
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
