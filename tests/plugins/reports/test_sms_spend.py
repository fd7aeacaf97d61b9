"""The funds page shows what SMS cost, month by month (units handed to the provider)."""

from __future__ import annotations

from datetime import UTC, datetime

from core import notify
from core.extensions import db as _db
from core.models import NotificationDelivery


def test_the_funds_page_shows_sms_spend(app, client, login_as, town, make_user):
    user_id = make_user()
    with app.app_context():
        app.config["SMS_PRICE_YUAN"] = 0.05
        notification = notify.notify(user_id, "通知")
        for status, fee, day in (("sent", 2, 3), ("unknown", 1, 4), ("failed", 1, 5)):
            notification.deliveries.append(
                NotificationDelivery(
                    channel="sms",
                    status=status,
                    fee=fee,
                    handed_at=datetime(2026, 3, day, 4, 0, tzinfo=UTC),
                )
            )
        _db.session.commit()
    login_as("programme_manager", town.town_id)
    page = client.get("/reports/funds?year=2026").get_data(as_text=True)
    section = page[page.index('id="sms"') :]
    assert '<tr><td>3</td><td class="num">3</td><td class="num">0.15</td></tr>' in section
    empty = client.get("/reports/funds?year=2025").get_data(as_text=True)
    assert "这一年没有发过短信。" in empty
