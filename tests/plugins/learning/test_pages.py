"""The pages a resident moves through: course list, dashboard panel, my courses, odd input."""

from __future__ import annotations

from plugins.learning.practice.services import local_day


def test_index_dashboard_and_mine(client, login_as, make_course):
    course_id, lessons = make_course(lessons=2)
    index = client.get("/learning/").data.decode()
    assert f'href="/learning/courses/{course_id}">测试课程</a>' in index and "2 课时" in index
    login_as("resident")
    assert "已连续学习 0 天。" in client.get("/dashboard").data.decode()
    client.get(f"/learning/lessons/{lessons[0]}")
    mine = client.get("/learning/mine").data.decode()
    assert f'href="/learning/courses/{course_id}">测试课程</a>' in mine
    course = client.get(f"/learning/courses/{course_id}").data.decode()
    assert "学习中" in course
    assert client.get(f"/learning/certificates/{course_id}").status_code == 404


def test_practice_answers_without_a_choice_or_with_a_bad_date(client, login_as, make_question):
    for _ in range(5):
        make_question()
    login_as("resident")
    client.get("/learning/practice")
    empty = client.post("/learning/practice/answer/1", data={"q1-day": local_day().isoformat()})
    assert "请选择一个答案。" in client.get(empty.headers["Location"]).data.decode()
    bad = client.post("/learning/practice/answer/1", data={"q1-day": "昨天", "q1-choice": "A"})
    assert "日期无效。" in client.get(bad.headers["Location"]).data.decode()


def test_practice_without_questions_says_so(client, login_as):
    login_as("resident")
    page = client.get("/learning/practice")
    assert page.status_code == 200
    assert "题库里还没有题目，请稍后再来。" in page.data.decode()


def test_check_without_a_choice_stays_on_the_page(client, login_as, make_course):
    _c, lessons = make_course(lessons=1)
    login_as("resident")
    client.get(f"/learning/lessons/{lessons[0]}")
    response = client.post(f"/learning/lessons/{lessons[0]}/check", data={})
    assert response.status_code == 400
    assert "请选择一个答案。" in response.data.decode()
