"""The site behind Debian's PgBouncer in transaction pooling mode, two gunicorn workers.

PgBouncer (1.18 in Debian 12) hands each transaction whichever server connection is free, so a
statement psycopg 3 prepared on one connection is missing on the next; ``DATABASE_POOLER=
pgbouncer`` turns server-side preparing off. Migrations, the demo data and two workers with four
threads each then run through a pool of three server connections: pages read by many threads at
once and log-ins (writes) all answer, and the server never saw more than three connections.

PostgreSQL pass only (``TEST_DATABASE_URL``); skipped without ``/usr/sbin/pgbouncer`` (a failure
under CI=true).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.deploy import serving

PGBOUNCER = "/usr/sbin/pgbouncer"
POOL_SIZE = 3
PAGES = ["/", "/calendar/", "/contests/", "/lectures/topics", "/volunteers/", "/healthz"]


def _pgbouncer_config(tmp, port: int, database_url: str) -> str:
    url = make_url(database_url)
    (tmp / "users.txt").write_text(f'"{url.username}" ""\n')
    return (
        "[databases]\n"
        f"xxt = host={url.host or '127.0.0.1'} port={url.port or 5432} dbname={url.database} "
        f"user={url.username}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp / 'users.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {POOL_SIZE}\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"  # PGOPTIONS of the tests
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("PgBouncer sits in front of PostgreSQL: PostgreSQL pass")
    pgbouncer = serving.need_binary(PGBOUNCER, "pgbouncer")
    tmp = tmp_path_factory.mktemp("pgbouncer")
    tmp.chmod(0o755)  # pgbouncer drops to the postgres user when started as root
    database_url = serving.fresh_database(tmp, "pgbouncer")
    bouncer_port, web_port = serving.free_port(), serving.free_port()
    config = tmp / "pgbouncer.ini"
    config.write_text(_pgbouncer_config(tmp, bouncer_port, database_url))
    for path in (config, tmp / "users.txt"):
        path.chmod(0o644)
    user = ["-u", "postgres"] if os.geteuid() == 0 else []
    bouncer_log = tmp / "pgbouncer.log"
    bouncer = subprocess.Popen(
        [pgbouncer, *user, str(config)], stdout=bouncer_log.open("wb"), stderr=subprocess.STDOUT
    )
    through = f"postgresql+psycopg://{make_url(database_url).username}@127.0.0.1:{bouncer_port}/xxt"
    env = {
        **os.environ,
        "DATABASE_URL": through,
        "DATABASE_POOLER": "pgbouncer",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "REDIS_URL": "",
        "SECRET_KEY": "pgbouncer-test-secret",
        "XXT_ENV": "development",
        "LOG_LEVEL": "WARNING",
    }
    web_log = tmp / "gunicorn.log"
    web = None
    try:
        serving.wait_until(lambda: serving.port_answers(bouncer_port), "pgbouncer", bouncer_log)
        serving.flask(env, "db", "upgrade")
        serving.flask(env, "demo-data")
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "core:create_app()",
            ],
            cwd=serving.ROOT,
            env={
                **env,  # development: plain http here, so cookies must not be Secure-only
                "XXT_BIND": f"127.0.0.1:{web_port}",
                "WEB_CONCURRENCY": "2",
                "XXT_THREADS": "4",
            },
            stdout=web_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        serving.wait_until(lambda: serving.port_answers(web_port), "gunicorn", web_log)
        yield f"http://127.0.0.1:{web_port}", database_url, web_log
    finally:
        if web is not None:
            serving.stop(web)
        serving.stop(bouncer)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_workers_serve_pages_and_log_ins_through_transaction_pooling(site):
    base, database_url, web_log = site
    statuses = list(ThreadPoolExecutor(16).map(_get, [base + p for p in PAGES * 20]))
    assert set(statuses) == {200}, web_log.read_text()[-3000:]

    def log_in(phone: str) -> str:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(base + "/login", timeout=60).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "phone": phone, "password": "shuanghuai2018"}
        answer = opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=60)
        return answer.url

    landed = list(ThreadPoolExecutor(6).map(log_in, [f"138000000{n:02d}" for n in range(1, 11)]))
    assert all(url.endswith("/dashboard") for url in landed), landed

    engine = create_engine(database_url)
    with engine.connect() as connection:
        logged_in = connection.execute(
            text("SELECT count(*) FROM user_account WHERE last_login_at IS NOT NULL")
        ).scalar()
        backends = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalar()
    engine.dispose()
    assert logged_in == 10
    assert backends <= POOL_SIZE  # two workers × four threads shared three server connections
