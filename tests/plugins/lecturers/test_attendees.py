"""群众评单: residents who checked in at a lecture rate it once (1–5 and a comment); the
ratings join the coordinator's in the lecturer's average and the suggestions."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db as _db
from plugins.lecturers import attendees, corps
from plugins.lecturers.requests.models import AttendeeRating
from tests.conftest import log_in

from .conftest import build_request


def lecture_in(app, people, town, state):
    with app.app_context():
        lecture = build_request(people, town.village_a_id, state)
        return lecture.id, attendees.checkin_code(lecture.id)


def set_state(app, request_id, state):
    from plugins.lecturers.requests.models import LectureRequest

    with app.app_context():
        _db.session.get(LectureRequest, request_id).state = state
        _db.session.commit()


def test_an_attendee_checks_in_then_rates_once(app, client, people, town):
    request_id, code = lecture_in(app, people, town, "scheduled")
    log_in(client, app, people.resident)
    url = f"/lectures/attend/{request_id}"
    assert "我到场了，签到" in client.get(f"{url}?c={code}").get_data(as_text=True)
    assert client.post(url, data={"c": code}).status_code == 302
    assert "您已签到" in client.get(url).get_data(as_text=True)
    early = client.post(f"{url}/rate", data={"score": "5"})
    assert "讲座结束并登记完成后才能评价" in early.get_data(as_text=True)
    set_state(app, request_id, "delivered")
    assert "请给出 1 到 5 分" in client.post(f"{url}/rate", data={"score": "9"}).get_data(
        as_text=True
    )
    assert client.post(f"{url}/rate", data={"score": "2", "comment": "声音太小"}).status_code == 302
    twice = client.post(f"{url}/rate", data={"score": "5"})
    assert "您已经评价过这场讲座了" in twice.get_data(as_text=True)
    with app.app_context():
        assert [(r.score, r.comment) for r in _db.session.scalars(select(AttendeeRating))] == [
            (2, "声音太小")
        ]
        # build_request gives no coordinator rating to a delivered request: the average is 2
        assert corps.rating_summary([people.lecturer])[people.lecturer][:2] == (2.0, 1)


def test_who_did_not_check_in_cannot_rate(app, client, people, town):
    request_id, _code = lecture_in(app, people, town, "delivered")
    log_in(client, app, people.resident)
    page = client.post(f"/lectures/attend/{request_id}/rate", data={"score": "5"})
    assert page.status_code == 400 and "只有到场签到的人才能评价" in page.get_data(as_text=True)
    wrong = client.post(f"/lectures/attend/{request_id}", data={"c": "0" * 16})
    assert "签到码不正确" in wrong.get_data(as_text=True)


def test_check_in_only_around_the_lecture(app, client, people, town):
    request_id, code = lecture_in(app, people, town, "accepted")  # starts in three days
    log_in(client, app, people.resident)
    page = client.post(f"/lectures/attend/{request_id}", data={"c": code})
    assert "不在这场讲座的签到时间内" in page.get_data(as_text=True)


def test_attendee_ratings_join_the_average(app, people, town, make_user):
    with app.app_context():
        rated = build_request(people, town.village_a_id, "rated")  # coordinator gave 4
        for score in (5, 3, 5):
            user = make_user()
            _db.session.add(
                AttendeeRating(
                    request_id=rated.id, user_id=user, lecturer_id=people.lecturer, score=score
                )
            )
        _db.session.commit()
        assert attendees.ratings([people.lecturer]) == {people.lecturer: (4.25, 4)}


def test_staff_see_the_check_in_qr_code_on_a_scheduled_request(app, client, people, town):
    request_id, code = lecture_in(app, people, town, "scheduled")
    log_in(client, app, people.manager)
    page = client.get(f"/lectures/requests/{request_id}").get_data(as_text=True)
    assert "现场签到二维码" in page and f"/lectures/attend/{request_id}?c={code}" in page
