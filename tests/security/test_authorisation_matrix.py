"""Every route of the core and every plugin, requested as every role, against the permission table.

The demo town is loaded; URL arguments are ids of village B's (渭溪村) objects. The coordinator
walking is village A's (黄土村): wherever a route acts on a village-B object that coordinator
must be refused. GETs are walked first, then POSTs (empty forms: a holder gets a page, a redirect
or a validation 400, never 403 or 500). A new route fails ``test_every_route_is_classified``
until it is added to ``TABLE`` (tests/security/route_classes.py).
"""

from __future__ import annotations

import pytest

from core.plugins import registry
from tests.conftest import log_in
from tests.security import walk
from tests.security.route_classes import TABLE

ROLES = list(walk.ROLE_PHONES)

#: Does the demo person walking with this role hold their roles on village B (or above it)?
COVERS_B = {
    "anonymous": False,
    "resident": True,
    "volunteer": False,  # 马寨村
    "lecturer": True,  # town
    "village_coordinator": False,  # 黄土村 (village A)
    "counsellor": True,  # 渭溪村 (village B)
    "mediator": True,
    "programme_manager": True,
    "site_admin": True,
}


#: Posts whose form names the unit acted on: an empty form names none, and the view refuses
#: with 403 ("another village's id typed into the form") even for a holder.
UNIT_NAMED_IN_FORM = {"lecturers.new_request"}


def _class(rule, method: str) -> str:
    entry = TABLE.get(f"{rule.endpoint} {rule.rule}", TABLE.get(rule.endpoint))
    if isinstance(entry, dict):
        return entry[method]
    return entry


def _allowed(cls: str, role: str, permissions) -> bool:
    if cls == "public":
        return True
    if role == "anonymous":
        return False
    if cls == "login":
        return True
    if cls.startswith("roles:"):
        return role in cls.removeprefix("roles:").split(",")
    scope, _, name = cls.partition(":")
    holds = role == "site_admin" or role in permissions[name].default_roles
    return holds and (scope == "any" or COVERS_B[role])


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return str(response.status_code)


def test_every_route_is_classified(app):
    names = {rule.endpoint for rule in walk.rules(app, "GET") + walk.rules(app, "POST")}
    missing = sorted(name for name in names if name not in TABLE)
    assert not missing, f"classify these routes in TABLE: {missing}"
    with app.app_context():
        declared = registry(app).permissions
    for entry in TABLE.values():
        for cls in entry.values() if isinstance(entry, dict) else [entry]:
            if cls.startswith(("any:", "b:")):
                assert cls.partition(":")[2] in declared, cls


def _walk(app, role: str):
    """Every GET then every POST route as ``role``, on this test's own copy of the demo town
    (so one role's posts never change what another role is answered)."""
    users = walk.user_ids(app)
    values = walk.argument_values(app)
    client = app.test_client()
    for method in ("GET", "POST"):
        for rule in walk.rules(app, method):
            url = walk.build_url(rule, values)
            if users[role]:
                log_in(client, app, users[role])  # again: a post may have logged them out
            try:
                response = client.get(url) if method == "GET" else client.post(url, data={})
                outcome = _outcome(response)
            except Exception as error:  # a 500 in testing mode
                outcome = f"500 {error!r}"
            yield method, rule, url, _class(rule, method), outcome


@pytest.mark.demo_town
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_what_the_permission_table_says(app, role):
    """One walk per role checked three ways: no 500, the table, village A."""
    with app.app_context():
        permissions = registry(app).permissions
    errors, wrong, leaks = [], [], []
    for method, rule, url, cls, outcome in _walk(app, role):
        where = f"{method} {url} ({cls}) as {role}"
        if outcome.startswith("5"):
            errors.append(f"{where}: {outcome}")
            continue
        on_b = cls.startswith("b:") or (cls.startswith("roles:") and role not in cls)
        if role == "village_coordinator" and on_b and outcome not in ("403", "404"):
            leaks.append(f"{where}: {outcome}")
        if _allowed(cls, role, permissions):
            refused = outcome in ("login", "403")
            if refused and method == "POST" and rule.endpoint in UNIT_NAMED_IN_FORM:
                refused = outcome == "login"
            if refused:
                wrong.append(f"{where}: refused with {outcome}")
        elif outcome not in ("login", "403", "404") or (outcome == "login") != (
            role == "anonymous"
        ):
            wrong.append(f"{where}: NOT refused ({outcome})")
    assert not errors, "answered 500:\n" + "\n".join(errors)
    assert not leaks, "village A's coordinator reached village B:\n" + "\n".join(leaks)
    assert not wrong, "\n".join(wrong)
