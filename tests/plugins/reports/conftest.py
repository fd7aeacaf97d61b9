import pytest

from tests.plugins.reports.fixtures import FakeMetrics, open_centre_a, send_credits


@pytest.fixture
def app(make_app):
    """Only credits and reports, plus the known metrics: built-in metric keys cannot collide."""
    return make_app(plugins="credits,reports", extra_plugins=[FakeMetrics()])


@pytest.fixture
def known(app, town, make_user):
    """The known activities plus the credits sent by signal; returns the two residents."""
    open_centre_a(app, town)
    return send_credits(app, town, make_user)
