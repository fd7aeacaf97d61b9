"""Two app processes, one PostgreSQL, one Redis: nothing that must be shared lives in a process.

Two gunicorn processes (one worker each, ports on 127.0.0.1) serve the same database and Redis,
as two hosts behind a load balancer would. Each "browser" below keeps one cookie jar for both
ports (cookies do not depend on the port), so a request may land on either process:

(a) login failures split across the processes hit the per-account limit at the same total;
(b) a live quiz hosted through one process and answered through the other (and vice versa)
    shows the same scoreboard on both;
(c) a calendar change made through process A is in the feed served by process B at once,
    although B had just cached that feed.

Needs PostgreSQL (``TWO_PROCESS_DATABASE_URL``, else ``TEST_DATABASE_URL``; skipped in the SQLite
pass; the test works in its own schema ``xxt_two_processes``) and Redis
(``TWO_PROCESS_REDIS_URL``, default ``redis://127.0.0.1:6379/2``, flushed first). Skipped when
either is unreachable, unless CI=true, where that is a failure.
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCHEMA = "xxt_two_processes"


def _database_url() -> str:
    """The PostgreSQL database to use, with its own schema so the pytest tables are untouched."""
    from sqlalchemy.engine import make_url

    base = os.environ.get("TWO_PROCESS_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgres"):
        return ""  # the SQLite pass: this test runs in the PostgreSQL pass
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
        hide_password=False
    )


DATABASE_URL = _database_url()
REDIS_URL = os.environ.get("TWO_PROCESS_REDIS_URL", "redis://127.0.0.1:6379/2")
MANAGER_PHONE, DEMO_PASSWORD = "13800000002", "shuanghuai2018"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(f"{reason}: 跳过双进程测试")


def _check_services() -> None:
    import redis
    from sqlalchemy import create_engine, text

    if not DATABASE_URL:
        pytest.skip(
            "双进程测试需要 PostgreSQL: 在 PostgreSQL 轮次运行"
            " （TEST_DATABASE_URL 或 TWO_PROCESS_DATABASE_URL）"
        )

    try:
        engine = create_engine(DATABASE_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any driver error means "not reachable"
        _unavailable(f"PostgreSQL 不可用 ({DATABASE_URL}): {error.__class__.__name__}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        _unavailable(f"Redis 不可用 ({REDIS_URL})")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY="two-processes-test-secret",
        XXT_ENV="development",
        FLASK_APP="core",
        UPLOAD_DIR=str(tmp_path / "uploads"),
        LOG_LEVEL="WARNING",
    )
    return env


def _prepare_database(env: dict) -> None:
    """An empty schema, every migration branch at head, the demo town; Redis flushed."""
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()
    for command in (["db", "upgrade"], ["demo-data"]):
        subprocess.run(
            [str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True
        )


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited: {process.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10):
                return
        except OSError:  # refused, reset or timed out while it starts
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on {port} did not answer")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """``(url_a, url_b)``: two gunicorn processes, one worker each, same database and Redis."""
    _check_services()
    tmp_path = tmp_path_factory.mktemp("two-processes")
    env = _env(tmp_path)
    _prepare_database(env)
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers=1",
                    f"--bind=127.0.0.1:{port}",
                    "core:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            _wait_until_up(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield tuple(urls)
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: one cookie jar, whichever process answers."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def request(self, url: str, data: dict | list | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, url: str) -> str:
        status, text = self.request(url)
        assert status == 200, (url, status, text[:500])
        return text

    def csrf(self, url: str) -> str:
        found = CSRF.search(self.get(url))
        assert found, f"no CSRF token on {url}"
        return html.unescape(found.group(1) or found.group(2))

    def post_form(self, page: str, action: str, fields: dict | list) -> tuple[int, str]:
        """Open ``page`` (for its CSRF token) and post ``fields`` to ``action``."""
        token = self.csrf(page)
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        return self.request(action, [("csrf_token", token), *items])

    def log_in(self, base: str, phone: str, password: str) -> int:
        status, _ = self.post_form(
            f"{base}/login", f"{base}/login", {"phone": phone, "password": password}
        )
        return status


def test_login_limit_per_account_holds_across_processes(servers):
    a, b = servers
    browser = Browser()
    phone = "13800000009"
    statuses = [browser.log_in(url, phone, "wrong-password") for url in (a, b, a, b, a)]
    assert statuses == [200] * 5  # five failures, shown as the form again
    # The sixth try is refused by either process: both count in the same Redis.
    assert browser.log_in(b, phone, "wrong-password") == 429
    assert browser.log_in(a, phone, DEMO_PASSWORD) == 429
    # Another account is not affected.
    assert Browser().log_in(b, MANAGER_PHONE, DEMO_PASSWORD) == 302


def _live_session_id(code: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(DATABASE_URL)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT id FROM competitions_live_session WHERE code = :code"), {"code": code}
        ).scalar_one()
    engine.dispose()
    return found


def _scoreboard(page: str) -> str:
    found = re.search(r'<table class="table scoreboard">.*?</table>', page, re.S)
    assert found, "no scoreboard on the page"
    return found.group(0)


def _answer(phone: Browser, base: str, code: str, choice: str) -> None:
    page = phone.get(f"{base}/contests/live/play/{code}")
    question = re.search(r'name="question_id" value="(\d+)"', page)
    assert question, "the phone does not see the question"
    status, _ = phone.post_form(
        f"{base}/contests/live/play/{code}",
        f"{base}/contests/live/play/{code}/answer",
        {"question_id": question.group(1), "choice": choice},
    )
    assert status == 302


def _host_state(host: Browser, base: str, session_id: int) -> str:
    return host.get(f"{base}/contests/live/{session_id}/host/state.json")


def test_live_quiz_holds_across_processes(servers):
    a, b = servers
    code, session_id = "WX2026", _live_session_id("WX2026")
    host = Browser()
    assert host.log_in(a, MANAGER_PHONE, DEMO_PASSWORD) == 302
    phones = {"张大爷": Browser(), "李阿姨": Browser()}
    for (name, phone), base in zip(phones.items(), (b, a), strict=True):
        join_page = phone.get(f"{base}/contests/live/join?code={code}")
        village = re.search(r'<option value="([1-9][0-9]*)"', join_page).group(1)
        status, _ = phone.post_form(
            f"{base}/contests/live/join?code={code}",
            f"{base}/contests/live/join",
            {"code": code, "name": name, "village_id": village},
        )
        assert status == 302, (name, base, re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', _))

    def advance(base: str) -> None:
        status, _ = host.post_form(
            f"{base}/contests/live/{session_id}/host",
            f"{base}/contests/live/{session_id}/advance",
            {},
        )
        assert status == 302

    # Question 1: host on A, 张大爷 answers on B, 李阿姨 on A; reveal through B.
    advance(a)
    _answer(phones["张大爷"], b, code, "A")
    _answer(phones["李阿姨"], a, code, "B")
    assert '"answers":2' in _host_state(host, b, session_id).replace(" ", "")
    advance(b)
    # Question 2, the other way round: host on B, 张大爷 on A, 李阿姨 on B; reveal through A.
    advance(b)
    _answer(phones["张大爷"], a, code, "A")
    _answer(phones["李阿姨"], b, code, "A")
    assert '"answers":2' in _host_state(host, a, session_id).replace(" ", "")
    advance(a)

    board_a = _scoreboard(host.get(f"{a}/contests/live/{session_id}/host"))
    board_b = _scoreboard(host.get(f"{b}/contests/live/{session_id}/host"))
    assert board_a == board_b
    assert "张大爷" in board_a and "李阿姨" in board_a
    phone_a = _scoreboard(phones["张大爷"].get(f"{a}/contests/live/play/{code}"))
    phone_b = _scoreboard(phones["张大爷"].get(f"{b}/contests/live/play/{code}"))
    assert phone_a == phone_b


def test_calendar_change_through_a_shows_in_feed_from_b(servers):
    a, b = servers
    anyone = Browser()
    before = anyone.get(f"{b}/calendar/feed.ics")
    assert before == anyone.get(f"{b}/calendar/feed.ics")  # B now has it cached
    event_ids = re.findall(r"/calendar/e/(\d+)", before.replace("\r\n ", ""))
    assert event_ids, "the demo feed has no events"
    event_id = event_ids[0]
    manager = Browser()
    assert manager.log_in(a, MANAGER_PHONE, DEMO_PASSWORD) == 302
    page = manager.get(f"{a}/calendar/e/{event_id}/cancel")
    # Past classes with check-ins ask to confirm how many records are revoked (as a person would).
    at_stake = re.search(r'name="revoke_count"[^>]*value="(\d+)"', page)
    confirm = {"confirm_revoke": "y", "revoke_count": at_stake.group(1)} if at_stake else {}
    status, _ = manager.post_form(
        f"{a}/calendar/e/{event_id}/cancel",
        f"{a}/calendar/e/{event_id}/cancel",
        {"reason": "双进程测试：场地维修", **confirm},
    )
    assert status == 302
    after = anyone.get(f"{b}/calendar/feed.ics")
    assert after != before
    assert after.count("STATUS:CANCELLED") > before.count("STATUS:CANCELLED")
