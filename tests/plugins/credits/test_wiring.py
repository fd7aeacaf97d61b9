"""The site without these plugins, each without the other, and the demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.credits.models import CreditEntry
from plugins.reports.models import Budget, LearningItem, Spending


def test_core_only_boots(make_app):
    app = make_app(plugins="")
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/credits/").status_code == 404


def test_reports_without_credits(make_app, make_user):
    app = make_app(plugins="reports")
    client = app.test_client()
    assert client.get("/reports/learn/").status_code == 200
    assert client.get("/reports/learn/feed.atom").status_code == 200


def test_credits_without_reports(make_app):
    app = make_app(plugins="credits")
    assert app.test_client().get("/credits/").status_code == 200


@pytest.mark.demo_town
def test_demo_data_twice_adds_nothing(app, runner):
    def counts():
        with app.app_context():
            return [
                _db.session.scalar(select(func.count()).select_from(model))
                for model in (CreditEntry, Budget, Spending, LearningItem)
            ]

    before = counts()
    assert all(before), before
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, second.output
    assert counts() == before


@pytest.mark.demo_town
def test_demo_reports_show_numbers(app, runner):
    from core.demo import demo_user
    from tests.conftest import log_in

    with app.app_context():
        manager = demo_user("programme_manager").id
    client = app.test_client()
    log_in(client, app, manager)
    for url in (
        "/reports/",
        "/reports/bulletin",
        "/reports/bulletin.xlsx",
        "/reports/assessment",
        "/reports/progress",
        "/reports/funds",
        "/reports/goals",
        "/reports/weights",
        "/reports/learn/",
        "/credits/",
        "/credits/rankings?start=2026-01-01",
        "/credits/rules",
        "/dashboard",
    ):
        assert client.get(url).status_code == 200, url
    html = client.get("/reports/funds").get_data(as_text=True)
    assert "低于标准" in html


def test_reports_with_no_metrics_at_all(make_app, make_user):
    """Reports alone: no plugin offers a metric, every page still answers."""
    from core import orgunits
    from core.models import OrgUnitKind
    from tests.conftest import log_in

    app = make_app(plugins="reports")
    with app.app_context():
        town = orgunits.create_unit(None, OrgUnitKind.town, "空镇")
        orgunits.create_unit(town, OrgUnitKind.village, "空村", population=100)
        _db.session.commit()
        town_id = town.id
    manager = make_user("programme_manager", town_id)
    client = app.test_client()
    log_in(client, app, manager)
    for url in (
        "/reports/",
        "/reports/bulletin",
        "/reports/bulletin.xlsx",
        "/reports/assessment",
        "/reports/progress",
        "/reports/goals",
        "/reports/weights",
        "/reports/funds",
    ):
        assert client.get(url).status_code == 200, url


def test_registered_service_satisfies_its_protocol(app, make_user):
    """``get_service("credits")`` is a CreditsService instance answering the Protocol's methods."""
    from core.plugins import get_service
    from plugins.credits import services
    from plugins.credits.hooks import CreditsService, CreditsServiceProtocol
    from plugins.credits.services import Source

    user_id = make_user()
    with app.app_context():
        service = get_service("credits", app)
        assert isinstance(service, CreditsService)
        assert isinstance(service, CreditsServiceProtocol)
        services.credit(user_id, "attendance", Source("calendar", "attendance", 1), "参加活动")
        assert service.balance(user_id) == 2
        assert service.household(user_id) == (None, [])
    assert not isinstance(object(), CreditsServiceProtocol)
