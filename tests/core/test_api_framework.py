"""The API framework: the OpenAPI document follows the enabled plugins, errors are problems,
the docs page is served from the site, bodies are bounded, CORS is closed, notifications."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core import notify
from core.extensions import db as _db
from core.models import Notification
from tests.api_helpers import assert_problem, bearer


def spec(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").get_json()


def test_document_is_openapi_3_1_with_every_plugins_routes(app):
    document = spec(app)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    prefixes = {path.split("/")[3] for path in document["paths"]}
    assert prefixes == {
        "villages",
        "auth",
        "me",
        "notifications",
        "calendar",
        "lectures",
        "volunteers",
        "contests",
        "live",
        "credits",
    }


@pytest.mark.parametrize(
    ("plugins", "absent_paths", "absent_schemas"),
    [
        (
            "calendar",
            ("contests", "live", "lectures", "volunteers", "credits"),
            ("Contest", "Shift", "Topic"),
        ),
        (
            "competitions,credits",
            ("calendar", "lectures", "volunteers"),
            ("Occurrence", "Shift", "Topic"),
        ),
        (
            "",
            ("calendar", "contests", "lectures", "volunteers", "credits"),
            ("Occurrence", "Contest"),
        ),
    ],
    ids=["calendar-only", "no-calendar", "core-only"],
)
def test_a_disabled_plugin_leaves_no_routes_or_schemas(
    make_app, plugins, absent_paths, absent_schemas
):
    app = make_app(plugins=plugins)
    document = spec(app)
    prefixes = {path.split("/")[3] for path in document["paths"]}
    assert not prefixes & set(absent_paths)
    assert not set(document["components"].get("schemas", {})) & set(absent_schemas)
    for name in absent_paths:
        assert app.test_client().get(f"/api/v1/{name}").status_code == 404
    assert {"auth", "me", "notifications", "villages"} <= prefixes


def test_docs_page_loads_only_this_sites_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    script = client.get("/api/v1/static/docs-init.js").get_data(as_text=True)
    assert "validatorUrl: null" in script  # Swagger UI would otherwise ask validator.swagger.io


def test_unknown_path_wrong_method_and_huge_body_are_problems(app, client, make_user):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    wrong = client.put("/api/v1/auth/token", json={})
    assert_problem(wrong, 405)
    assert "POST" in wrong.headers["Allow"]
    huge = client.post(
        "/api/v1/auth/token",
        data=b"{" + b" " * (10 * 1024 * 1024) + b"}",
        content_type="application/json",
    )
    assert_problem(huge, 413)
    broken = client.post("/api/v1/auth/token", data=b"{not json", content_type="application/json")
    assert broken.status_code in (400, 422) and broken.mimetype == "application/problem+json"


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_cors_is_closed_by_default(client):
    response = client.options(
        "/api/v1/auth/token",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    got = client.get("/api/v1/openapi.json", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in got.headers


def test_notifications_list_read_and_someone_elses(app, client, make_user):
    me, other = make_user(), make_user()
    with app.app_context():
        for n in range(3):
            notify.notify(me, f"通知{n}", "正文")
        notify.notify(other, "别人的", "正文")
        _db.session.commit()
        theirs = _db.session.scalar(select(Notification.id).where(Notification.user_id == other))
    headers = bearer(app, me)
    page = client.get("/api/v1/notifications?per_page=2", headers=headers)
    body = page.get_json()
    assert [n["subject"] for n in body["items"]] == ["通知2", "通知1"]
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert (
        client.get(
            "/api/v1/notifications?per_page=2",
            headers={**headers, "If-None-Match": page.headers["ETag"]},
        ).status_code
        == 304
    )
    assert client.get("/api/v1/notifications/unread", headers=headers).get_json() == {"unread": 3}
    first = body["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read", headers=headers).get_json()["read_at"]
    assert_problem(client.post(f"/api/v1/notifications/{theirs}/read", headers=headers), 404)
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {
        "unread": 0
    }
    with app.app_context():
        assert _db.session.get(Notification, theirs).read_at is None


def test_villages_list_the_active_villages(client, town):
    villages = client.get("/api/v1/villages").get_json()
    assert sorted((v["name"], v["kind"]) for v in villages) == [
        ("乙村", "village"),
        ("甲村", "village"),
    ]


def test_answers_for_a_token_are_private_and_vary_by_it(app, client, make_user):
    response = client.get("/api/v1/me", headers=bearer(app, make_user()))
    assert "Authorization" in response.headers["Vary"]
    assert response.cache_control.private


def test_public_operations_document_an_optional_token_and_keep_their_parameters(app):
    document = spec(app)
    agenda = document["paths"]["/api/v1/calendar/agenda"]["get"]
    assert agenda["security"] == [{}, {"bearerAuth": []}]
    answer = document["paths"]["/api/v1/live/{code}/answer"]["post"]
    assert "X-Live-Seat" in [p["name"] for p in answer["parameters"]]
    assert "security" not in document["paths"]["/api/v1/me"]["get"]  # the global bearer applies


def test_the_sites_page_size_limit_and_other_http_errors_on_pages(make_app):
    from flask import abort

    app = make_app(API_MAX_PAGE_SIZE=10)
    app.add_url_rule("/teapot", "teapot", lambda: abort(418))
    client = app.test_client()
    body = assert_problem(client.get("/api/v1/calendar/agenda?per_page=20"), 422)
    assert body["errors"]["query"]["per_page"] == ["每页条数超过上限。"]
    page = client.get("/teapot")
    assert page.status_code == 418 and page.mimetype == "text/html"
