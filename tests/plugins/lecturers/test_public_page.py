"""A lecture on the calendar has a public page everyone may open, with its slides and an .ics."""

from __future__ import annotations

import io

import pytest
from icalendar import Calendar

from core.extensions import db as _db
from tests.conftest import log_in

from .conftest import build_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, request_id, kind: str, name: str):
    return client.post(
        f"/lectures/requests/{request_id}/materials",
        data={"material-kind": kind, "material-file": (io.BytesIO(PNG), name)},
        content_type="multipart/form-data",
    )


def test_everyone_opens_a_scheduled_lecture_and_its_slides(app, client, people, town):
    with app.app_context():
        lecture = build_request(people, town.village_a_id, "scheduled", past_start=False)
        request_id = lecture.id
    log_in(client, app, people.lecturer_user)
    assert _upload(client, request_id, "slides", "高血压讲义.png").status_code == 302
    assert _upload(client, request_id, "signin", "签到册.png").status_code == 400
    client.post("/logout")
    viewers = [None, people.resident, people.other_coordinator, people.other_lecturer_user]
    for viewer in viewers:
        if viewer:
            log_in(client, app, viewer)
        else:
            with client.session_transaction() as session:
                session.clear()
        page = client.get(f"/lectures/l/{request_id}")
        assert page.status_code == 200, viewer
        html = page.get_data(as_text=True)
        assert "保健护理" in html and "讲师甲" in html and "甲村" in html and "学习中心" in html
        assert "无需报名，欢迎直接到场。" in html and "添加到手机日历" in html
        assert "高血压讲义.png" in html
        assert "点单办理页面" not in html  # the workflow page is not theirs
        file_link = html.split(f'href="/lectures/l/{request_id}/files/')[1].split('"')[0]
        served = client.get(f"/lectures/l/{request_id}/files/{file_link}")
        assert served.status_code == 200 and served.data == PNG
    log_in(client, app, people.coordinator)
    assert "点单办理页面" in client.get(f"/lectures/l/{request_id}").get_data(as_text=True)


def test_the_ics_holds_this_one_lecture_with_the_feeds_uid(app, client, people, town):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, "scheduled", past_start=False).id
    response = client.get(f"/lectures/l/{request_id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"lecturers-request-{request_id}@xiangxuetong"
    assert str(event["SUMMARY"]) == "微讲堂：保健护理（甲村）"
    assert str(event["LOCATION"]) == "学习中心"
    assert event["CATEGORIES"].cats == ["微讲堂"]
    assert str(event["URL"]).endswith(f"/lectures/l/{request_id}")


@pytest.mark.parametrize("state", ["submitted", "assigned", "accepted"])
def test_not_yet_scheduled_lectures_have_no_public_page(app, client, people, town, state):
    with app.app_context():
        request_id = build_request(people, town.village_a_id, state).id
    assert client.get(f"/lectures/l/{request_id}").status_code == 404
    assert client.get(f"/lectures/l/{request_id}.ics").status_code == 404


def test_records_of_a_lecture_stay_private(app, client, people, town):
    from plugins.lecturers.requests.models import LecturerMaterial

    with app.app_context():
        request_id = build_request(people, town.village_a_id, "delivered").id
    log_in(client, app, people.coordinator)
    assert _upload(client, request_id, "signin", "签到册.png").status_code == 302
    with app.app_context():
        material_id = _db.session.query(LecturerMaterial.id).scalar()
    log_in(client, app, people.resident)
    html = client.get(f"/lectures/l/{request_id}").get_data(as_text=True)
    assert "签到册.png" not in html and "这场宣讲已经结束。" in html
    assert client.get(f"/lectures/l/{request_id}/files/{material_id}").status_code == 404


def test_calendar_entries_link_to_the_public_page(app, client, people, town):
    from core.plugins import registry

    with app.app_context():
        lecture = build_request(people, town.village_a_id, "scheduled", past_start=False)
        window = (lecture.scheduled_start, lecture.scheduled_end)
        request_id = lecture.id
        [entry] = [
            e
            for group in registry(app).hook.calendar_entries(
                start=window[0], end=window[1], viewer=None, personal=False
            )
            for e in group
            if e.source == "lecturers"
        ]
    assert entry.url == f"/lectures/l/{request_id}"
    assert entry.category_label == "微讲堂"
