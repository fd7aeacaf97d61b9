"""No dead ends (issue 14): every same-site link a page shows a person opens for that person.

For each demo login of the README and for a visitor, start from the home page and the
dashboard and follow every ``<a href>`` a page offers (GET only; logging out and switching the
language are POST forms, so they are never followed). Paths are grouped into patterns (numbers
and dates replaced, query values ignored) and each pattern is visited at most
``PER_PATTERN`` times, which keeps the walk bounded (week-by-week navigation would otherwise
never end) and cheap. Downloads (XLSX, iCal, files) are fetched and their status checked but not
parsed. A visitor may be sent to the log-in page by a link to a personal page (我的活动, 我的班次);
but a link to one thing (a lecture, an event: a path with a number in it) must open for them;
anyone else reaching the log-in page, and anyone at all getting 4xx or 5xx, is a dead end.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from tests.conftest import log_in

#: The demo logins of the README's table, and a visitor (None).
DEMO_PHONES = [f"138000000{n:02d}" for n in range(1, 11)]
PEOPLE = [*DEMO_PHONES, None]
PER_PATTERN = 3
MAX_PAGES = 400


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))


def links_of(html: str) -> list[str | None]:
    """The href of every anchor (None when an ``<a>`` has no href at all)."""
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


_NUMBER = re.compile(r"\d+")


def pattern_of(path: str, query: str) -> tuple[str, tuple[str, ...]]:
    """``/calendar/events/12/2026-11-29T10:00`` → ``/calendar/events/#/#-#-#T#:#``, plus the
    names (not values) of the query parameters."""
    names = tuple(sorted({part.partition("=")[0] for part in query.split("&") if part}))
    return _NUMBER.sub("#", path), names


def crawl(client, *, visitor: bool) -> tuple[int, list[str]]:
    """Walk the site as the client's person; return (pages fetched, dead ends found)."""
    seen_patterns: Counter = Counter()
    visited: set[str] = set()
    queue: deque[tuple[str, str]] = deque([("/", "(start)"), ("/dashboard", "(start)")])
    problems: list[str] = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url, offered_on = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        parts = urlsplit(url)
        key = pattern_of(parts.path, parts.query)
        if seen_patterns[key] >= PER_PATTERN:
            continue
        seen_patterns[key] += 1
        response = client.get(url, follow_redirects=True)
        fetched += 1
        landed = response.request.path
        if response.status_code >= 400:
            problems.append(f"{response.status_code} {url} (offered on {offered_on})")
            continue
        needs_login = landed == "/login" and parts.path != "/login" and url != "/dashboard"
        if needs_login and (not visitor or _NUMBER.search(parts.path)):
            problems.append(f"log-in page for {url} (offered on {offered_on})")
            continue
        if response.mimetype != "text/html":
            continue
        base = response.request.url
        for href in links_of(response.get_data(as_text=True)):
            if href is None:
                continue  # an anchor without href is not a link
            if href.strip() in ("", "#"):
                problems.append(f"empty link href={href!r} on {url}")
                continue
            target = urlsplit(urljoin(base, href))
            if target.scheme not in ("http", "https") or target.netloc != urlsplit(base).netloc:
                continue  # mailto:, tel:, other sites
            if target.path.startswith("/static/"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if path not in visited:
                queue.append((path, url))
    return fetched, problems


@pytest.mark.demo_town
@pytest.mark.parametrize("phone", PEOPLE, ids=[p or "visitor" for p in PEOPLE])
def test_every_link_shown_opens(app, client, phone):
    from core.models import User

    if phone:
        with app.app_context():
            user_id = _db.session.scalar(select(User.id).where(User.phone == phone))
        log_in(client, app, user_id)
    fetched, problems = crawl(client, visitor=phone is None)
    assert fetched > 20  # the walk really went somewhere
    assert not problems, f"{len(problems)} dead ends:\n" + "\n".join(problems)


def test_pattern_groups_ids_and_dates_and_ignores_query_values():
    assert pattern_of("/calendar/events/12/2026-11-29T10:00", "") == (
        "/calendar/events/#/#-#-#T#:#",
        (),
    )
    assert pattern_of("/calendar/week", "start=2026-11-30&unit_id=3") == (
        "/calendar/week",
        ("start", "unit_id"),
    )
    assert links_of('<a href="/a">x</a><a>y</a><a href="">z</a>') == ["/a", None, ""]
