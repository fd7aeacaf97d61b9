"""Credit pages: my credits, a person's page (forbidden path), certificate, rankings, rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.extensions import db as _db
from plugins.credits import services
from plugins.credits.models import CreditRule
from plugins.credits.services import Source
from tests.conftest import log_in
from tests.plugins.reports.tabletext import table


def give(app, user_id, amount_times=1, when=datetime(2025, 5, 1, 2, tzinfo=UTC), kind="x"):
    with app.app_context():
        for n in range(amount_times):
            moment = when + timedelta(days=n)  # one a day: the daily cap is 20
            services.credit(user_id, "lecture", Source("test", kind, n), "授课：测试", moment)


def test_my_credits_and_certificate(client, login_as, app):
    user = login_as("resident", name="王大妈")
    give(app, user, 2)
    html = client.get("/credits/").get_data(as_text=True)
    assert "授课：测试" in html and ">20<" in html
    html = client.get("/credits/certificate").get_data(as_text=True)
    assert "王大妈" in html and "累计获得学分 20 分" in html


def test_anonymous_sees_rules(client):
    html = client.get("/credits/").get_data(as_text=True)
    assert "参加活动" in html and client.get("/credits/rankings").status_code == 302


def test_person_page_forbidden_path(client, login_as, make_user, town, app):
    resident_b = make_user(home_unit_id=town.village_b_id)
    give(app, resident_b)
    login_as("village_coordinator", town.village_a_id)
    assert client.get(f"/credits/people/{resident_b}").status_code == 403
    assert client.get(f"/credits/people/{resident_b}/certificate").status_code == 403
    assert client.get("/credits/people/99999").status_code == 404
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert client.get(f"/credits/people/{resident_b}").status_code == 200
    log_in(client, app, make_user("resident"))
    assert client.get(f"/credits/people/{resident_b}").status_code == 403


def test_rankings_by_person_and_village(client, login_as, make_user, town, app):
    a1 = make_user(home_unit_id=town.village_a_id, name="甲一")
    b1 = make_user(home_unit_id=town.village_b_id, name="乙一")
    b2 = make_user(home_unit_id=town.village_b_id, name="乙二")
    give(app, a1, 3)
    give(app, b1, 1)
    give(app, b2, 1)
    give(app, b2, 1, datetime(2024, 5, 1, tzinfo=UTC), kind="old")  # outside the period
    login_as("resident")
    html = client.get("/credits/rankings?start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert table(html, "rank-villages")[1:] == [["1", "甲村", "30", "1"], ["2", "乙村", "20", "2"]]
    assert table(html, "rank-people")[1:] == [
        ["1", "甲一", "甲村", "30"],
        ["2", "乙一", "乙村", "10"],
        ["3", "乙二", "乙村", "10"],
    ]
    response = client.get("/credits/rankings?start=2025-12-31&end=2025-01-01")
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


def test_rules_negative_cap_refused(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    assert client.get("/credits/rules").status_code == 200
    response = client.post(
        "/credits/rules/attendance",
        data={"attendance-amount": "5", "attendance-daily_cap": "-1", "attendance-active": "y"},
    )
    assert response.status_code == 400
    assert "每日上限不能为负数" in response.get_data(as_text=True)
    with app.app_context():
        rule = _db.session.scalar(
            select(CreditRule).where(CreditRule.activity_type == "attendance")
        )
        assert (rule.amount, rule.daily_cap) == (2, 6)
    response = client.post(
        "/credits/rules/attendance",
        data={"attendance-amount": "5", "attendance-daily_cap": "10", "attendance-monthly_cap": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        rule = _db.session.scalar(
            select(CreditRule).where(CreditRule.activity_type == "attendance")
        )
        assert (rule.amount, rule.daily_cap, rule.monthly_cap, rule.active) == (5, 10, None, False)
    assert client.post("/credits/rules/nosuch", data={}).status_code == 404


def test_rules_need_permission(client, login_as, town):
    login_as("village_coordinator", town.village_a_id)
    assert client.get("/credits/rules").status_code == 403
    assert (
        client.post("/credits/rules/attendance", data={"attendance-amount": "99"}).status_code
        == 403
    )


def test_dashboard_panel(client, login_as, app):
    user = login_as("resident")
    give(app, user)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "我的学分" in html and "<strong>10</strong>" in html


def test_households_group_family_credits(client, login_as, make_user, town, app):
    mother = make_user(home_unit_id=town.village_a_id, name="母亲")
    son = make_user(home_unit_id=town.village_a_id, name="儿子")
    stranger = make_user(home_unit_id=town.village_b_id, name="外村人")
    give(app, mother, 2)
    give(app, son, 1)
    give(app, stranger, 1)
    for user_id in (mother, son, stranger):
        log_in(client, app, user_id)
        assert client.post("/credits/household", data={"name": " 王家 "}).status_code == 302
    log_in(client, app, son)
    html = client.get("/credits/").get_data(as_text=True)
    assert "母亲：20" in html and "儿子：10" in html and "外村人" not in html
    assert client.post("/credits/household", data={"name": "x" * 51}).status_code == 302
    login_as("village_coordinator", town.village_a_id)
    html = client.get("/credits/households?start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert table(html, "rank-households")[1:] == [["1", "甲村", "王家", "2", "30"]]
    login_as("programme_manager", town.town_id)
    html = client.get("/credits/households?start=2025-01-01&end=2025-12-31").get_data(as_text=True)
    assert table(html, "rank-households")[1:] == [
        ["1", "甲村", "王家", "2", "30"],
        ["2", "乙村", "王家", "1", "10"],
    ]


def test_rankings_narrowed_to_a_unit(client, login_as, make_user, town, app):
    a1 = make_user(home_unit_id=town.village_a_id, name="甲一")
    b1 = make_user(home_unit_id=town.village_b_id, name="乙一")
    give(app, a1)
    give(app, b1)
    login_as("resident")
    html = client.get(
        f"/credits/rankings?unit={town.village_b_id}&start=2025-01-01&before=2026-01-01"
    ).get_data(as_text=True)
    assert table(html, "rank-people")[1:] == [["1", "乙一", "乙村", "10"]]
    assert client.get("/credits/rankings?unit=99999").status_code == 404


def test_people_list_only_own_villages(client, login_as, make_user, town, app):
    a1 = make_user(home_unit_id=town.village_a_id, name="甲一")
    make_user(home_unit_id=town.village_b_id, name="乙一")
    give(app, a1)
    login_as("village_coordinator", town.village_a_id, name="甲村书记")
    html = client.get("/credits/people").get_data(as_text=True)
    rows = table(html, "people")
    assert ["甲一", "甲村", "10", "打印"] in rows
    assert "乙一" not in html
    assert (
        table(client.get("/credits/people?q=书记").get_data(as_text=True), "people")[1][0]
        == "甲村书记"
    )
    login_as("resident")
    assert client.get("/credits/people").status_code == 403
