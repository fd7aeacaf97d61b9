"""Settings: defaults, then ``instance/config.py``, then environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

DEFAULT_SECRET_KEY = "dev-only-change-me"

#: Environment variables read at start-up, with the type they are parsed as.
ENV_SETTINGS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "PLUGINS": str,
    "REDIS_URL": str,
    "UPLOAD_DIR": str,
    "TIMEZONE": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_USER": str,
    "SMTP_PASSWORD": str,
    "SMTP_SENDER": str,
    "SMTP_TLS": bool,
    "SITE_URL": str,
    "LOG_LEVEL": str,
    "LOG_FORMAT": str,
    "STATIC_COLLECTED": str,
    "DATABASE_POOLER": str,
    "SMS_PROVIDER": str,
    "SMS_ENDPOINT": str,
    "SMS_ACCESS_KEY_ID": str,
    "SMS_ACCESS_KEY_SECRET": str,
    "SMS_SDK_APP_ID": str,
    "SMS_REGION": str,
    "SMS_SIGN_NAME": str,
    "SMS_MONTHLY_LIMIT": int,
    "SMS_MONTHLY_BUDGET_YUAN": float,
    "SMS_PRICE_YUAN": float,
    "SMS_QUIET_START": int,
    "SMS_QUIET_END": int,
    "WECOM_WEBHOOK_URL": str,
    "WECHAT_APP_ID": str,
    "WECHAT_APP_SECRET": str,
    "WECHAT_TOKEN": str,
    "WECHAT_API_BASE": str,
    "WECHAT_OAUTH_BASE": str,
    "WECHAT_THUMB_MEDIA_ID": str,
}

#: ``SMS_TEMPLATE_<KIND>`` environment variables fill ``SMS_TEMPLATES[<kind>]``.
SMS_TEMPLATE_PREFIX = "SMS_TEMPLATE_"


def _parse(value: str, kind: type):
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def defaults(app: Flask) -> dict:
    """The settings every installation starts from."""
    instance = Path(app.instance_path)
    return {
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{instance / 'xiangxuetong.sqlite'}",
        "PLUGINS": None,  # None: every built-in plugin; "" (empty): core only
        "REDIS_URL": "",
        "UPLOAD_DIR": str(instance / "uploads"),
        "TIMEZONE": "Asia/Shanghai",
        "SITE_URL": "http://127.0.0.1:5000",
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh_CN": "中文", "en": "English"},
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_LIMIT_PER_IP": "30 per 15 minutes",
        # Slow guessing that stays under the rate limits still locks the account for a while.
        "LOGIN_LOCKOUT_THRESHOLD": 10,
        "LOGIN_LOCKOUT_MINUTES": 15,
        # werkzeug's method string; the test suite makes it cheap (a hash costs 0.1 s of CPU).
        "PASSWORD_HASH_METHOD": "scrypt",
        "NOTIFICATION_MAX_ATTEMPTS": 6,
        "SMTP_HOST": "",
        "SMTP_PORT": 587,
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_SENDER": "noreply@xiangxuetong.local",
        "SMTP_TLS": True,
        "SMTP_BATCH": 10,
        "PAGE_SIZE": 30,
        # The JSON API (core/api): token lifetime, largest page, largest request body.
        "API_TOKEN_DAYS": 90,
        "API_MAX_PAGE_SIZE": 100,
        "API_MAX_BODY_BYTES": 64 * 1024,
        # Outbox senders: a claimed row not handed over in this time is free for another sender.
        "NOTIFICATION_LEASE_SECONDS": 600,
        # SMS (docs/deployment.md): provider "aliyun", "tencent" or empty for none.
        "SMS_PROVIDER": "",
        "SMS_ENDPOINT": "",
        "SMS_ACCESS_KEY_ID": "",
        "SMS_ACCESS_KEY_SECRET": "",
        "SMS_SDK_APP_ID": "",  # Tencent only
        "SMS_REGION": "",  # Tencent only (default ap-guangzhou)
        "SMS_SIGN_NAME": "",
        "SMS_TEMPLATES": {},  # kind -> approved template code (SMS_TEMPLATE_<KIND>)
        "SMS_PARAM_LENGTH": 20,  # a template variable's text is cut to this many characters
        "SMS_TIMEOUT": 10,
        "SMS_QUIET_START": 21,
        "SMS_QUIET_END": 8,
        "SMS_URGENT_KINDS": ("cancellation", "verification"),
        "SMS_MONTHLY_LIMIT": 0,  # messages a month; 0: no limit
        "SMS_MONTHLY_BUDGET_YUAN": 0.0,  # yuan a month; 0: no limit
        "SMS_PRICE_YUAN": 0.045,
        # Verification codes (core/verification.py); None: codes at sign-up iff SMS is set up.
        "SIGNUP_REQUIRES_CODE": None,
        "VERIFY_CODE_MINUTES": 5,
        "VERIFY_MAX_TRIES": 5,
        "VERIFY_PER_NUMBER_DAY": 10,
        "VERIFY_PER_IP_HOUR": 20,
        # WeChat: WeCom group robot and the official account (docs/deployment.md).
        "WECOM_WEBHOOK_URL": "",
        "WECHAT_APP_ID": "",
        "WECHAT_APP_SECRET": "",
        "WECHAT_TOKEN": "",
        "WECHAT_API_BASE": "https://api.weixin.qq.com",
        "WECHAT_OAUTH_BASE": "https://open.weixin.qq.com",
        "WECHAT_TEMPLATES": {},  # kind -> subscribe-message template id
        "WECHAT_THUMB_MEDIA_ID": "",  # permanent cover image of the weekly article
        "METRICS_ALLOW": ["127.0.0.1", "::1"],
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        # Redis is optional at run time: with it down, rate limits count per process (and the
        # limiter logs a warning) instead of every log-in answering 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # /healthz/ready reports "disk" as failing below this much free space in UPLOAD_DIR.
        "READY_MIN_FREE_MB": 500,
        # Where ``flask collect-static`` put the hashed static files nginx serves ("" = off).
        "STATIC_COLLECTED": "",
        # "pgbouncer": the database is reached through PgBouncer in transaction pooling mode.
        "DATABASE_POOLER": "",
    }


def load(app: Flask, overrides: dict | None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, explicit overrides."""
    app.config.from_mapping(defaults(app))
    app.config.from_pyfile("config.py", silent=True)
    for name, kind in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = _parse(os.environ[name], kind)
    templates = dict(app.config.get("SMS_TEMPLATES") or {})
    for name, value in os.environ.items():
        if name.startswith(SMS_TEMPLATE_PREFIX) and value:
            templates[name[len(SMS_TEMPLATE_PREFIX) :].lower()] = value
    app.config["SMS_TEMPLATES"] = templates
    if overrides:
        app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["DATABASE_URL"])
    if app.config.get("DATABASE_POOLER") == "pgbouncer":
        without_prepared_statements(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    if app.config["REDIS_URL"]:  # a dead Redis must cost a second, not a hung worker
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    if is_production(app) and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError(
            "生产环境必须设置 SECRET_KEY 环境变量（一个足够长的随机字符串）。"
            " Production refuses to start with the default SECRET_KEY: set SECRET_KEY."
        )
    if is_production(app):
        # Production is served over HTTPS (see README, deployment): cookies never travel in clear.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        # A forged Host header must not reach url_for/SITE_URL-less links or caches: answer 400.
        app.config["TRUSTED_HOSTS"] = production_trusted_hosts(app)


def without_prepared_statements(app: Flask) -> None:
    """Behind PgBouncer's transaction pooling each transaction may run on another server
    connection, so a statement psycopg 3 prepared on one is missing on the next ("prepared
    statement _pg3_0 does not exist"). ``prepare_threshold=None`` never prepares on the server."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {**options.get("connect_args", {}), "prepare_threshold": None}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def production_trusted_hosts(app: Flask) -> list[str]:
    """Hosts production answers for: ``TRUSTED_HOSTS`` (comma list) or SITE_URL's host.

    localhost stays trusted so health checks and the metrics scraper on the machine still work.
    """
    value = os.environ.get("TRUSTED_HOSTS") or app.config.get("TRUSTED_HOSTS")
    if value:
        names = value.split(",") if isinstance(value, str) else list(value)
        return [name.strip() for name in names if name.strip()]
    site_host = urlsplit(app.config.get("SITE_URL") or "").hostname
    return [host for host in (site_host, "localhost", "127.0.0.1", "::1") if host]


def normalise_database_url(url: str) -> str:
    """Let operators write ``postgresql://``; we always talk to PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_production(app: Flask) -> bool:
    """Production unless debugging or testing, or ``XXT_ENV`` says development."""
    if app.debug or app.testing or app.config.get("TESTING"):
        return False
    return os.environ.get("XXT_ENV", "production") == "production"


def enabled_plugin_names(app: Flask) -> list[str] | None:
    """Names from the ``PLUGINS`` setting; ``None`` means every built-in plugin."""
    value = app.config.get("PLUGINS")
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [v for v in value if v]
    return [name.strip() for name in str(value).split(",") if name.strip()]
