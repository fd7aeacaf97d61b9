"""Builders for the learning tests: a course with lessons, bank questions, a fake medium."""

from __future__ import annotations

import pytest

from core.extensions import db as _db

#: The first bytes of an Ogg Vorbis file: enough for the content check.
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def make_question(app):
    """``make_question(category="law")`` → id of a single-choice bank question answered "A"."""
    counter = {"n": 0}

    def factory(category: str = "law") -> int:
        from core.plugins import get_service

        counter["n"] += 1
        with app.app_context():
            qid = get_service("competitions").add_question(
                "single",
                category,
                f"测试题 {category} {counter['n']}",
                ["对的", "错的一", "错的二"],
                "A",
                f"解析 {counter['n']}",
            )
            _db.session.commit()
            return qid

    return factory


@pytest.fixture
def make_course(app, town, make_question):
    """``make_course(lessons=2, questions=True, published=True, unit_id=None, rule="check")``
    → (course id, [lesson ids])."""

    def factory(
        lessons: int = 2,
        questions: bool = True,
        published: bool = True,
        unit_id: int | None = None,
        rule: str = "check",
    ) -> tuple[int, list[int]]:
        from core.timeutil import utcnow
        from plugins.learning.models import Course, Lesson

        question_ids = [make_question() if questions else None for _ in range(lessons)]
        with app.app_context():
            course = Course(
                title="测试课程",
                category="law",
                org_unit_id=unit_id or town.village_a_id,
                published=published,
                completion_rule=rule,
            )
            _db.session.add(course)
            for position, qid in enumerate(question_ids, start=1):
                _db.session.add(
                    Lesson(
                        course=course,
                        position=position,
                        title=f"第{position}课",
                        body="课文",
                        question_id=qid,
                        published_at=utcnow() if published else None,
                    )
                )
            _db.session.commit()
            return course.id, [lesson.id for lesson in course.lessons]

    return factory
