"""schemathesis against the app's own OpenAPI document, in-process (WSGI): every operation,
with a valid token of each role, gets no 5xx and every answer matches its documented schema,
status and content type. Bounded (a few derandomised examples per operation) to stay cheap."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_helpers import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 3
ROLES = ["resident", "volunteer", "lecturer", "village_coordinator"]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_every_operation_is_generated(api_schema):
    names = {f"{op.method.upper()} {op.path}" for op in _operations(api_schema)}
    assert len(names) >= 35
    assert "POST /api/v1/auth/token" in names and "GET /api/v1/calendar/agenda" in names


def _seed(app, town, user_id: int) -> None:
    """Something for lists to show: this week's night school and a notification."""
    from core import notify
    from core.extensions import db
    from plugins.calendar import services
    from tests.plugins.calendar.conftest import event_fields, local, next_weekday

    with app.app_context():
        category = services.ensure_categories()[0].id
        start = local(next_weekday(2, weeks_ahead=0))
        services.save_event(None, event_fields(category, town.village_a_id, start), None)
        notify.notify(user_id, "报名成功", "干部夜校")
        db.session.commit()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_conforms_for_each_role(app, api_schema, make_user, town, role):
    user_id = make_user(role, town.village_a_id)
    _seed(app, town, user_id)
    headers = bearer(app, user_id)
    failures = []
    for operation in _operations(api_schema):

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
