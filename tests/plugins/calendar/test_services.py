"""The ``calendar`` and ``calendar_holdings`` services: instances of classes that satisfy the
Protocols in ``hooks.py`` and offer every method the rest of the site calls on them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.plugins import get_service
from plugins.calendar.hooks import (
    CalendarService,
    CalendarServiceProtocol,
    HoldingsService,
    HoldingsServiceProtocol,
)

ROOT = Path(__file__).resolve().parents[3]
SERVICES = {
    "calendar": (CalendarService, CalendarServiceProtocol),
    "calendar_holdings": (HoldingsService, HoldingsServiceProtocol),
}


def _public(cls) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def called_methods(service: str) -> set[str]:
    """Methods called on ``get_service(service)`` anywhere outside the calendar's own code."""
    assigned = re.compile(rf"(\w+)\s*=\s*get_service\(\"{service}\"\)")
    found: set[str] = set()
    folders = [ROOT / "core", ROOT / "plugins", ROOT / "tests"]
    for path in (p for folder in folders for p in folder.rglob("*.py")):
        if "calendar" in path.relative_to(ROOT).parts[:3]:
            continue
        text = path.read_text(encoding="utf-8")
        for name in set(assigned.findall(text)):
            found.update(re.findall(rf"\b{name}\.(\w+)\(", text))
        found.update(re.findall(rf"get_service\(\"{service}\"\)\.(\w+)\(", text))
    return found


def test_the_scan_sees_the_known_callers():
    # The volunteers' shift link and learning's lesson link; core's digest; steering's checklist.
    assert {"upcoming_events", "occurrences_between"} <= called_methods("calendar")
    assert called_methods("calendar_holdings") == {"unit_holdings"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_registered_service_satisfies_its_protocol(app, name):
    cls, protocol = SERVICES[name]
    with app.app_context():
        service = get_service(name)
    assert type(service) is cls
    assert isinstance(service, protocol)
    # Exactly what the Protocol names: nothing private leaks through the service.
    assert _public(cls) == _public(protocol)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_method_called_elsewhere_exists(app, name):
    _cls, protocol = SERVICES[name]
    with app.app_context():
        service = get_service(name)
    for method in called_methods(name):
        assert callable(getattr(service, method, None)), f"{name}.{method} is missing"
        assert hasattr(protocol, method), f"{name}.{method} is not in the Protocol"
