"""Awards: nominations with evidence checked by content, judges, conflicts, results."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import User
from plugins.competitions.models_awards import AwardRound, Evidence, JudgeScore, Nomination
from tests.conftest import log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _round(app, client, town, login_as):
    manager_id = login_as("programme_manager", town.town_id)
    response = client.post(
        "/contests/awards/new",
        data={
            "title": "2026年度学习型家庭评比",
            "award_type": "learning_family",
            "year": 2026,
            "winners_count": 1,
            "criteria": "学习氛围 60\n带动作用 40",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return _db.session.scalar(select(AwardRound.id)), manager_id


def test_bad_criteria_refused(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    response = client.post(
        "/contests/awards/new",
        data={
            "title": "x",
            "award_type": "learning_family",
            "year": 2026,
            "winners_count": 1,
            "criteria": "学习氛围 60\n带动作用 30",
        },
    )
    assert "合计必须等于 100" in response.get_data(as_text=True)


def test_nominate_judge_conflict_publish(app, client, town, login_as, make_user):
    round_id, manager_id = _round(app, client, town, login_as)
    login_as("village_coordinator", town.village_a_id)
    # A village may nominate only within its own unit.
    forbidden = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={"nominee_name": "乙村某户", "nominee_unit_id": town.village_b_id, "reason": "好"},
    )
    assert forbidden.status_code == 200 and "has-error" in forbidden.get_data(as_text=True)
    junk = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={
            "nominee_name": "王家",
            "nominee_unit_id": town.village_a_id,
            "reason": "全家爱学习",
            "evidence": (io.BytesIO(b"MZ\x90\x00 an exe"), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert "只接受 PDF、PNG 或 JPEG" in junk.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Nomination.id))) == 0
    response = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={
            "nominee_name": "王家",
            "nominee_unit_id": town.village_a_id,
            "reason": "全家爱学习",
            "evidence": (io.BytesIO(PNG), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        nomination_id = _db.session.scalar(select(Nomination.id))
        evidence_id = _db.session.scalar(select(Evidence.id))
    assert client.get(f"/contests/awards/evidence/{evidence_id}").data == PNG
    # Village B's coordinator sees neither the nomination nor its file.
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/contests/awards/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/contests/awards/nominations/{nomination_id}").status_code == 404
    # Judges: one from village A (conflict), one from village B.
    judge_a = make_user("resident", town.village_a_id, phone="13700000001")
    judge_b = make_user("resident", town.village_b_id, phone="13700000002")
    log_in(client, app, manager_id)
    for phone in ("13700000001", "13700000002"):
        client.post(f"/contests/awards/{round_id}/judges", data={"phone": phone})
    client.post(f"/contests/awards/{round_id}/state", data={"state": "judging"})
    log_in(client, app, judge_a)
    refused = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "90", "c1": "90"}
    )
    assert refused.status_code == 400 and "回避" in refused.get_data(as_text=True)
    log_in(client, app, judge_b)
    bad = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "190", "c1": "1"}
    )
    assert bad.status_code == 400
    ok = client.post(f"/contests/awards/nominations/{nomination_id}", data={"c0": "90", "c1": "80"})
    assert ok.status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(func.count(JudgeScore.id))) == 1
        assert _db.session.scalar(select(JudgeScore.weighted)) == 86.0
    # Only managers publish; then certificates print.
    assert (
        client.post(f"/contests/awards/{round_id}/state", data={"state": "published"}).status_code
        == 403
    )
    log_in(client, app, manager_id)
    client.post(f"/contests/awards/{round_id}/state", data={"state": "published"})
    with app.app_context():
        nomination = _db.session.get(Nomination, nomination_id)
        assert nomination.final_score == 86.0 and nomination.rank == 1
    certificates = client.get(f"/contests/awards/{round_id}/certificates").get_data(as_text=True)
    assert "荣誉证书" in certificates and "王家" in certificates
    # Judging is over: scores refused.
    log_in(client, app, judge_b)
    late = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "10", "c1": "10"}
    )
    assert late.status_code == 400
    with app.app_context():
        assert _db.session.get(User, judge_b) is not None
        assert _db.session.scalar(select(JudgeScore.weighted)) == 86.0


def test_not_a_judge_cannot_score(app, client, town, login_as):
    round_id, _ = _round(app, client, town, login_as)
    client.post(
        f"/contests/awards/{round_id}/nominate",
        data={"nominee_name": "李家", "nominee_unit_id": town.village_b_id, "reason": "好"},
    )
    client.post(f"/contests/awards/{round_id}/state", data={"state": "judging"})
    with app.app_context():
        nomination_id = _db.session.scalar(select(Nomination.id))
    login_as("resident", town.village_a_id)
    assert (
        client.post(
            f"/contests/awards/nominations/{nomination_id}", data={"c0": "1", "c1": "1"}
        ).status_code
        == 404
    )
