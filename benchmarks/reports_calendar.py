"""CPU of the calendar's report figures as /reports/ asks for them: each month of the year,
then the whole year (the bulletin), and the whole /reports/ page, at 2,000 and 10,000 events.

Seeds like ``site.py`` (demo town, that many events, 1% weekly series) and times in-process
(``time.process_time``, medians of 5): the calendar's ``report_metrics`` calls alone, then a
signed-in GET /reports/ through the test client.

    .venv/bin/python benchmarks/reports_calendar.py \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/<db> [--sizes 2000,10000]

The database is wiped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.site import SECRET, seed


def cpu_ms(work, rounds: int = 5) -> float:
    spent = []
    for _ in range(rounds):
        began = time.process_time()
        work()
        spent.append((time.process_time() - began) * 1000)
    return statistics.median(spent)


def run(url: str, events: int) -> dict:
    from core import create_app, orgunits
    from plugins.calendar.hooks import report_metrics as metrics
    from plugins.reports import metrics as m

    site = "http://127.0.0.1:5000"
    seeded = seed(url, events, site)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": True, "SITE_URL": site})
    year = date.today().year
    start, end = m.year_bounds(year)
    with app.app_context():
        ids = [v.id for v in orgunits.villages()]

    def calendar_figures():
        with app.test_request_context():
            for first, after in m.months(start, end):
                metrics(ids[:1], first, after)
            metrics(ids, start, end)

    client = app.test_client()
    client.set_cookie("session", seeded["cookie"])

    def page():
        response = client.get("/reports/")
        assert response.status_code == 200, response.status_code

    return {"calendar_ms": cpu_ms(calendar_figures), "page_ms": cpu_ms(page)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", default="2000,10000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        found = run(args.database, size)
        print(
            f"{size:>6} events: calendar report_metrics (12 months + year) "
            f"{found['calendar_ms']:.0f} ms CPU, /reports/ {found['page_ms']:.0f} ms CPU",
            flush=True,
        )


if __name__ == "__main__":
    main()
