"""Odd input never answers 500: every GET route, hostile values in the path and the query.

NUL bytes, integers too big for any column, impossible dates and huge page numbers answer 400 or
404 (or the page itself, when the value is simply ignored), never a 500. Walked as a site admin
on the demo town, so every page really renders with data behind it.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest

from core.extensions import db as _db

#: Every query parameter a view or a query-bound form reads (``grep request.args`` and the
#: fields of forms built from ``request.args``).
QUERY_NAMES = [
    *("q", "page", "unit", "unit_id", "village", "village_id", "town", "parent", "topic_id"),
    *("state", "category", "month", "before", "metric", "format", "code", "full", "next"),
    *("start", "end", "year", "days", "day", "week", "date", "kind", "action", "object_type"),
    *("actor", "fmt"),
]
HUGE = "99999999999999999999999"
HOSTILE = {
    "nul": "a\x00b",
    "huge integer": HUGE,
    "impossible date": "2026-02-30",
    "negative": "-99999999999999999999",
}
OK = {200, 302, 303, 304, 400, 403, 404, 405}
#: The API answers invalid input with a problem+json 422 (its documented status), never a 500.
API_OK = OK | {409, 422}


def _get_rules(app):
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.endpoint.endswith("static")
        ),
        key=lambda rule: rule.rule,
    )


def _path(rule, hostile: str | None) -> str:
    """The rule's path with every variable filled: plausible values, or the hostile one."""
    path = rule.rule
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if kind == "AnyConverter":  # <any(day, week):kind>
            value = "day"
        elif kind.endswith("IntegerConverter"):
            value = HUGE if hostile else "1"
        else:
            value = quote(hostile, safe="") if hostile else "x"
        start = path.rindex("<", 0, path.index(f"{name}>"))
        path = path[:start] + value + path[path.index(f"{name}>") + len(name) + 1 :]
    return path


@pytest.fixture
def admin_client(app, client):
    from core.models import User
    from tests.api_helpers import bearer
    from tests.conftest import log_in

    with app.app_context():
        admin_id = _db.session.scalar(_db.select(User.id).where(User.phone == "13800000001"))
    log_in(client, app, admin_id)
    client.api_headers = bearer(app, admin_id)
    return client


@pytest.mark.demo_town
def test_every_get_route_answers_odd_input_without_500(app, admin_client):
    failures = []
    for rule in _get_rules(app):
        if rule.endpoint == "metrics":
            continue
        urls = []
        if rule.arguments:
            urls.append(_path(rule, HOSTILE["nul"]))
        plain = _path(rule, None)
        for value in HOSTILE.values():
            urls.append(plain + "?" + urlencode(dict.fromkeys(QUERY_NAMES, value)))
        urls.append(plain + "?page=" + HUGE)
        for url in urls:
            try:
                api = url.startswith("/api/")
                headers = admin_client.api_headers if api else {}
                status = admin_client.get(url, headers=headers).status_code
            except Exception as error:  # the test app propagates what would be a 500
                status = f"500 {type(error).__name__}: {str(error)[:80]}"
            if status not in (API_OK if url.startswith("/api/") else OK):
                failures.append((rule.endpoint, url[:120], status))
    assert not failures, "\n".join(str(failure) for failure in failures)


def test_nul_byte_in_query_or_path_is_400(client):
    assert client.get("/admin/users/?q=%00").status_code == 400
    assert client.get("/login?next=/a%00b").status_code == 400
    assert client.get("/calendar/feed/a%00b.ics").status_code == 400


def test_integer_too_big_for_a_column_is_404_in_a_path(client):
    assert client.get("/contests/" + HUGE).status_code == 404
    assert client.get("/contests/2147483648").status_code == 404
    assert client.get("/contests/2147483647").status_code == 404  # the largest id, just unknown


@pytest.mark.parametrize("case", ["registered, wrong password", "unknown number", "locked"])
def test_every_log_in_checks_one_password_hash_of_the_configured_method(
    app, client, make_user, monkeypatch, case
):
    """Equal work whether the number is registered or not: one hash check of the same method
    (scrypt in production), so the answer's timing tells nobody which numbers exist."""
    import core.accounts
    from core.models import User
    from core.timeutil import utcnow

    user_id = make_user(phone="13912345678")
    if case == "locked":
        with app.app_context():
            user = _db.session.get(User, user_id)
            user.locked_until = utcnow() + timedelta(minutes=5)
            _db.session.commit()
    checked = []
    real = core.accounts.check_password_hash

    def counting(pwhash, password):
        checked.append(pwhash.split("$")[0])
        return real(pwhash, password)

    monkeypatch.setattr(core.accounts, "check_password_hash", counting)
    phone = "13700000000" if case == "unknown number" else "13912345678"
    response = client.post("/login", data={"phone": phone, "password": "wrong-pass-1"})
    assert "手机号或密码不正确。" in response.get_data(as_text=True)
    assert checked == ["pbkdf2:sha256:1"]
