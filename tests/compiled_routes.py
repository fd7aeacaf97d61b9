"""URL builders shared by every app a test process builds.

Werkzeug writes and compiles a Python function for each URL rule of each app (two per rule:
with and without extra query arguments), about 0.1 s of every test's ``create_app`` for the
site's ~350 routes. The function it writes depends only on the rule's parsed parts, its
defaults and that choice; it reads the rule's converters through its ``self`` argument at call
time, so one function serves the same rule in every app. This keeps them per process.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.routing.rules import Rule

_original = Rule._compile_builder  # replaced by share_url_builders()
_builders: dict[tuple, Callable] = {}


def _shared_builder(rule: Rule, append_unknown: bool = True) -> Callable:
    defaults = tuple(sorted((name, repr(value)) for name, value in (rule.defaults or {}).items()))
    converters = tuple(sorted((name, type(c).__name__) for name, c in rule._converters.items()))
    key = (rule.rule, tuple(rule._trace), defaults, converters, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _original(rule, append_unknown)
    return builder


def share_url_builders() -> None:
    """Install the shared builders (idempotent)."""
    Rule._compile_builder = _shared_builder
