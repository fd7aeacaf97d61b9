"""Plugin discovery, ordering and the per-app registry.

A plugin is a ``Plugin`` subclass whose hook implementations are methods marked ``@hookimpl``.
Built-in plugins live in ``plugins/``; others are installed packages that advertise a ``Plugin``
class in the entry-point group ``xiangxuetong.plugins``. Installed is not enabled: the ``PLUGINS``
setting lists what runs (unset: every built-in plugin).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

import pluggy
from flask import Flask, current_app

from core import hookspecs
from core.permissions import Permission

ENTRY_POINT_GROUP = "xiangxuetong.plugins"

#: The plugins that ship with 乡学通, by name → "module:Class".
BUILTIN_PLUGINS: dict[str, str] = {
    "calendar": "plugins.calendar.plugin:CalendarPlugin",
    "lecturers": "plugins.lecturers.plugin:LecturersPlugin",
    "volunteers": "plugins.volunteers.plugin:VolunteersPlugin",
    "competitions": "plugins.competitions.plugin:CompetitionsPlugin",
    "credits": "plugins.credits.plugin:CreditsPlugin",
    "reports": "plugins.reports.plugin:ReportsPlugin",
    "steering": "plugins.steering.plugin:SteeringPlugin",
    "learning": "plugins.learning.plugin:LearningPlugin",
}


class PluginError(RuntimeError):
    """A plugin that is unknown, broken or missing a requirement: start-up stops."""


class Plugin:
    """Base class of every plugin; subclasses set the class attributes and add hookimpls."""

    name: ClassVar[str]
    title: ClassVar[str]  # shown to people; may be a lazy translation
    requires: ClassVar[tuple[str, ...]] = ()  # must be enabled, loaded before this one
    uses: ClassVar[tuple[str, ...]] = ()  # loaded before this one when enabled

    @property
    def root_path(self) -> Path:
        """The plugin's package folder (templates/, translations/, migrations/ live here)."""
        module = importlib.import_module(type(self).__module__)
        return Path(module.__file__).parent


@dataclass
class Registry:
    """Everything the plugin machinery knows about one app, kept in ``app.extensions``."""

    manager: pluggy.PluginManager
    plugins: list[Plugin]
    permissions: dict[str, Permission] = field(default_factory=dict)
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [plugin.name for plugin in self.plugins]

    @property
    def hook(self):
        return self.manager.hook


def available_plugins() -> dict[str, str | Any]:
    """Every plugin that could be enabled: built-ins, then installed entry points."""
    found: dict[str, str | Any] = dict(BUILTIN_PLUGINS)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    return found


def _instantiate(name: str, source) -> Plugin:
    try:
        if isinstance(source, str):
            module_name, _, class_name = source.partition(":")
            target = getattr(importlib.import_module(module_name), class_name)
        else:
            target = source.load()
        plugin = target() if isinstance(target, type) else target
    except Exception as error:  # any import-time fault must name the plugin
        raise PluginError(
            f"插件 {name!r} 无法加载 (plugin {name!r} failed to load): {error!r}"
        ) from error
    if not isinstance(plugin, Plugin) or getattr(plugin, "name", None) != name:
        raise PluginError(
            f"插件 {name!r} 不是名为 {name!r} 的 Plugin (not a Plugin named {name!r})"
        )
    return plugin


def resolve_order(plugins: dict[str, Plugin]) -> list[Plugin]:
    """Order plugins so each comes after what it requires and uses; refuse missing or cycles."""
    for plugin in plugins.values():
        missing = [req for req in plugin.requires if req not in plugins]
        if missing:
            raise PluginError(
                f"插件 {plugin.name!r} 需要先启用 {missing} (plugin {plugin.name!r} requires {missing})"
            )
    ordered: list[Plugin] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PluginError(
                f"插件依赖成环 (plugin dependency cycle): {' → '.join((*trail, name))}"
            )
        state[name] = "visiting"
        plugin = plugins[name]
        for dependency in (*plugin.requires, *plugin.uses):
            if dependency in plugins:
                visit(dependency, (*trail, name))
        state[name] = "done"
        ordered.append(plugin)

    for name in sorted(plugins):
        visit(name, ())
    return ordered


def load_plugins(enabled: list[str] | None, extra: list[Plugin] | None = None) -> list[Plugin]:
    """Instantiate the enabled plugins (``None``: the built-ins) and return them in load order.

    ``extra`` are plugin objects registered directly (tests, embedding applications).
    """
    available = available_plugins()
    names = list(BUILTIN_PLUGINS) if enabled is None else enabled
    chosen: dict[str, Plugin] = {}
    for name in names:
        if name not in available:
            raise PluginError(
                f"未知插件 {name!r} (unknown plugin {name!r}); 可用：{sorted(available)}"
            )
        chosen[name] = _instantiate(name, available[name])
    for plugin in extra or []:
        chosen[plugin.name] = plugin
    return resolve_order(chosen)


def build_registry(core_plugin: Plugin, plugins: list[Plugin]) -> Registry:
    """Make the plugin manager for one app; check every hook implementation has a spec."""
    manager = pluggy.PluginManager("xiangxuetong")
    manager.add_hookspecs(hookspecs)
    # pluggy calls implementations last-registered-first; registering in reverse makes every
    # hook run in load order (core, then each plugin after the ones it depends on).
    for plugin in reversed([core_plugin, *plugins]):
        try:
            manager.register(plugin, name=plugin.name)
        except pluggy.PluginValidationError as error:
            raise PluginError(f"插件 {plugin.name!r} 的钩子无效：{error}") from error
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"插件钩子没有对应的规范 (hook without spec): {error}") from error
    return Registry(manager=manager, plugins=plugins)


def registry(app: Flask | None = None) -> Registry:
    """The plugin registry of ``app`` (default: the current app)."""
    return (app or current_app).extensions["xiangxuetong"]


def get_service(name: str, app: Flask | None = None) -> Any | None:
    """A public service by name, or None when the plugin offering it is not enabled."""
    return registry(app).services.get(name)


def is_enabled(name: str, app: Flask | None = None) -> bool:
    return name in registry(app).names
