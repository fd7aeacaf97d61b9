"""The demonstration standard: weights summing to 100, self-assessment, the town's score fed
by a report figure, history and milestones on the progress page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db
from core.hookspecs import hookimpl
from core.hooktypes import Metric
from core.plugins import Plugin
from tests.conftest import log_in

YEAR = 2026


class Opened(Plugin):
    """One known figure: village A held 6 open days, every other unit none."""

    name = "openedfigure"
    title = "测试指标"
    village_a = 0

    @hookimpl
    def report_metrics(self, unit_ids, start, end):
        values = {uid: (6 if uid == Opened.village_a else 0) for uid in unit_ids}
        return [Metric("test.open_days", "开放日", values, "次")]


@pytest.fixture
def app(make_app):
    return make_app(plugins="calendar,reports,steering", extra_plugins=[Opened()])


def _rows(*rows):
    data = {}
    for index, row in enumerate(rows):
        for key, value in zip(
            ("title", "points", "evidence", "metric_key", "metric_target"), row, strict=False
        ):
            data[f"rows-{index}-{key}"] = value
    return data


GOOD = _rows(
    ("学习中心阵地建设", "40", "照片、制度上墙"),
    ("每月开放日", "60", "", "test.open_days", "12"),
)


def _items(client):
    return client.post(f"/steering/standard/items?year={YEAR}", data=GOOD)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_rows(("阵地", "40"), ("开放日", "50")), "各项分值合计须为 100 分，现在是 90 分。"),
        (_rows(("阵地", "")), "请填写分值。"),
        (_rows(("阵地", "100", "", "no.such", "3")), "引用的统计指标不存在。"),
        (_rows(("阵地", "100", "", "test.open_days", "")), "引用统计指标时请填写满分所需的数值。"),
        (_rows(("阵地", "120")), "每项分值应在 1 到 100 之间。"),
        ({}, "请至少填写一项评估内容。"),
    ],
    ids=["sum-90", "no-points", "unknown-metric", "metric-no-target", "too-many", "empty"],
)
def test_bad_standards_are_refused(app, client, staff, data, message):
    from plugins.steering.models import StandardItem

    log_in(client, app, staff.manager)
    response = client.post(f"/steering/standard/items?year={YEAR}", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(StandardItem.id))) == 0


def test_self_assessment_town_score_history_and_milestones(app, client, staff, town):
    from plugins.steering.models import StandardItem

    Opened.village_a = town.village_a_id
    log_in(client, app, staff.manager)
    assert _items(client).status_code == 302
    with app.app_context():
        build, monthly = _db.session.scalars(select(StandardItem.id).order_by(StandardItem.id))
    log_in(client, app, staff.coordinator_a)
    url = f"/steering/standard/units/{town.village_a_id}"
    missing = client.post(
        f"{url}/self?year={YEAR}", data={f"self-{build}": "30", f"self-{monthly}": "50"}
    )
    assert (
        missing.status_code == 400
        and "“学习中心阵地建设”需要填写佐证材料。" in missing.get_data(True)
    )
    too_much = client.post(
        f"{url}/self?year={YEAR}",
        data={f"self-{build}": "45", f"evidence-{build}": "照片", f"self-{monthly}": "50"},
    )
    assert "“学习中心阵地建设”的得分应在 0 到 40 之间。" in too_much.get_data(True)
    done = client.post(
        f"{url}/self?year={YEAR}",
        data={f"self-{build}": "38", f"evidence-{build}": "照片6张", f"self-{monthly}": "55"},
    )
    assert done.status_code == 302
    log_in(client, app, staff.manager)
    page = client.get(f"{url}?year={YEAR}").get_data(as_text=True)
    assert "统计：6.0 / 12.00，建议 30.0" in page  # 60 points × 6 / 12
    assert (
        client.post(
            f"{url}/score?year={YEAR}", data={f"town-{build}": "36", f"town-{monthly}": "nan"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"{url}/score?year={YEAR}", data={f"town-{build}": "36", f"town-{monthly}": "30"}
        ).status_code
        == 302
    )
    client.post(
        "/steering/standard/milestones", data={"year": YEAR, "villages": "1", "full_coverage": ""}
    )
    client.post("/steering/standard/milestones", data={"year": YEAR + 2, "full_coverage": "y"})
    log_in(client, app, staff.coordinator_a)
    refused = client.post(
        f"{url}/self?year={YEAR}",
        data={f"self-{build}": "40", f"evidence-{build}": "照片", f"self-{monthly}": "60"},
    )
    assert refused.status_code == 409 and "镇里已经评分" in refused.get_data(True)
    with app.app_context():
        from core.models import AuditLog

        audited = _db.session.execute(
            select(AuditLog.action, AuditLog.summary)
            .where(AuditLog.action.in_(["steering.self_assessed", "steering.scored"]))
            .order_by(AuditLog.id)
        ).all()
    assert [tuple(row) for row in audited] == [
        ("steering.self_assessed", "甲村 2026 年评估：自评，93 分"),
        ("steering.scored", "甲村 2026 年评估：评分，66 分"),
    ]
    log_in(client, app, staff.manager)
    progress = client.get(f"/reports/progress?year={YEAR}").get_data(as_text=True)
    assert 'id="steering-standard"' in progress
    assert '<span class="flag">66.00</span>' in progress  # 36 + 30, below the pass mark of 85
    assert (
        '<tr data-year="2026"><td>2026</td><td class="num">1</td><td class="num">0</td>' in progress
    )
    assert (
        '<tr data-year="2028"><td>2028 全覆盖</td><td class="num">2</td><td class="num">0</td>'
        in progress
    )


def test_standard_permissions_on_the_village(app, client, staff, town, make_user):
    log_in(client, app, make_user("programme_manager", town.village_a_id))  # one village only
    assert client.post(f"/steering/standard/items?year={YEAR}", data=GOOD).status_code == 403
    assert client.post("/steering/standard/milestones", data={"year": 2030}).status_code == 403
    log_in(client, app, staff.manager)
    _items(client)
    url_b = f"/steering/standard/units/{town.village_b_id}"
    log_in(client, app, staff.coordinator_a)
    assert client.get(url_b).status_code == 403
    assert client.post(f"{url_b}/self?year={YEAR}", data={}).status_code == 403
    assert client.post(f"{url_b}/score?year={YEAR}", data={}).status_code == 403
    assert client.post(f"/steering/standard/items?year={YEAR}", data=GOOD).status_code == 403
    assert client.post("/steering/standard/milestones", data={"year": 2030}).status_code == 403
    log_in(client, app, staff.manager)
    assert client.post(f"{url_b}/score?year={YEAR}", data={}).status_code == 409
    assert client.get(f"/steering/standard/units/{town.school_id}").status_code == 404
    bad = client.post("/steering/standard/milestones", data={"year": "1900"}, follow_redirects=True)
    assert "年份应在 2000 到 2100 之间。" in bad.get_data(as_text=True)


def test_items_frozen_once_a_village_has_self_assessed(app, client, staff, town):
    from plugins.steering.models import StandardItem

    log_in(client, app, staff.manager)
    _items(client)
    with app.app_context():
        build, monthly = _db.session.scalars(select(StandardItem.id).order_by(StandardItem.id))
    log_in(client, app, staff.coordinator_a)
    client.post(
        f"/steering/standard/units/{town.village_a_id}/self?year={YEAR}",
        data={f"self-{build}": "40", f"evidence-{build}": "照片", f"self-{monthly}": "60"},
    )
    log_in(client, app, staff.manager)
    response = client.post(f"/steering/standard/items?year={YEAR}", data=GOOD)
    assert response.status_code == 400 and "不能再修改评估内容" in response.get_data(True)
    page = client.get(f"/steering/standard?year={YEAR}").get_data(as_text=True)
    assert "待评分" in page and "未自评" in page


def test_assessment_table_is_the_rows_written_here(app):
    """A village self-assesses (again) until scored; the town scores (again); audited under the
    names the audit log labels."""
    from core.audit_labels import labels
    from plugins.steering.standard import ASSESSMENT

    assert {
        key: (row.target, *row.actors, row.audit) for key, row in ASSESSMENT.transitions.items()
    } == {
        ("new", "self_assess"): ("submitted", "village", "steering.self_assessed"),
        ("submitted", "self_assess"): ("submitted", "village", "steering.self_assessed"),
        ("submitted", "score"): ("scored", "manager", "steering.scored"),
        ("scored", "score"): ("scored", "manager", "steering.scored"),
    }
    with app.test_request_context():
        assert {"steering.self_assessed", "steering.scored"} <= set(labels())
