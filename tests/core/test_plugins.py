"""The plugin machinery: discovery, ordering, hooks, permissions, services and signals."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from datetime import UTC, date, datetime

import pytest
from flask import Blueprint

from core import hookspecs, plugins, signals
from core.hookspecs import hookimpl
from core.hooktypes import NavItem
from core.permissions import Permission
from core.plugins import BUILTIN_PLUGINS, Plugin, PluginError
from tests.conftest import log_in


class FakeEntryPoint:
    """Looks like importlib.metadata.EntryPoint for the plugin loader."""

    def __init__(self, name, target):
        self.name, self._target = name, target

    def load(self):
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


class ThirdPartyPlugin(Plugin):
    """A plugin living outside the project: one page, one nav item, one permission."""

    name = "thirdparty"
    title = "第三方"

    @hookimpl
    def register_blueprints(self):
        bp = Blueprint("thirdparty", __name__, url_prefix="/thirdparty")

        @bp.route("/")
        def index():
            from core.permissions import require

            require("thirdparty.use")
            return "第三方插件页面"

        return [bp]

    @hookimpl
    def register_permissions(self):
        return [Permission("thirdparty.use", "使用第三方插件", ("programme_manager",))]

    @hookimpl
    def nav_items(self, user):
        return [NavItem("thirdparty.index", "第三方插件", permission="thirdparty.use")]


@pytest.fixture
def entry_points(monkeypatch):
    found = []
    monkeypatch.setattr(plugins, "entry_points", lambda group: list(found))
    return found


def test_every_hookspec_is_documented():
    specs = [
        fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "xiangxuetong_spec")
    ]
    assert len(specs) >= 10
    for spec in specs:
        assert spec.__doc__ and spec.__doc__.strip(), f"hookspec {spec.__name__} has no docstring"


def test_an_implementation_without_a_spec_stops_start_up(make_app):
    class Typo(Plugin):
        name = "typo"

        @hookimpl
        def nav_itemz(self, user):
            return []

    with pytest.raises(PluginError, match="nav_itemz"):
        make_app(plugins="", extra_plugins=[Typo()])


def test_unknown_plugin_is_named_in_the_error(make_app):
    with pytest.raises(PluginError, match="nosuchplugin"):
        make_app(plugins="calendar,nosuchplugin")


def test_broken_plugin_is_named_in_the_error(make_app, entry_points):
    entry_points.append(FakeEntryPoint("broken", ImportError("no module named foo")))
    with pytest.raises(PluginError, match="broken"):
        make_app(plugins="broken")


def test_missing_requirement_and_cycles_are_refused():
    class A(Plugin):
        name, requires = "a", ("b",)

    class B(Plugin):
        name, uses = "b", ("a",)

    with pytest.raises(PluginError, match="requires"):
        plugins.resolve_order({"a": A()})
    with pytest.raises(PluginError, match="cycle"):
        plugins.resolve_order({"a": A(), "b": B()})


def test_load_order_follows_requires_and_uses():
    class A(Plugin):
        name, uses = "a", ("c",)

    class B(Plugin):
        name, requires = "b", ("a",)

    class C(Plugin):
        name = "c"

    order = [p.name for p in plugins.resolve_order({"b": B(), "a": A(), "c": C()})]
    assert order == ["c", "a", "b"]


def test_installed_entry_point_plugin_adds_page_nav_and_permission(
    make_app, entry_points, town, make_user
):
    entry_points.append(FakeEntryPoint("thirdparty", ThirdPartyPlugin))
    app = make_app(plugins="thirdparty")
    assert "thirdparty.use" in plugins.registry(app).permissions
    client = app.test_client()
    assert client.get("/thirdparty/").status_code == 302  # login first
    log_in(client, app, make_user("resident"))
    assert client.get("/thirdparty/").status_code == 403
    assert "第三方插件" not in client.get("/").get_data(as_text=True)
    log_in(client, app, make_user("programme_manager", town.town_id))
    assert "第三方插件页面" in client.get("/thirdparty/").get_data(as_text=True)
    assert "第三方插件" in client.get("/").get_data(as_text=True)


def test_installed_is_not_enabled(make_app, entry_points):
    entry_points.append(FakeEntryPoint("thirdparty", ThirdPartyPlugin))
    app = make_app()
    assert "thirdparty" not in plugins.registry(app).names
    assert app.test_client().get("/thirdparty/").status_code == 404


def test_plugin_object_registered_directly(make_app):
    app = make_app(plugins="", extra_plugins=[ThirdPartyPlugin()])
    assert plugins.registry(app).names == ["thirdparty"]


@pytest.mark.parametrize(
    "permission, message",
    [
        (Permission("thirdparty.use", "", ("resident",)), "说明"),
        (Permission("other.use", "x", ("resident",)), "thirdparty."),
        (Permission("thirdparty.use", "x", ("wizard",)), "未知角色"),
        (Permission("NoDot", "x", ()), "<插件>.<动作>"),
    ],
)
def test_bad_permission_declarations_stop_start_up(make_app, permission, message):
    class Bad(Plugin):
        name = "thirdparty"

        @hookimpl
        def register_permissions(self):
            return [permission]

    with pytest.raises(PluginError, match=message):
        make_app(plugins="", extra_plugins=[Bad()])


def test_services_are_looked_up_by_name_and_absent_when_disabled(make_app):
    class Offer(Plugin):
        name = "offer"

        @hookimpl
        def register_services(self):
            return {"greeter": lambda who: f"你好，{who}"}

    app = make_app(plugins="", extra_plugins=[Offer()])
    with app.app_context():
        assert plugins.get_service("greeter")("村民") == "你好，村民"
        assert plugins.get_service("calendar") is None


def test_signals_reach_only_receivers_of_the_same_app(make_app):
    heard = []
    first, second = make_app(plugins=""), make_app(plugins="")
    signals.connect(signals.user_registered, heard.append, first)
    payload = signals.UserRegistered(user_id=1, home_unit_id=None)
    with second.app_context():
        signals.send(signals.user_registered, payload)
    assert heard == []
    with first.app_context():
        signals.send(signals.user_registered, payload)
    assert heard == [payload]


#: What a payload field may hold: ids, numbers, text, moments, days (and tuples of them).
PLAIN_TYPES = (int, float, bool, str, datetime, date, type(None))
SAMPLES = {int: 7, float: 1.5, bool: True, str: "值", date: date(2026, 3, 1)}


def _payload_classes() -> list[type]:
    """Every class defined in core.signals: each one is a signal payload."""
    return [
        member
        for _, member in inspect.getmembers(signals, inspect.isclass)
        if member.__module__ == signals.__name__
    ]


def _is_plain(hint) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType, tuple):
        return all(arg is Ellipsis or _is_plain(arg) for arg in typing.get_args(hint))
    return hint is tuple or hint in PLAIN_TYPES


def _sample(hint):
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return _sample(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    if hint is tuple or typing.get_origin(hint) is tuple:
        return ()
    if hint is datetime:
        return datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    return SAMPLES[hint]


def test_the_known_payloads_are_found():
    names = {payload.__name__ for payload in _payload_classes()}
    assert {
        "AttendanceRecorded",
        "AttendanceRevoked",
        "VolunteerHoursConfirmed",
        "LectureDelivered",
        "ContestFinished",
        "UserRegistered",
        "LearningItemOpened",
    } <= names


@pytest.mark.parametrize("payload_class", _payload_classes(), ids=lambda cls: cls.__name__)
def test_signal_payload_is_frozen_and_holds_plain_values(payload_class):
    """Payloads cross plugins and outlive the sender's transaction: frozen, ids and values only,
    never ORM rows. A new payload class is checked here as soon as core.signals defines it."""
    assert dataclasses.is_dataclass(payload_class), f"{payload_class.__name__} is no dataclass"
    hints = typing.get_type_hints(payload_class)
    fields = dataclasses.fields(payload_class)
    assert fields
    for field in fields:
        assert _is_plain(hints[field.name]), f"{field.name}: {hints[field.name]} is not plain"
    payload = payload_class(**{field.name: _sample(hints[field.name]) for field in fields})
    for field in fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(payload, field.name, getattr(payload, field.name))
    with pytest.raises(dataclasses.FrozenInstanceError):
        payload.extra = 1
    assert payload == payload_class(**dataclasses.asdict(payload))


def _get_routes(app):
    """Every GET route without URL arguments."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            yield rule.rule


