"""The shipped serving stack for real: gunicorn (deploy/gunicorn.conf.py) behind Debian's nginx
with the shipped site file, over TLS, on a database built by ``flask db upgrade`` + demo data."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import ssl
import subprocess
import sys
import uuid
import zlib
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPSHandler, Request, build_opener

import pytest
from sqlalchemy import create_engine, text

from tests.deploy import serving

COORDINATOR = ("13800000005", "shuanghuai2018")
SPOOFED_IP = "203.0.113.9"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Stack:
    def __init__(self, https_port: int, http_port: int, database_url: str):
        self.https_port, self.http_port, self.database_url = https_port, http_port, database_url
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def url(self, path: str) -> str:
        return f"https://localhost:{self.https_port}{path}"

    def opener(self):
        return build_opener(
            HTTPSHandler(context=self.context), HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, headers: dict | None = None, opener=None):
        request = Request(self.url(path), headers=headers or {})
        return (opener or self.opener()).open(request, timeout=20)

    def connection(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.context, timeout=20
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = serving.need_binary(serving.NGINX, "nginx")
    tmp = tmp_path_factory.mktemp("serving")
    database_url = serving.fresh_database(tmp, "nginx")
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "REDIS_URL": "",
        "SECRET_KEY": "serving-test-" + uuid.uuid4().hex,
        "SITE_URL": "https://localhost",
        "STATIC_COLLECTED": str(tmp / "static-collected"),
    }
    setup_env = {**base_env, "XXT_ENV": "development"}
    serving.flask(setup_env, "db", "upgrade")
    serving.flask(setup_env, "demo-data")
    serving.flask(setup_env, "collect-static")

    socket_path = tmp / "gunicorn.sock"
    (tmp / "metrics").mkdir()
    gunicorn_log = tmp / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "core:create_app()"],
        cwd=serving.ROOT,
        env={
            **base_env,
            "XXT_ENV": "production",
            "XXT_BIND": f"unix:{socket_path}",
            "WEB_CONCURRENCY": "2",
            "XXT_THREADS": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        },
        stdout=gunicorn_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    https_port, http_port = serving.free_port(), serving.free_port()
    site = tmp / "site.conf"
    site.write_text(serving.site_config(tmp, socket_path, http_port, https_port))
    main = tmp / "nginx.conf"
    main.write_text(serving.nginx_main_config(tmp, site))
    nginx_log = tmp / "nginx-error.log"
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp), "-e", str(nginx_log), "-c", str(main)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(
        [nginx, "-p", str(tmp), "-e", str(nginx_log), "-c", str(main)],
        stdout=subprocess.DEVNULL,
        stderr=nginx_log.open("ab"),
    )
    try:
        serving.wait_until(socket_path.exists, "gunicorn", gunicorn_log)
        serving.wait_until(lambda: serving.port_answers(https_port), "nginx", nginx_log)
        running = Stack(https_port, http_port, database_url)
        running.gunicorn_pid, running.gunicorn_log = gunicorn.pid, gunicorn_log
        running.collected = tmp / "static-collected"
        yield running
    finally:
        serving.stop(server)
        serving.stop(gunicorn)
    assert server.returncode is not None and gunicorn.returncode is not None


def test_home_page_over_tls_is_gzipped_with_security_headers(stack):
    response = stack.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    body = zlib.decompress(response.read(), 16 + zlib.MAX_WBITS).decode()
    assert "乡学通" in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = stack.get("/")
    assert "Content-Encoding" not in plain.headers  # only when the client asks for it


def test_plain_http_is_redirected_to_https(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=20)
    connection.request("GET", "/calendar/", headers={"Host": "localhost"})
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == "https://localhost/calendar/"


def test_static_files_come_from_nginx_with_caching(stack):
    response = stack.get("/static/css/site.css")
    assert response.status == 200
    assert "max-age=604800" in response.headers.get_all("Cache-Control")
    assert response.headers["Expires"]
    assert "X-Request-ID" not in response.headers  # the app (which sets it) never saw it
    assert "Content-Security-Policy" not in response.headers


def test_public_calendar_feed(stack):
    response = stack.get("/calendar/feed.ics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.read().startswith(b"BEGIN:VCALENDAR")


def test_metrics_answer_the_local_scraper_with_the_forwarded_address(stack):
    response = stack.get("/metrics", headers={"X-Forwarded-For": SPOOFED_IP})
    assert response.status == 200  # the app saw 127.0.0.1 (nginx's $remote_addr)
    assert b"xxt_requests_total" in response.read()


def test_a_body_over_the_limit_is_refused_by_nginx(stack):
    connection = stack.connection()
    connection.putrequest("POST", "/login", skip_host=True)
    connection.putheader("Host", "localhost")
    connection.putheader("Content-Type", "application/octet-stream")
    connection.putheader("Content-Length", str(17 * 1024 * 1024))  # limit is 16m
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_coordinator_uploads_material_and_the_app_sees_nginx_client_address(stack):
    # A browser sends Referer; Flask-WTF insists on a same-site one over https. The stack runs
    # on a non-standard port, as a site behind port forwarding would: nginx passes Host with
    # its port ($http_host), so the browser's Referer (with the port) matches and forms work.
    referer = f"https://localhost:{stack.https_port}/login"
    spoof = {"X-Forwarded-For": SPOOFED_IP, "Referer": referer}
    browser = stack.opener()
    login_page = stack.get("/login", headers=spoof, opener=browser).read().decode()
    form = {"csrf_token": csrf_token(login_page), "phone": COORDINATOR[0]}
    form["password"] = COORDINATOR[1]
    logged_in = browser.open(
        Request(stack.url("/login"), data=urlencode(form).encode(), headers=spoof), timeout=20
    )
    assert logged_in.url.endswith("/dashboard")

    agenda = stack.get("/calendar/", opener=browser).read().decode()
    occurrences = re.findall(r'href="/calendar/e/(\d+)/(\d{8}T\d{6}Z)"', agenda)
    assert occurrences, "the demo agenda shows no occurrence"
    materials = None
    for event_id, key in occurrences:
        try:
            page = stack.get(f"/calendar/e/{event_id}/{key}/materials", opener=browser)
        except HTTPError as refused:  # another village's event
            assert refused.code == 403, (event_id, key, refused.code)
            continue
        materials = (f"/calendar/e/{event_id}/{key}/materials", page.read().decode())
        break
    assert materials, "no demo occurrence of the coordinator's village on the agenda"
    path, page = materials
    body, content_type = multipart({"csrf_token": csrf_token(page), "kind": "photo"}, "a.png", PNG)
    uploaded = browser.open(
        Request(stack.url(path), data=body, headers={"Content-Type": content_type, **spoof}),
        timeout=20,
    )
    assert "资料已上传" in uploaded.read().decode()

    engine = create_engine(stack.database_url)
    with engine.connect() as connection:
        ips = connection.execute(
            text("SELECT ip FROM audit_log WHERE action = 'calendar.material_uploaded'")
        ).scalars()
        assert list(ips) == ["127.0.0.1"]  # nginx's $remote_addr, not the spoofed header
    engine.dispose()


def _workers(master_pid: int) -> set[int]:
    children = subprocess.run(
        ["ps", "--ppid", str(master_pid), "-o", "pid="], capture_output=True, text=True
    )
    return {int(pid) for pid in children.stdout.split()}


def _outbox_figure(stack) -> float:
    body = stack.get("/metrics").read().decode()
    return float(re.search(r"^xxt_notification_outbox (\S+)$", body, re.MULTILINE).group(1))


def test_outbox_figure_stays_true_after_a_worker_is_killed_and_replaced(stack):
    """25 deliveries wait; both workers answer scrapes; one worker dies and is replaced; the
    outbox drains; every scrape now says 0 (a gauge kept per worker said 25 for good)."""
    import signal
    import time

    engine = create_engine(stack.database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE notification_delivery SET status = 'sent'"))
        user_id = connection.execute(text("SELECT min(id) FROM user_account")).scalar()
        for number in range(25):
            notification_id = connection.execute(
                text(
                    "INSERT INTO notification (user_id, subject, body, created_at) "
                    "VALUES (:user, :subject, '', CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"user": user_id, "subject": f"积压 {number}"},
            ).scalar()
            connection.execute(
                text(
                    "INSERT INTO notification_delivery (notification_id, channel, status, "
                    "attempts, next_attempt_at) VALUES (:id, 'log', 'pending', 0, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"id": notification_id},
            )
    assert {_outbox_figure(stack) for _ in range(8)} == {25.0}

    before = _workers(stack.gunicorn_pid)
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    for _ in range(300):  # gunicorn notices and starts a replacement
        now = _workers(stack.gunicorn_pid)
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.1)
    assert victim not in _workers(stack.gunicorn_pid)

    with engine.begin() as connection:
        connection.execute(text("UPDATE notification_delivery SET status = 'sent'"))
    engine.dispose()
    assert {_outbox_figure(stack) for _ in range(8)} == {0.0}


def test_gunicorn_and_the_app_log_json_lines_with_the_request_id(stack):
    import json
    import time

    response = stack.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32  # nginx's $request_id
    for _ in range(50):  # the line is written as the answer leaves
        lines = [line for line in stack.gunicorn_log.read_text().splitlines() if line.strip()]
        records = [json.loads(line) for line in lines]  # every line is JSON, gunicorn's too
        mine = [r for r in records if r.get("request_id") == request_id]
        if any(r["logger"] == "xxt.access" for r in mine):
            break
        time.sleep(0.1)
    access = [r for r in mine if r["logger"] == "xxt.access"]
    assert [(r["method"], r["path"], r["status"]) for r in access] == [("GET", "/healthz", 200)]
    assert any(r["logger"] == "gunicorn.error" for r in records)  # "Booting worker" etc.


def test_every_static_file_is_served_by_nginx_hashed_gzipped_and_cached_long(stack):
    """Core and plugin CSS/JS alike: the hashed URL the page links to comes from nginx's folder
    (no X-Request-ID: the app never saw it), cached a year, gzipped, never sniffed."""
    import json

    manifest = json.loads((stack.collected / "manifest.json").read_text())
    assert {"static", "calendar.static", "competitions.static", "lecturers.static"} <= set(manifest)
    home = stack.get("/").read().decode()
    site_css = manifest["static"]["css/site.css"]
    assert f"/static/{site_css}" in home  # pages link to the hashed name
    served = [path for path in stack.collected.rglob("*") if path.suffix in (".css", ".js")]
    assert len(served) >= 8
    for path in served:
        url = "/" + str(path.relative_to(stack.collected))
        response = stack.get(url, headers={"Accept-Encoding": "gzip"})
        body = response.read()
        assert response.status == 200, url
        assert "X-Request-ID" not in response.headers, url
        assert "max-age=31536000" in response.headers.get_all("Cache-Control"), url
        assert "immutable" in ", ".join(response.headers.get_all("Cache-Control")), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        if len(path.read_bytes()) >= 512:  # gzip_min_length
            assert response.headers.get("Content-Encoding") == "gzip", url
            assert zlib.decompress(body, 16 + zlib.MAX_WBITS) == path.read_bytes(), url
