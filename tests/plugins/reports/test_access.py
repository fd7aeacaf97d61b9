"""Who sees what, and bad input refused with a message and nothing changed."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.reports.models import AssessmentWeight, Budget, Spending
from tests.conftest import log_in
from tests.plugins.reports.tabletext import table

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def count(app, model):
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(model))


def test_resident_and_anonymous_are_kept_out(client, login_as, town):
    assert client.get("/reports/").status_code == 302  # to the login page
    login_as("resident")
    for url in ("/reports/", "/reports/bulletin", "/reports/assessment", "/reports/funds"):
        assert client.get(url).status_code == 403
    assert client.get("/reports/goals").status_code == 403
    assert client.get("/reports/learn/").status_code == 200  # 指尖学习 is for everyone


def test_coordinator_sees_only_own_village(client, login_as, town, known):
    login_as("village_coordinator", town.village_a_id)
    html = client.get("/reports/bulletin?start=2025-01-01&end=2025-03-31").get_data(as_text=True)
    rows = table(html, "bulletin")
    assert [row[1] for row in rows[1:]] == ["甲村"]  # no other village, no town total
    assert rows[1][-1] == "1"  # but the rank is among all villages
    assert client.get(f"/reports/units/{town.village_a_id}").status_code == 200
    assert client.get(f"/reports/units/{town.village_b_id}").status_code == 403
    assert client.get(f"/reports/units/{town.town_id}").status_code == 403
    assert client.get(f"/reports/funds/{town.village_b_id}").status_code == 403
    assert client.get("/reports/units/99999").status_code == 404
    html = client.get("/reports/").get_data(as_text=True)
    assert "乙村" not in html


def test_coordinator_cannot_spend_for_another_village(client, login_as, town, app):
    login_as("village_coordinator", town.village_a_id)
    response = client.post(
        f"/reports/funds/{town.village_b_id}/spending",
        data={"spend-spent_on": "2025-03-01", "spend-category": "activity", "spend-amount": "10"},
    )
    assert response.status_code == 403
    assert count(app, Spending) == 0
    # the coordinator may record their own village's spending, but not set its budget
    response = client.post(
        f"/reports/funds/{town.village_a_id}/spending?year=2025",
        data={
            "spend-spent_on": "2025-03-01",
            "spend-category": "materials",
            "spend-amount": "10",
            "spend-receipt": (BytesIO(PDF), "receipt.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = client.post(
        f"/reports/funds/{town.village_a_id}/budget", data={"budget-amount": "5"}
    )
    assert response.status_code == 403
    assert count(app, Budget) == 0


def test_receipts_only_for_allowed_users(client, login_as, make_user, town, app):
    manager = login_as("programme_manager", town.town_id)
    response = client.post(
        f"/reports/funds/{town.village_b_id}/spending?year=2025",
        data={
            "spend-spent_on": "2025-03-01",
            "spend-category": "activity",
            "spend-amount": "10",
            "spend-receipt": (BytesIO(PDF), "r.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        spending = _db.session.scalars(select(Spending)).one()
        spending_id, stored = spending.id, spending.receipt_file
    assert stored.endswith(".pdf") and "r.pdf" not in stored
    response = client.get(f"/reports/funds/receipts/{spending_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    assert client.get(f"/reports/funds/receipts/{spending_id}").status_code == 403
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert client.get(f"/reports/funds/receipts/{spending_id}").status_code == 200
    log_in(client, app, manager)
    assert client.get("/reports/funds/receipts/9999").status_code == 404


def test_receipt_checked_by_content(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    response = client.post(
        f"/reports/funds/{town.village_a_id}/spending",
        data={
            "spend-spent_on": "2025-03-01",
            "spend-category": "activity",
            "spend-amount": "10",
            "spend-receipt": (BytesIO(b"<html><script>x</script>"), "fake.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "只接受 PDF、JPG 或 PNG 文件" in response.get_data(as_text=True)
    assert count(app, Spending) == 0


def test_negative_or_zero_spending_refused(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    for amount in ("-50", "0", "abc"):
        response = client.post(
            f"/reports/funds/{town.village_a_id}/spending",
            data={
                "spend-spent_on": "2025-03-01",
                "spend-category": "activity",
                "spend-amount": amount,
            },
        )
        assert response.status_code == 400
    assert "不能为负数" in response.get_data(as_text=True) or "金额" in response.get_data(
        as_text=True
    )
    assert count(app, Spending) == 0
    response = client.post(
        f"/reports/funds/{town.village_a_id}/budget", data={"budget-amount": "-1"}
    )
    assert response.status_code == 400
    assert "预算不能为负数" in response.get_data(as_text=True)
    assert count(app, Budget) == 0


def test_weights_must_sum_to_100(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    response = client.post(
        "/reports/weights?year=2025",
        data={"calendar__events_held": "50", "volunteers__hours": "30"},
    )
    assert response.status_code == 400
    assert "各项权重之和必须等于 100%，现在是 80%" in response.get_data(as_text=True)
    assert count(app, AssessmentWeight) == 0
    response = client.post("/reports/weights?year=2025", data={"calendar__events_held": "-10"})
    assert response.status_code == 400
    assert count(app, AssessmentWeight) == 0


def test_period_end_before_start(client, login_as, town, known):
    login_as("programme_manager", town.town_id)
    for url in ("/reports/", "/reports/bulletin"):
        response = client.get(url, query_string={"start": "2025-03-01", "end": "2025-01-01"})
        assert response.status_code == 200
        assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    response = client.get("/reports/bulletin.xlsx?start=2025-03-01&end=2025-01-01")
    assert response.status_code == 200  # falls back to this year, never a 500
    response = client.get("/reports/assessment?year=abc")
    assert response.status_code == 200


def test_manager_forms_refuse_missing_csrf(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    response = client.post(
        "/reports/weights?year=2025", data={"calendar__events_held": "100"}, csrf=False
    )
    assert response.status_code == 400
    assert count(app, AssessmentWeight) == 0


def test_counsellor_views_but_cannot_manage(client, login_as, town, known):
    login_as("counsellor", town.town_id)
    assert client.get("/reports/bulletin").status_code == 200
    assert client.get("/reports/goals").status_code == 403
    assert client.post("/reports/weights", data={"calendar__events_held": "100"}).status_code == 403


def test_audit_rows_for_staff_changes(client, login_as, town, app):
    from core.models import AuditLog

    login_as("programme_manager", town.town_id)
    client.post("/reports/weights?year=2025", data={"calendar__events_held": "100"})
    client.post(f"/reports/funds/{town.village_a_id}/budget?year=2025", data={"budget-amount": "9"})
    with app.app_context():
        actions = set(_db.session.scalars(select(AuditLog.action)))
    assert {"reports.weights_set", "reports.budget_set"} <= actions


def test_delete_spending_manager_only(client, login_as, make_user, town, app):
    manager = login_as("programme_manager", town.town_id)
    client.post(
        f"/reports/funds/{town.village_a_id}/spending",
        data={"spend-spent_on": "2025-03-01", "spend-category": "activity", "spend-amount": "10"},
    )
    with app.app_context():
        spending_id = _db.session.scalars(select(Spending.id)).one()
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    assert client.post(f"/reports/funds/spending/{spending_id}/delete").status_code == 403
    assert count(app, Spending) == 1
    log_in(client, app, manager)
    assert client.post(f"/reports/funds/spending/{spending_id}/delete").status_code == 302
    assert count(app, Spending) == 0
    assert client.post(f"/reports/funds/spending/{spending_id}/delete").status_code == 404


def test_weights_form_shows_field_errors_and_the_sum_together(client, login_as, town, app):
    """A weight out of range and a wrong sum: both messages on one answer, nothing saved."""
    login_as("programme_manager", town.town_id)
    response = client.post(
        "/reports/weights?year=2025",
        data={"calendar__events_held": "150", "volunteers__hours": "30"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "权重应在 0 到 100 之间。" in page
    assert "各项权重之和必须等于 100%，现在是 180%。" in page
    assert count(app, AssessmentWeight) == 0
