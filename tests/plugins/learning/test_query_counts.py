"""The lesson and practice pages read a fixed number of rows' worth of queries, however many
lessons, attachments, notifications, answers and days of history there are (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from core import notify
from core.extensions import db as _db
from core.timeutil import utcnow
from plugins.learning.models import Attachment, Lesson, Progress
from tests.plugins.learning.test_practice import do_day

#: Signed in: the user with the unread count, the lesson row (course, attachments, progress
#: and the neighbours' ids), the check question from the bank, the roles for the menu.
LESSON_QUERIES = 4
#: The user, today's practice with its answers, the finished days, the questions, the roles.
PRACTICE_QUERIES = 5


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def page_queries(app, client, url: str) -> int:
    client.get(url)  # a first visit may start the lesson or draw the day's questions
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def more_data(app, user_id: int, course_id: int, lesson_id: int, others: list[int]) -> None:
    """Ten more lessons, five attachments, others' progress and notifications for the user."""
    with app.app_context():
        for position in range(10, 20):
            _db.session.add(Lesson(course_id=course_id, position=position, title=f"第{position}课"))
        for n in range(5):
            _db.session.add(
                Attachment(
                    lesson_id=lesson_id,
                    stored_name=f"a{n}.pdf",
                    content_type="application/pdf",
                    display_name=f"讲义{n}.pdf",
                )
            )
        for other in others:
            _db.session.add(Progress(user_id=other, lesson_id=lesson_id, started_at=utcnow()))
        for n in range(5):
            notify.notify(user_id, f"通知{n}", "正文")
        _db.session.commit()


def test_lesson_page_queries_do_not_grow(app, client, login_as, make_user, make_course):
    course_id, lessons = make_course(lessons=3)
    me = login_as("resident")
    url = f"/learning/lessons/{lessons[1]}"
    before = page_queries(app, client, url)
    more_data(app, me, course_id, lessons[1], [make_user() for _ in range(3)])
    after = page_queries(app, client, url)
    page = client.get(url).get_data(as_text=True)
    assert "讲义4.pdf" in page and f"/learning/lessons/{lessons[2]}" in page
    assert '<span class="badge">5</span>' in page  # the unread count, read with the user
    assert before == after == LESSON_QUERIES


def test_practice_page_queries_do_not_grow(app, client, login_as, make_question):
    for category in ("law", "health"):
        for _ in range(5):
            make_question(category)
    me = login_as("resident")
    before = page_queries(app, client, "/learning/practice")
    now = utcnow()
    for back in range(1, 8):  # a week of history, every day's five answers
        do_day(app, me, now - timedelta(days=back))
    with app.app_context():
        notify.notify(me, "通知", "正文")
        _db.session.commit()
    after = page_queries(app, client, "/learning/practice")
    assert before == after == PRACTICE_QUERIES
    assert "已连续学习 7 天。" in client.get("/learning/practice").get_data(as_text=True)
