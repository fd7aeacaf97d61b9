"""Script payloads in every free-text field, then every page shown in chromium: nothing runs.

The demo town is loaded; then every free-text column of its objects (names, titles,
descriptions, notes, comments, question texts, learning items, mediation descriptions …) is
overwritten with a payload, a markdown calendar event is made through the service, and a
resident signs up through the form with a payload as their name. Every GET page is visited as
the site admin and as the resident. The CSP would stop inline script anyway, so the test also
looks for the payloads' elements in the DOM: escaping, not only the CSP, must stop them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, Text, select, update

from core.extensions import db as _db
from core.models import OrgUnit
from core.timeutil import utcnow
from tests.conftest import log_in
from tests.plugins.calendar.conftest import event_fields
from tests.security import walk

pytestmark = pytest.mark.e2e

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    '"><svg onload=window.__xss=1>',
]
#: Free text typed by people (not codes, states, keys or file names chosen by the app).
FREE_TEXT = {
    "name", "title", "description", "venue", "bio", "reason", "nominee_name", "prize", "note",
    "notes", "summary", "materials", "rating_comment", "cancel_reason", "comment", "parties",
    "preferred_times", "outcome_note", "stem", "explanation", "learning_centre_name",
    "learning_centre_address", "display_name", "subject", "body", "proxy_name", "walk_in_name",
    "location", "original_name", "filename", "reject_reason", "removed_reason",
}  # fmt: skip
FOUND_IN_DOM = """() => [
    ...document.querySelectorAll('[onerror], [onload]'),
    ...[...document.scripts].filter(s => s.textContent.includes('__xss')),
].length"""


def _poison(app) -> int:
    """Overwrite every free-text column of every row; return how many columns were hit."""
    hit = 0
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            for column in table.columns:
                if column.name not in FREE_TEXT or not isinstance(column.type, String | Text):
                    continue
                limit = getattr(column.type, "length", None) or 10_000
                fitting = [p for p in PAYLOADS if len(p) + 4 <= limit]
                if not fitting:
                    continue
                payload = fitting[hit % len(fitting)]
                value = payload if not column.unique else None
                if value is None:
                    continue
                _db.session.execute(update(table).values({column.name: value}))
                hit += 1
        _db.session.commit()
    return hit


def _markdown_event(app) -> None:
    from plugins.calendar import services
    from plugins.calendar.models import CalendarEvent

    with app.app_context():
        template = _db.session.scalar(select(CalendarEvent))
        start = utcnow() + timedelta(days=3)
        services.save_event(
            None,
            event_fields(
                template.category_id,
                template.org_unit_id,
                start,
                title=PAYLOADS[0],
                description="# 标题\n\n"
                + "\n\n".join(PAYLOADS)
                + "\n\n[点我](javascript:window.__xss=1) ![x](x onerror=window.__xss=1)",
                markdown=True,
                venue=PAYLOADS[2],
            ),
            None,
        )
        _db.session.commit()


def _log_in(page, base: str, phone: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.mark.demo_town
def test_no_payload_runs_or_reaches_the_dom_on_any_page(app, live_server, new_page):
    from core.demo import DEMO_PASSWORD

    values = walk.argument_values(app)
    users = walk.user_ids(app)
    _markdown_event(app)
    with app.app_context():
        village_b = _db.session.scalar(select(OrgUnit.id).where(OrgUnit.name == walk.VILLAGE_B))
    signup = app.test_client().post(
        "/signup",
        data={
            "display_name": PAYLOADS[2],
            "home_unit_id": str(village_b),
            "phone": "13912345678",
            "password": "xss-pass-2026",
            "confirm": "xss-pass-2026",
        },
    )
    assert signup.status_code == 302
    assert _poison(app) >= 30

    checker = app.test_client()
    log_in(checker, app, users["site_admin"])
    urls = []
    for rule in walk.rules(app, "GET"):
        url = walk.build_url(rule, values)
        response = checker.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            urls.append(url)
    assert len(urls) > 60
    problems = []
    dialogs: list[str] = []
    for phone in (walk.ROLE_PHONES["site_admin"], walk.ROLE_PHONES["resident"]):
        page = new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        _log_in(page, live_server, phone, DEMO_PASSWORD)
        for url in urls:
            response = page.goto(live_server + url)
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            csp = response.headers.get("content-security-policy", "")
            if "script-src 'self'" not in csp or "unsafe-inline" in csp:
                problems.append(f"{url}: weak CSP {csp!r}")
            if page.evaluate("() => window.__xss") is not None:
                problems.append(f"{url} as {phone}: a payload ran")
            if page.evaluate(FOUND_IN_DOM):
                problems.append(f"{url} as {phone}: a payload's element is in the DOM")
            page.evaluate("() => { window.__xss = undefined }")
    if dialogs:
        problems.append(f"dialogs: {dialogs}")
    assert not problems, "\n".join(problems)
