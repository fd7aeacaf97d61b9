"""The demo: two courses with audio and check questions, 渭溪村's party members assigned with
partial progress, a week of daily practice; loading twice adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.extensions import db as _db

pytestmark = pytest.mark.demo_town

MEDIA = Path(__file__).resolve().parents[3] / "plugins" / "learning" / "demo_media"


def test_shipped_audio_is_small_ogg():
    files = sorted(MEDIA.glob("lesson-*.ogg"))
    assert [f.name for f in files] == [f"lesson-{n}.ogg" for n in range(1, 7)]
    for audio in files:
        data = audio.read_bytes()
        assert data.startswith(b"OggS") and b"vorbis" in data[:100]
        assert len(data) < 200 * 1024, audio.name


def test_demo_courses_assignment_and_practice(app, runner):
    from core.demo import demo_user
    from plugins.learning.assignments import services as assignments
    from plugins.learning.assignments.models import CourseAssignment
    from plugins.learning.models import Course, Lesson, Progress
    from plugins.learning.practice import services as practice
    from tests.conftest import log_in

    def counts():
        with app.app_context():
            return [
                _db.session.scalar(select(func.count()).select_from(model))
                for model in (Course, Lesson, Progress, CourseAssignment)
            ]

    with app.app_context():
        titles = [c.title for c in _db.session.scalars(select(Course).order_by(Course.id))]
        assert titles == ["农村法律常识", "家庭急救常识"]
        lessons = _db.session.scalars(select(Lesson)).all()
        assert len(lessons) == 6
        assert all(lesson.media_type == "audio/ogg" and lesson.question_id for lesson in lessons)
        first_lesson = lessons[0].id
        assignment = _db.session.scalar(select(CourseAssignment))
        rows = assignments.by_village(assignment)
        assert [(r.unit_name, r.members, r.learners, r.completed) for r in rows] == [
            ("渭溪村", 6, 3, 2)
        ]
        resident = demo_user("resident").id
        assert practice.streak(resident) == 7
        manager = demo_user("programme_manager").id
    before = counts()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert counts() == before
    client = app.test_client()
    log_in(client, app, resident)
    audio = client.get(f"/learning/lessons/{first_lesson}/media", headers={"Range": "bytes=0-3"})
    assert (audio.status_code, audio.data) == (206, b"OggS")
    assert "已连续学习 7 天。" in client.get("/learning/practice").data.decode()
    log_in(client, app, manager)
    assert "33%" in client.get("/learning/assignments/").data.decode()
