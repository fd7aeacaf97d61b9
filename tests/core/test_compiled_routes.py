"""The test suite's shared URL builders: a second app compiles none, and each shared builder
builds exactly what a builder written for that app's own rule would."""

from __future__ import annotations

import uuid

from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

from tests import compiled_routes


def _sample(converter):
    """A value the converter accepts."""
    if isinstance(converter, IntegerConverter):
        return 7
    if isinstance(converter, FloatConverter):
        return 1.5
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=7)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x-y"


def test_a_second_app_reuses_the_first_apps_url_builders(make_app):
    def builders(app) -> dict:
        return {
            (rule.endpoint, rule.rule): (rule._build.__func__, rule._build_unknown.__func__)
            for rule in app.url_map.iter_rules()
        }

    first, second = builders(make_app()), builders(make_app())
    assert first.keys() == second.keys()
    assert [key for key in first if first[key] != second[key]] == []


def test_shared_builders_build_what_fresh_ones_would(make_app):
    app = make_app()
    for rule in app.url_map.iter_rules():
        values = {
            name: _sample(rule._converters[name])
            for name in rule.arguments - set(rule.defaults or {})
        }
        for append_unknown, shared in ((False, rule._build), (True, rule._build_unknown)):
            fresh = compiled_routes._original(rule, append_unknown).__get__(rule, None)
            extra = {"page": 2} if append_unknown else {}
            assert shared(**values, **extra) == fresh(**values, **extra), rule.rule
