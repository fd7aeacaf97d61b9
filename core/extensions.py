"""Flask extensions, created unbound and bound to an app in ``create_app``."""

from functools import cached_property

from flask import current_app, request
from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic batch mode (SQLite) can alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def client_ip() -> str:
    """The caller's address (ProxyFix has already applied X-Forwarded-For in production)."""
    return request.remote_addr or "unknown"


class SignalSession(FlaskSession):
    """The app's session: domain signals sent during a transaction go out after it commits."""

    def commit(self) -> None:
        super().commit()
        from core.committed import mark_committed
        from core.signals import deliver_pending

        mark_committed()  # from here on the request's answer is success (core.committed)
        deliver_pending(self)

    def rollback(self) -> None:
        super().rollback()
        from core.signals import drop_pending

        drop_pending(self)


db = SQLAlchemy(model_class=Base, session_options={"class_": SignalSession})
migrate = Migrate(
    render_as_batch=True,
    compare_type=True,
    render_item=lambda *args: _alembic_hooks().render_item(*args),
    include_object=lambda *args: _alembic_hooks().include_object(*args),
)


def _alembic_hooks():
    from core import alembic_hooks

    return alembic_hooks


@migrate.configure
def _version_locations(alembic_config):
    """Every branch's revisions: core's and each plugin's ``migrations/versions``."""
    from flask import current_app

    from core.dbcli import configure_version_locations

    return configure_version_locations(alembic_config, current_app)


login_manager = LoginManager()
csrf = CSRFProtect()


class AppTranslationsDomain(Domain):
    """Flask-Babel caches merged translations on the one ``Babel`` object, keyed by locale only,
    so in a process holding several apps (the test suite; several towns) the first app's plugin
    catalogs would serve every app. Each app keeps its own cache here."""

    def get_translations_cache(self, ctx):
        return current_app.extensions.setdefault("xxt_translations_cache", {})


class AppBabel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return AppTranslationsDomain(domain=self.domain)


babel = AppBabel()
limiter = Limiter(key_func=client_ip, default_limits=[], headers_enabled=False)
