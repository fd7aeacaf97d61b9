"""Progress: opened before answered, finished by the check question or the course's rule,
resumed where the audio stopped, completed once with one certificate and one credit."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.credits.models import CreditEntry
from plugins.learning.models import Completion, Progress


def credits_for(app, user_id: int, rule: str) -> list[int]:
    with app.app_context():
        return list(
            _db.session.scalars(
                select(CreditEntry.amount).where(
                    CreditEntry.user_id == user_id, CreditEntry.rule == rule
                )
            )
        )


def progress_row(app, user_id: int, lesson_id: int) -> Progress | None:
    with app.app_context():
        row = _db.session.scalar(
            select(Progress).where(Progress.user_id == user_id, Progress.lesson_id == lesson_id)
        )
        if row is not None:
            _db.session.expunge(row)
        return row


def answer(client, lesson_id: int, choice: str):
    return client.post(f"/learning/lessons/{lesson_id}/check", data={"choice": choice})


def test_check_answer_for_a_lesson_not_opened_is_refused(app, client, login_as, make_course):
    _course, lessons = make_course()
    me = login_as("resident")
    response = answer(client, lessons[0], "A")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).data.decode()
    assert "请先打开这一课、学习内容后再答题。" in page
    # the visit that showed the message opened the lesson, but nothing was finished
    assert progress_row(app, me, lessons[0]).finished_at is None


def test_course_finished_by_check_questions_gives_one_certificate_and_credit(
    app, client, login_as, make_course
):
    course_id, lessons = make_course(lessons=2)
    me = login_as("resident")
    client.get(f"/learning/lessons/{lessons[0]}")
    wrong = answer(client, lessons[0], "B").data.decode()
    assert "回答错误，再想一想。" in wrong and "解析 1" in wrong
    assert progress_row(app, me, lessons[0]).finished_at is None
    right = answer(client, lessons[0], "A").data.decode()
    assert "答对了！这一课已学完。" in right
    row = progress_row(app, me, lessons[0])
    assert (row.finished_by, row.check_attempts) == ("check", 2)
    client.get(f"/learning/lessons/{lessons[1]}")
    answer(client, lessons[1], "A")
    again = answer(client, lessons[1], "A")
    assert "这一课您已经学完了，不用再答题。" in client.get(again.headers["Location"]).data.decode()
    with app.app_context():
        completions = _db.session.scalars(select(Completion)).all()
        assert [(c.user_id, c.certificate_no) for c in completions] == [
            (me, f"XXT-{course_id:04d}-{me:06d}")
        ]
    assert credits_for(app, me, "course") == [5]
    certificate = client.get(f"/learning/certificates/{course_id}").data.decode()
    assert f"XXT-{course_id:04d}-{me:06d}" in certificate


def test_completing_twice_counts_once(app, make_user, make_course):
    from plugins.learning import services as progress
    from plugins.learning.models import Lesson

    _course_id, lessons = make_course(lessons=1, questions=False)
    me = make_user()
    with app.app_context():
        lesson = _db.session.get(Lesson, lessons[0])
        assert progress.finish(me, lesson, "confirm") is True
        assert progress.finish(me, lesson, "confirm") is False
        assert progress.complete_if_done(me, lesson.course) is False
        assert _db.session.scalar(select(func.count(Completion.id))) == 1
    assert credits_for(app, me, "course") == [5]


def test_confirm_only_where_the_rule_allows(app, client, login_as, make_course):
    _c, checked = make_course(lessons=1, questions=True, rule="check")
    _c, confirmed = make_course(lessons=1, questions=True, rule="confirm")
    me = login_as("resident")
    client.get(f"/learning/lessons/{checked[0]}")
    refused = client.post(f"/learning/lessons/{checked[0]}/confirm")
    assert "这一课要答对课后小题才算学完。" in client.get(refused.headers["Location"]).data.decode()
    client.get(f"/learning/lessons/{confirmed[0]}")
    client.post(f"/learning/lessons/{confirmed[0]}/confirm")
    assert progress_row(app, me, confirmed[0]).finished_by == "confirm"
    assert progress_row(app, me, checked[0]).finished_at is None


def test_audio_position_is_kept_and_resumed(app, client, login_as, make_course):
    from plugins.learning.models import Lesson

    _c, lessons = make_course(lessons=1)
    with app.app_context():
        lesson = _db.session.get(Lesson, lessons[0])
        lesson.media_file, lesson.media_type = "x.ogg", "audio/ogg"
        _db.session.commit()
    me = login_as("resident")
    url = f"/learning/lessons/{lessons[0]}/position"
    assert client.post(url, data={"seconds": "95"}).status_code == 409  # not opened yet
    page = client.get(f"/learning/lessons/{lessons[0]}").data.decode()
    assert client.post(url, data={"seconds": "95"}).get_json() == {"saved": 95}
    assert client.post(url, data={"seconds": "-3"}).status_code == 400
    assert progress_row(app, me, lessons[0]).position_seconds == 95
    page = client.get(f"/learning/lessons/{lessons[0]}").data.decode()
    assert re.search(rf'src="/learning/lessons/{lessons[0]}/media#t=95"', page)
    assert "从上次停下的地方（第 95 秒）接着听。" in page


def test_visitor_reads_a_lesson_but_cannot_answer(client, make_course):
    _c, lessons = make_course(lessons=1)
    page = client.get(f"/learning/lessons/{lessons[0]}").data.decode()
    assert "登录后可以答课后小题、记下学习进度。" in page
    assert answer(client, lessons[0], "A").status_code == 302  # to the log-in page


def test_staff_write_and_publish_a_course(app, client, login_as, town):
    from core.models import AuditLog

    login_as("programme_manager", town.town_id)
    data = {
        "title": "防范电信诈骗",
        "audience": "老人",
        "category": "law",
        "completion_rule": "confirm",
        "org_unit_id": str(town.village_a_id),
        "description": "",
    }
    created = client.post("/learning/manage/courses/new", data=data)
    course_id = int(created.headers["Location"].rsplit("/", 1)[-1])
    refused = client.post(f"/learning/manage/courses/{course_id}/publish")
    assert "课程还没有课时，不能发布。" in client.get(refused.headers["Location"]).data.decode()
    client.post(
        f"/learning/manage/courses/{course_id}/lessons/new",
        data={"title": "陌生电话", "position": "1", "body": "挂断。", "question_id": "0"},
    )
    client.post(f"/learning/manage/courses/{course_id}/publish")
    assert "防范电信诈骗" in client.get("/learning/").data.decode()
    with app.app_context():
        actions = set(_db.session.scalars(select(AuditLog.action)))
    assert {"learning.course_created", "learning.lesson_created", "learning.course_published"} <= (
        actions
    )


def test_attachment_is_sniffed_and_downloaded(app, client, login_as, town, make_course):
    import io

    _course_id, lessons = make_course(lessons=1)
    login_as("programme_manager", town.town_id)
    bad = client.post(
        f"/learning/manage/lessons/{lessons[0]}/attachments",
        data={"file": (io.BytesIO(b"MZ\x90\x00program"), "讲义.pdf")},
        content_type="multipart/form-data",
    )
    assert "不支持这种文件" in client.get(bad.headers["Location"]).data.decode()
    client.post(
        f"/learning/manage/lessons/{lessons[0]}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 hand-out"), "讲义.pdf")},
        content_type="multipart/form-data",
    )
    page = client.get(f"/learning/lessons/{lessons[0]}").data.decode()
    link = re.search(r'href="(/learning/attachments/\d+)">讲义.pdf', page).group(1)
    download = client.get(link)
    assert download.data == b"%PDF-1.4 hand-out"
    assert download.headers["Content-Disposition"].startswith("attachment")
