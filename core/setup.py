"""The steps of ``create_app``: extensions, plugins, then the web layer."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from core import config, dbcli, inputs, permissions, plugins
from core.core_plugin import CorePlugin
from core.extensions import babel, csrf, db, limiter, login_manager, migrate

CORE_ROOT = Path(__file__).resolve().parent


def select_locale() -> str:
    """The language chosen on the site, else the account's, else Chinese."""
    if not has_request_context():  # CLI jobs (reminders) write in the default language
        return "zh_CN"
    languages = config_languages()
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return "zh_CN"


def config_languages() -> dict:
    return current_app.config["LANGUAGES"]


def init_extensions(app: Flask) -> None:
    inputs.install_converters(app)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    if config.is_production(app):
        # Behind one reverse proxy (nginx): trust its X-Forwarded-For/Proto for client IP and https.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def init_plugins(app: Flask, extra: list) -> None:
    """Load enabled plugins, build the hook registry, and wire what the hooks return."""
    enabled = plugins.load_plugins(config.enabled_plugin_names(app), extra)
    registry = plugins.build_registry(CorePlugin(), enabled)
    app.extensions["xiangxuetong"] = registry
    hook = registry.hook

    declared = []
    for impl in hook.register_permissions.get_hookimpls():
        owner = impl.plugin_name
        for permission in impl.function() or []:
            declared.append((owner, permission))
    try:
        registry.permissions = permissions.validate(declared)
    except permissions.PermissionError_ as error:
        raise plugins.PluginError(str(error)) from error

    for impl in hook.register_services.get_hookimpls():
        for name, service in (impl.function() or {}).items():
            if name in registry.services:
                raise plugins.PluginError(f"服务 {name!r} 被重复注册 (by {impl.plugin_name})")
            registry.services[name] = service

    for blueprints in hook.register_blueprints():
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
    for commands in hook.register_commands():
        for command in commands:
            app.cli.add_command(command)

    translation_dirs = [str(CORE_ROOT.parent / "translations")]
    version_dirs = [str(CORE_ROOT / "migrations" / "versions")]
    for plugin in enabled:
        if (plugin.root_path / "translations").is_dir():
            translation_dirs.append(str(plugin.root_path / "translations"))
    # Every installed plugin's history stays known to Alembic, so disabling one never breaks it.
    for plugin_dir in _migration_roots(enabled):
        if (plugin_dir / "migrations" / "versions").is_dir():
            version_dirs.append(str(plugin_dir / "migrations" / "versions"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    app.config["MIGRATION_VERSION_DIRS"] = version_dirs
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"]
    )
    migrate.init_app(app, db, directory=str(CORE_ROOT / "migrations"))
    dbcli.install(app)
    hook.setup_app(app=app)


def _migration_roots(enabled: list) -> list[Path]:
    """Folders of the enabled plugins plus the built-ins that are switched off (not imported)."""
    roots = {plugin.root_path for plugin in enabled}
    roots |= {CORE_ROOT.parent / "plugins" / name for name in plugins.BUILTIN_PLUGINS}
    return sorted(roots)


def init_web(app: Flask) -> None:
    from core import api, httpcache, observability, static_files, web

    observability.init_app(app)
    web.init_app(app)
    httpcache.init_app(app)
    static_files.init_app(app)
    api.init_app(app)
