"""Report metrics roll up to ancestors; manager reports and the XLSX export."""

from datetime import date, timedelta
from io import BytesIO

from core.extensions import db
from core.plugins import registry
from core.timeutil import utcnow
from plugins.volunteers import attendance, services
from plugins.volunteers.models import Shift


def _served(app, make_shift, make_volunteer, unit_id, hours):
    shift_id, (role_id,) = make_shift(unit_id=unit_id)
    user = make_volunteer(unit_id=unit_id)
    with app.app_context():
        assignment = services.sign_up(role_id, user)
        shift = db.session.get(Shift, shift_id)
        shift.starts_at = utcnow() - timedelta(hours=3)
        shift.ends_at = utcnow() - timedelta(hours=1)
        db.session.flush()
        attendance.confirm_hours(assignment.id, hours, user)
        db.session.commit()
    return user


def test_metrics_include_descendants(app, town, make_shift, make_volunteer):
    _served(app, make_shift, make_volunteer, town.village_a_id, 2)
    _served(app, make_shift, make_volunteer, town.village_b_id, 1.5)
    with app.app_context():
        today = date.today()
        groups = registry().hook.report_metrics(
            unit_ids=[town.town_id, town.village_a_id, town.school_id],
            start=today - timedelta(days=2),
            end=today + timedelta(days=2),
        )
        metrics = {m.key: m for group in groups for m in group}
    hours = metrics["volunteers.hours"]
    assert hours.values == {town.town_id: 3.5, town.village_a_id: 2.0, town.school_id: 0}
    assert hours.unit == "小时" and hours.evidence_endpoint == "volunteers.report_hours"
    assert metrics["volunteers.mediation_sessions"].unit == "场"


def test_hours_report_and_xlsx(app, client, town, make_shift, make_volunteer, login_as):
    _served(app, make_shift, make_volunteer, town.village_a_id, 2)
    login_as("programme_manager", town.town_id)
    page = client.get("/volunteers/reports/hours").get_data(as_text=True)
    assert "按志愿者" in page and "合计 2.0 小时" in page
    response = client.get("/volunteers/reports/hours?format=xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames[:2] == ["服务记录", "按志愿者"]
    assert book["服务记录"].max_row == 2
    assert "甲村" in client.get("/volunteers/reports/roster").get_data(as_text=True)
    evidence = f"/volunteers/reports/hours?unit_id={town.village_a_id}"
    assert client.get(evidence).status_code == 200
    assert client.get("/volunteers/reports/mediation").status_code == 200


def test_reports_forbidden(app, client, town, login_as):
    login_as("volunteer", town.village_a_id)
    assert client.get("/volunteers/reports/hours").status_code == 403
    login_as("village_coordinator", town.village_a_id)
    assert client.get(f"/volunteers/reports/hours?unit_id={town.village_b_id}").status_code == 403
