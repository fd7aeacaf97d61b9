"""Regression tests for faults found by the security walk (each once answered 500)."""

from __future__ import annotations

from decimal import Decimal

from core.extensions import db as _db


def test_weights_post_missing_fields_with_stored_weights_is_400_not_500(
    app, client, login_as, town
):
    """Stored weights come back as floats; a post leaving a field out once added float+Decimal."""
    from plugins.reports import services
    from plugins.reports.models import AssessmentWeight

    with app.app_context():
        services.save_weights(2025, {"calendar.events_held": Decimal("60")})
        _db.session.commit()
    login_as("programme_manager", town.town_id)
    response = client.post("/reports/weights?year=2025", data={})
    assert response.status_code in (200, 400)
    with app.app_context():
        stored = _db.session.scalars(_db.select(AssessmentWeight.weight)).all()
    assert stored == [Decimal("60")]
