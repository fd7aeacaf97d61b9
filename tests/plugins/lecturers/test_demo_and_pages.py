"""Demo data loads twice without adding anything, and every page renders for each demo role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from tests.conftest import log_in


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.demo_town
def test_demo_data_is_idempotent_and_covers_every_state(app, runner):
    from plugins.lecturers.models import Lecturer, Topic
    from plugins.lecturers.requests.models import STATES, LectureRequest

    with app.app_context():
        counts = (_count(Lecturer), _count(Topic), _count(LectureRequest))
        states = set(_db.session.scalars(select(LectureRequest.state)))
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (_count(Lecturer), _count(Topic), _count(LectureRequest)) == counts
        assert states == set(STATES)
        doctor = _db.session.scalar(
            select(Lecturer).join(Lecturer.user).where(Lecturer.user.has(phone="13800000007"))
        )
        mine = _db.session.scalar(
            select(func.count(LectureRequest.id)).where(LectureRequest.lecturer_id == doctor.id)
        )
        assert mine >= 3


@pytest.mark.demo_town
def test_pages_render_for_demo_people(app, runner, client):
    from core.models import User
    from plugins.lecturers.requests.models import LectureRequest

    with app.app_context():
        people = {u.phone: u.id for u in _db.session.scalars(select(User))}
        request_ids = list(_db.session.scalars(select(LectureRequest.id)))
    public = ["/lectures/", "/lectures/topics", "/lectures/corps"]
    for url in public:
        assert client.get(url).status_code == 200, url
    pages = [
        "/lectures/",
        "/lectures/topics",
        "/lectures/corps",
        "/lectures/requests",
        "/lectures/manage",
        "/lectures/reports/coverage",
        "/lectures/reports/coverage?period=year",
        "/lectures/reports/coverage.xlsx",
        "/lectures/mine",
        "/lectures/requests/new",
        "/lectures/corps/apply",
        "/lectures/corps/recommend",
        "/lectures/topics/new",
        "/dashboard",
        *[f"/lectures/requests/{i}" for i in request_ids],
    ]
    for phone in ("13800000002", "13800000005", "13800000007", "13800000003", "13800000001"):
        log_in(client, app, people[phone])
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (phone, url, response.status_code)
    log_in(client, app, people["13800000002"])
    for url in pages:
        expected = (403,) if url == "/lectures/requests/new" else (200, 302)
        assert client.get(url).status_code in expected, url


def test_english_catalog(app, client):
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.get("/lectures/")
    assert "Topic menu" in page.text and "Lecturers" in page.text
