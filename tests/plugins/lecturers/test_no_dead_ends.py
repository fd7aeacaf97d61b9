"""Issue 14 for lecturers: every step ends on a page that says what happened, dates on the
task list, no delivery form before the lecture, no silently lost file, approved means active."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from core.extensions import db as _db
from core.models import Notification
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import LectureRequest
from tests.conftest import log_in

from .conftest import build_request
from .test_corps_and_reports import _profile


def test_declining_lands_on_my_tasks_saying_so(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "assigned").id
    log_in(client, app, people.lecturer_user)
    page = client.post(
        f"/lectures/requests/{request_id}/decline",
        data={"decline-reason": "那两天在县里培训"},
        follow_redirects=True,
    )
    assert page.status_code == 200 and page.request.path == "/lectures/mine"
    assert f"已婉拒点单 #{request_id}（保健护理，甲村）" in page.text
    with app.app_context():
        assert _db.session.get(LectureRequest, request_id).state == "submitted"


def test_recommending_lands_on_a_page_the_recommender_may_see(app, client, people, town, make_user):
    make_user("resident", town.village_a_id, phone="13911110000", name="被推荐人")
    log_in(client, app, people.coordinator)
    page = client.post(
        "/lectures/corps/recommend",
        data=_profile(people, org_unit_id=town.justice_id, phone="13911110000"),
        follow_redirects=True,
    )
    assert page.status_code == 200 and page.request.path == "/lectures/corps"
    assert "已推荐被推荐人加入讲师团" in page.text


def test_my_tasks_show_dates_and_tell_two_alike_requests_apart(app, client, people, town):
    with app.app_context():
        first = build_request(people, town.village_a_id, "assigned", days=3, key="a").id
        second = build_request(people, town.village_a_id, "assigned", days=10, key="b").id
        slot = _db.session.get(LectureRequest, first).slots[0].start
    log_in(client, app, people.lecturer_user)
    html = client.get("/lectures/mine").text
    assert f"#{first}" in html and f"#{second}" in html
    assert html.index(f"#{first}") < html.index(f"#{second}")  # the sooner one first
    from core.web import time_span

    with app.test_request_context():
        assert time_span(slot, slot + timedelta(hours=1)) in html


def test_no_delivery_form_before_the_lecture_and_a_refused_file_is_named(app, client, people, town):
    with app.app_context():
        future = build_request(people, town.village_a_id, "scheduled", past_start=False).id
        started = build_request(people, town.village_a_id, "scheduled", key="s").id
    log_in(client, app, people.lecturer_user)
    html = client.get(f"/lectures/requests/{future}").text
    assert "deliver-attendance" not in html and "可以在这里登记宣讲完成" in html
    assert "deliver-attendance" in client.get(f"/lectures/requests/{started}").text
    refused = client.post(
        f"/lectures/requests/{started}/deliver",
        data={
            "deliver-attendance": "0",
            "deliver-summary": "讲了高血压",
            "deliver-kind": "signin",
            "deliver-file": (io.BytesIO(b"%PDF-1.7 sign-in"), "签到册.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "文件没有保存，请重新选择文件。" in refused.text
    assert "讲了高血压" in refused.text  # what was typed stays


def test_approved_lecturers_are_active_and_told_so(app, client, people, town, make_user):
    applicant = make_user("resident", town.village_a_id, name="申请人")
    log_in(client, app, applicant)
    client.post("/lectures/corps/apply", data=_profile(people, org_unit_id=town.school_id))
    with app.app_context():
        lecturer = _db.session.scalar(select(Lecturer).where(Lecturer.user_id == applicant))
        lecturer_id = lecturer.id
    log_in(client, app, people.manager)
    client.post(f"/lectures/corps/{lecturer_id}/review", data={"review-decision": "approve"})
    with app.app_context():
        assert _db.session.get(Lecturer, lecturer_id).active is True
        notice = _db.session.scalar(
            select(Notification).where(
                Notification.user_id == applicant, Notification.subject == "您已加入讲师团"
            )
        )
        assert "派单时会向管理员推荐您" in notice.body
