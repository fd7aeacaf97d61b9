"""Written rules: safe Markdown, versions with who and when, earlier versions readable,
linked from the volunteer sign-up and the assessment page, editing refused without permission."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from tests.conftest import log_in


@pytest.fixture
def app(make_app):
    return make_app(plugins="calendar,volunteers,reports,steering")


def _count(app):
    from plugins.steering.models import RuleVersion

    with app.app_context():
        return _db.session.scalar(select(func.count(RuleVersion.id)))


def test_versions_history_and_safe_markdown(app, client, staff):
    log_in(client, app, staff.manager)
    url = "/steering/rules/volunteer_rules"
    first = client.post(
        f"{url}/edit",
        data={"body": "# 总则\n\n- 自愿参加\n- 每年服务不少于 20 小时", "note": "初稿"},
    )
    assert first.status_code == 302
    second = client.post(
        f"{url}/edit",
        data={
            "body": "# 总则\n\n- 自愿参加\n- 每年服务不少于 30 小时\n\n<script>alert(1)</script>\n[x](javascript:alert(1))",
            "note": "提高服务时长",
        },
    )
    assert second.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<h1>总则</h1>" in page and "<li>每年服务不少于 30 小时</li>" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page
    assert "第 2 版" in page and "管理员甲" in page
    old = client.get(f"{url}/v/1").get_data(as_text=True)
    assert "每年服务不少于 20 小时" in old and "这是旧版本。" in old
    history = client.get(f"{url}/history").get_data(as_text=True)
    assert "<del>- - 每年服务不少于 20 小时</del>" in history
    assert "<ins>+ - 每年服务不少于 30 小时</ins>" in history
    assert "提高服务时长" in history and "初稿" in history
    assert client.get(f"{url}/v/9").status_code == 404
    assert client.get("/steering/rules/no_such_rule").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "请填写制度内容。"),
        ("同样的内容", "内容没有变化，未保存新版本。"),
        ("字" * 20_001, "不能超过 20000 字"),
    ],
    ids=["empty", "unchanged", "too-long"],
)
def test_bad_rule_edits_save_nothing(app, client, staff, body, message):
    log_in(client, app, staff.manager)
    client.post("/steering/rules/fund_rules/edit", data={"body": "同样的内容"})
    before = _count(app)
    response = client.post("/steering/rules/fund_rules/edit", data={"body": body})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app) == before


@pytest.mark.parametrize("who", ["coordinator_a", "counsellor_a", "resident", "village_manager"])
def test_editing_a_rule_without_permission_is_refused(app, client, staff, town, make_user, who):
    user = (
        make_user("programme_manager", town.village_a_id)  # a manager of one village only
        if who == "village_manager"
        else getattr(staff, who)
    )
    log_in(client, app, user)
    response = client.post("/steering/rules/manager_duties/edit", data={"body": "# 职责"})
    assert response.status_code == 403
    assert client.get("/steering/rules/manager_duties/edit").status_code == 403
    assert _count(app) == 0


def test_visitors_read_rules_but_are_sent_to_log_in_to_edit(app, client, staff):
    assert client.get("/steering/rules").status_code == 200
    assert "尚未制定" in client.get("/steering/rules/counsellor_duties").get_data(True)
    assert (
        client.post("/steering/rules/counsellor_duties/edit", data={"body": "x"}).status_code == 302
    )
    assert _count(app) == 0


def test_rules_linked_from_the_places_they_govern(app, client, staff):
    log_in(client, app, staff.manager)
    assert "steering-rule-" not in client.get("/reports/assessment").get_data(True)
    client.post("/steering/rules/volunteer_rules/edit", data={"body": "志愿者守则"})
    client.post("/steering/rules/assessment_method/edit", data={"body": "考核办法"})
    assessment = client.get("/reports/assessment").get_data(as_text=True)
    assert 'href="/steering/rules/assessment_method"' in assessment
    log_in(client, app, staff.resident)
    signup = client.get("/volunteers/profile").get_data(as_text=True)
    assert 'href="/steering/rules/volunteer_rules"' in signup and "第 1 版" in signup


def test_rules_pages_in_english(app, client):
    client.post("/language", data={"locale": "en"})
    page = client.get("/steering/rules").get_data(as_text=True)
    assert "Duties of community-education counsellors" in page and "Not written yet" in page
