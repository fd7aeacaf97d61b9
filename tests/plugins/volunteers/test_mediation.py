"""People's mediation: request, privacy (404 for others), scheduling, recusal, outcome."""

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db
from core.timeutil import to_local, utcnow
from plugins.volunteers.mediation.models import MediationCase
from tests.conftest import log_in

SECRET = "两家因宅基地边界吵架"


def _request(client, town):
    return client.post(
        "/volunteers/mediation/new",
        data={
            "org_unit_id": town.village_a_id,
            "dispute_type": "land",
            "parties_count": "2",
            "parties": "张三\n李四",
            "party_villages": [town.village_b_id],
            "preferred_times": "周末",
            "description": SECRET,
        },
        follow_redirects=True,
    )


def _case_id(app):
    with app.app_context():
        return db.session.scalar(select(MediationCase.id))


def test_privacy_of_a_case(app, client, town, make_user, login_as):
    requester = login_as("resident", town.village_a_id)
    assert SECRET in _request(client, town).get_data(as_text=True)
    case_id = _case_id(app)
    url = f"/volunteers/mediation/{case_id}"
    # another resident, a coordinator of the same village and a volunteer: 404, as if absent
    for role in ("resident", "village_coordinator", "volunteer", "programme_manager"):
        log_in(client, app, make_user(role, town.village_a_id))
        assert client.get(url).status_code == 404, role
        assert SECRET not in client.get("/volunteers/mediation").get_data(as_text=True)
    # the justice office (mediator role at the town) and site admins see it
    for role in ("mediator", "site_admin"):
        log_in(client, app, make_user(role, town.town_id))
        page = client.get(url).get_data(as_text=True)
        assert SECRET in page and "张三" in page
    log_in(client, app, requester)
    assert SECRET in client.get(url).get_data(as_text=True)
    assert client.get("/volunteers/mediation/9999").status_code == 404


def test_schedule_recusal_and_outcome(app, client, town, make_user, login_as):
    login_as("resident", town.village_a_id)
    _request(client, town)
    case_id = _case_id(app)
    same_village = make_user("mediator", town.justice_id, home_unit_id=town.village_b_id)
    office = login_as("mediator", town.town_id, home_unit_id=town.village_a_id)
    start = to_local(utcnow() + timedelta(days=2)).replace(tzinfo=None)
    data = {
        "s-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "s-ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "s-venue": "司法所调解室",
        "s-mediators": [same_village],
    }
    bad = dict(data, **{"s-ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    page = client.post(f"/volunteers/mediation/{case_id}/schedule", data=bad, follow_redirects=True)
    assert "结束时间必须晚于开始时间" in page.get_data(as_text=True)
    page = client.post(
        f"/volunteers/mediation/{case_id}/schedule", data=data, follow_redirects=True
    )
    text = page.get_data(as_text=True)
    assert "应回避" in text
    with app.app_context():
        case = db.session.get(MediationCase, case_id)
        assert case.state == "scheduled" and case.mediators[0].conflict
        row_id, sequence = case.mediators[0].id, case.sequence
    # the assigned mediator sees the private detail
    log_in(client, app, same_village)
    assert SECRET in client.get(f"/volunteers/mediation/{case_id}").get_data(as_text=True)
    log_in(client, app, office)
    client.post(
        f"/volunteers/mediation/{case_id}/recuse",
        data={"r-mediator_row_id": row_id, "r-reason": "同村回避"},
    )
    replacement = make_user("mediator", town.justice_id)
    with app.app_context():
        from core.models import User

        db.session.get(User, replacement).home_unit_id = None  # lives outside both villages
        db.session.commit()
    client.post(
        f"/volunteers/mediation/{case_id}/schedule",
        data=dict(data, **{"s-mediators": [replacement]}),
    )
    with app.app_context():
        case = db.session.get(MediationCase, case_id)
        active = [(m.user_id, m.conflict) for m in case.active_mediators]
        assert active == [(replacement, False)] and case.sequence > sequence
    # the recused mediator no longer sees it
    log_in(client, app, same_village)
    assert client.get(f"/volunteers/mediation/{case_id}").status_code == 404
    log_in(client, app, office)
    page = client.post(
        f"/volunteers/mediation/{case_id}/outcome",
        data={"o-outcome": "resolved", "o-note": "", "o-follow_up_on": ""},
        follow_redirects=True,
    )
    assert "尚未开始" in page.get_data(as_text=True)
    with app.app_context():
        case = db.session.get(MediationCase, case_id)
        case.starts_at = utcnow() - timedelta(hours=3)
        case.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    client.post(
        f"/volunteers/mediation/{case_id}/outcome",
        data={"o-outcome": "partly", "o-note": "部分达成", "o-follow_up_on": "2027-01-10"},
    )
    with app.app_context():
        case = db.session.get(MediationCase, case_id)
        assert case.state == "concluded" and case.outcome == "partly"
        assert str(case.follow_up_on) == "2027-01-10"
    # a concluded case cannot be cancelled; the page says why, nothing changes
    page = client.post(f"/volunteers/mediation/{case_id}/cancel", follow_redirects=True)
    assert "不能取消调解" in page.get_data(as_text=True)
    with app.app_context():
        from core.models import AuditLog

        assert db.session.get(MediationCase, case_id).state == "concluded"
        audits = db.session.execute(select(AuditLog.action, AuditLog.summary)).all()
        assert [a for a, _ in audits if a.startswith("volunteers.")] == [
            "volunteers.mediation_scheduled",
            "volunteers.mediator_recused",
            "volunteers.mediation_scheduled",
            "volunteers.mediation_concluded",
        ]
        assert not any(SECRET in summary for _, summary in audits)  # the case stays private


def test_resident_cannot_schedule(app, client, town, login_as):
    login_as("resident", town.village_a_id)
    _request(client, town)
    case_id = _case_id(app)
    response = client.post(f"/volunteers/mediation/{case_id}/schedule", data={"s-venue": "x"})
    assert response.status_code == 403
    login_as("resident", town.village_a_id)
    assert client.post(f"/volunteers/mediation/{case_id}/cancel").status_code == 404


def test_request_bad_input(app, client, town, login_as):
    login_as("resident", town.village_a_id)
    page = client.post(
        "/volunteers/mediation/new",
        data={"org_unit_id": town.village_a_id, "dispute_type": "land", "parties_count": "1"},
    ).get_data(as_text=True)
    assert "当事人数应在 2 到 50 之间" in page and "此项必填" in page
    with app.app_context():
        assert db.session.scalar(select(MediationCase.id)) is None