PLUGIN_SETS = {"none": ""} | {
    f"without-{off}": ",".join(name for name in BUILTIN_PLUGINS if name != off)
    for off in BUILTIN_PLUGINS
}


@pytest.mark.parametrize("enabled", PLUGIN_SETS.values(), ids=PLUGIN_SETS.keys())
def test_site_works_with_any_plugin_disabled(make_app, enabled, town, make_user):
    """Every page without URL arguments answers (no 500), anonymous and as a site admin."""
    app = make_app(plugins=enabled)
    client = app.test_client()
    routes = sorted(_get_routes(app))
    for route in routes:
        assert client.get(route).status_code < 500, route
    log_in(client, app, make_user("site_admin", town.town_id))
    for route in routes:
        assert client.get(route).status_code < 500, route
    on = set(filter(None, enabled.split(",")))
    assert on == set(plugins.registry(app).names)
    for name in BUILTIN_PLUGINS:
        assert (name in app.blueprints) == (name in on)


def test_signals_wait_for_the_commit_and_vanish_on_rollback(app, make_user):
    """Listeners hear only committed facts, after the sender's transaction is over."""
    from core.extensions import db as _db
    from core.models import User

    heard = []
    signals.connect(signals.user_registered, heard.append, app)
    user_id = make_user()
    with app.app_context():
        _db.session.get(User, user_id).display_name = "改名"
        signals.send(signals.user_registered, signals.UserRegistered(user_id, None))
        assert heard == []
        _db.session.rollback()
        assert heard == []
        _db.session.get(User, user_id).display_name = "改名"
        signals.send(signals.user_registered, signals.UserRegistered(user_id, 1))
        _db.session.commit()
        assert heard == [signals.UserRegistered(user_id, 1)]
        signals.send(signals.user_registered, signals.UserRegistered(user_id, 2))
        assert heard[-1] == signals.UserRegistered(user_id, 2)  # no transaction open: at once


def test_each_app_translates_with_its_own_plugins_catalogs(make_app):
    """Flask-Babel's translation cache is per app: an app made first with fewer plugins must not
    leave the next app without the English of the plugins it lacked."""
    first = make_app(plugins="reports").test_client()
    with first.session_transaction() as session:
        session["locale"] = "en"
    assert first.get("/").status_code == 200  # caches English for an app without lecturers
    second = make_app().test_client()
    with second.session_transaction() as session:
        session["locale"] = "en"
    assert "Topic menu" in second.get("/lectures/").text
