"""Rules every page obeys: CSRF, Chinese errors, no other hosts, small pages, language switch."""

from __future__ import annotations

import gzip
import re

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.models import User
from core.plugins import Plugin


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, town):
    data = {
        "phone": "13912345678",
        "display_name": "张",
        "home_unit_id": str(town.village_a_id),
        "password": "abc12345xyz",
        "confirm": "abc12345xyz",
    }
    response = client.post("/signup", data=data, csrf=False)
    assert response.status_code == 400
    assert "页面已过期或表单无效" in response.get_data(as_text=True)
    bad_token = client.post("/signup", data={**data, "csrf_token": "forged"}, csrf=False)
    assert bad_token.status_code == 400
    with app.app_context():
        assert _db.session.scalar(select(func.count(User.id))) == 0


def test_every_state_changing_core_route_needs_a_csrf_token(app, client, login_as, town):
    login_as("site_admin", town.town_id)
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):  # bearer tokens only
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "1")
        response = client.post(url, data={}, csrf=False)
        assert response.status_code == 400, rule.rule


class Crash(Plugin):
    name = "crash"

    @hookimpl
    def register_blueprints(self):
        bp = Blueprint("crash", __name__)

        @bp.route("/crash")
        def crash():
            raise RuntimeError("secret stack detail")

        return [bp]


def test_errors_are_chinese_pages_without_stack_traces(make_app):
    app = make_app(plugins="", extra_plugins=[Crash()], PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    not_found = client.get("/no/such/page")
    assert not_found.status_code == 404 and "页面不存在" in not_found.get_data(as_text=True)
    crashed = client.get("/crash")
    assert crashed.status_code == 500
    body = crashed.get_data(as_text=True)
    assert "服务器出错了" in body and "secret stack detail" not in body
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_pages_load_nothing_from_other_hosts(client, login_as, town):
    login_as("site_admin", town.town_id)
    for url in ["/", "/login", "/signup", "/dashboard", "/admin/users/", "/admin/units/"]:
        html = client.get(url).get_data(as_text=True)
        for reference in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", reference), (url, reference)


def test_home_page_with_css_is_small(client):
    html = client.get("/").data
    css = client.get("/static/css/site.css").data
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 60 * 1024


def test_security_headers(client):
    headers = client.get("/").headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # plain http: HSTS would mean nothing


def test_hsts_only_over_https(client):
    headers = client.get("/", base_url="https://localhost").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_chinese_by_default_english_on_request(client):
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page and "Mobile number" in page
    client.post("/language", data={"locale": "xx"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_english_catalog_translates_every_core_message():
    from babel.messages.pofile import read_po

    with open("translations/en/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []


@pytest.mark.parametrize(
    "url", ["/dashboard?x=" + "a" * 10_000, "/admin/users/?q=<script>", "/%E4%B8%AD"]
)
def test_odd_urls_do_not_break_pages(client, login_as, url, town):
    login_as("site_admin", town.town_id)
    assert client.get(url).status_code in (200, 404)


def test_request_id_is_echoed_or_made(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    given = client.get("/healthz", headers={"X-Request-ID": "abc12345-from-nginx"})
    assert given.headers["X-Request-ID"] == "abc12345-from-nginx"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert forged.headers["X-Request-ID"] != "<script>"


def test_metrics_for_local_monitoring_only(client):
    client.get("/")
    body = client.get("/metrics").get_data(as_text=True)
    assert "xxt_requests_total" in body and "xxt_notification_outbox" in body
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404


def test_json_log_lines_carry_the_request_id(app):
    import json
    import logging

    from core.observability import JsonFormatter

    record = logging.LogRecord("xxt", logging.INFO, __file__, 1, "报名成功", None, None)
    with app.test_request_context("/calendar/", headers={"X-Request-ID": "req-12345678"}):
        app.preprocess_request()
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-12345678" and line["message"] == "报名成功"


def test_catalogs_of_core_and_plugins_never_contradict():
    """One gettext namespace: a Chinese message id means one thing everywhere."""
    import glob

    from babel.messages.pofile import read_po

    seen: dict[str, dict[str, str]] = {}
    paths = [
        "translations/en/LC_MESSAGES/messages.po",
        *sorted(glob.glob("plugins/*/translations/en/LC_MESSAGES/messages.po")),
    ]
    for path in paths:
        with open(path, "rb") as po:
            for message in read_po(po):
                if message.id and message.string:
                    seen.setdefault(message.id, {})[path] = message.string
    contradictions = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert contradictions == {}


def test_reads_that_need_no_user_do_not_load_one(client, login_as, town, sql_statements):
    """Settling the language early is for form posts only: a signed-in phone polling a read
    that needs no user (here /healthz) costs no SELECT of the user's row."""
    login_as("resident", town.village_a_id)
    with sql_statements() as seen:
        assert client.get("/healthz").status_code == 200
    assert not [s for s in seen if "FROM user_account" in s]


def test_phone_header_is_one_row_with_a_menu_that_needs_no_javascript(client, login_as, town):
    login_as("site_admin", town.town_id, name="周管理")
    html = client.get("/dashboard").get_data(as_text=True)
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    row = header[: header.index("</details>")]
    menu = row[row.index('<details class="menu phone-only">') :]
    assert "<summary>菜单</summary>" in menu
    # the whole navigation and log-out sit inside the <details>, reachable with no script
    for path in ("/dashboard", "/admin/users/", "/admin/audit/"):
        assert f'href="{path}"' in menu
    assert 'action="/logout"' in menu
    assert 'class="who phone-only" href="/account">周管理</a>' in row
    assert "<script" not in header


@pytest.mark.parametrize(
    ("role", "told"),
    [
        ("resident", "请联系村（社区）负责人或管理员。"),
        ("village_coordinator", "请联系镇社区教育管理员。"),
        ("programme_manager", "请联系系统管理员。"),
    ],
)
def test_a_refusal_never_tells_staff_to_ask_themselves(client, login_as, town, role, told):
    login_as(role, town.village_a_id if role != "programme_manager" else town.town_id)
    page = client.get("/admin/users/").get_data(as_text=True)
    assert "没有权限" in page and told in page
    if role != "resident":
        assert "村（社区）负责人" not in page
