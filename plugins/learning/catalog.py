"""Staff changes to courses and lessons; each one is audited here, beside the change."""

from __future__ import annotations

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.hooktypes import LearningEntry
from core.timeutil import utcnow
from plugins.learning import media
from plugins.learning.models import Attachment, Course, EventLink, Lesson


def published_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course).where(Course.published.is_(True)).order_by(Course.category, Course.id)
        )
    )


def save_course(course: Course | None, data: dict, user_id: int | None) -> Course:
    """Create or update a course from form data; the caller commits."""
    created = course is None
    course = course or Course(created_by_id=user_id)
    for name in ("title", "audience", "category", "completion_rule", "org_unit_id", "description"):
        setattr(course, name, data[name] or "" if name != "org_unit_id" else data[name])
    if created:
        db.session.add(course)
    db.session.flush()
    audit.record(
        "learning.course_created" if created else "learning.course_updated",
        course,
        f"{'新建' if created else '修改'}课程：{course.title}",
    )
    return course


def publish(course: Course) -> None:
    """Open the course to residents; its lessons enter the 指尖学习 digest and feed today."""
    now = utcnow()
    course.published = True
    for lesson in course.lessons:
        lesson.published_at = lesson.published_at or now
    audit.record("learning.course_published", course, f"发布课程：{course.title}")


def save_lesson(
    course: Course, lesson: Lesson | None, data: dict, stored_media: tuple | None
) -> Lesson:
    """Create or update a lesson; ``stored_media`` (name, type, size) replaces the medium."""
    created = lesson is None
    lesson = lesson or Lesson(course=course)
    lesson.title = data["title"]
    lesson.body = data["body"] or ""
    lesson.position = data["position"]
    lesson.question_id = data["question_id"] or None
    if stored_media:
        media.remove(lesson.media_file)
        lesson.media_file, lesson.media_type, lesson.media_size = stored_media
    if created:
        db.session.add(lesson)
        if course.published:
            lesson.published_at = utcnow()
    db.session.flush()
    audit.record(
        "learning.lesson_created" if created else "learning.lesson_updated",
        lesson,
        f"{'新建' if created else '修改'}课时：{course.title} / {lesson.title}",
    )
    return lesson


def add_attachment(lesson: Lesson, stored: tuple[str, str, str, int]) -> Attachment:
    name, content_type, display, size = stored
    attachment = Attachment(
        lesson_id=lesson.id,
        stored_name=name,
        content_type=content_type,
        display_name=display,
        size=size,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record("learning.attachment_added", attachment, f"课时附件：{lesson.title} / {display}")
    return attachment


def link_event(lesson: Lesson, event_id: int, label: str, user_id: int | None) -> EventLink:
    """Link a calendar event to the lesson (replacing the event's earlier link)."""
    link = db.session.scalar(select(EventLink).where(EventLink.calendar_event_id == event_id))
    if link is None:
        link = EventLink(calendar_event_id=event_id)
        db.session.add(link)
    link.lesson_id, link.label, link.linked_by_id = lesson.id, label[:200], user_id
    db.session.flush()
    audit.record("learning.event_linked", link, f"线下课 {label} 对应课时：{lesson.title}")
    return link


def links_of(lesson: Lesson) -> list[EventLink]:
    return list(
        db.session.scalars(
            select(EventLink).where(EventLink.lesson_id == lesson.id).order_by(EventLink.id)
        )
    )


def lessons_published_between(start, end) -> list[Lesson]:
    """Lessons of published courses that became visible in [start, end)."""
    return list(
        db.session.scalars(
            select(Lesson)
            .join(Course, Course.id == Lesson.course_id)
            .where(
                Course.published.is_(True),
                Lesson.published_at >= start,
                Lesson.published_at < end,
            )
            .order_by(Lesson.published_at, Lesson.id)
        )
    )


def entry(lesson: Lesson, url: str) -> LearningEntry:
    """A lesson as a 指尖学习 digest and feed entry."""
    kind = {"audio": "（有声）", "video": "（视频）"}.get(lesson.media_kind or "", "")
    return LearningEntry(
        uid=f"learning-lesson-{lesson.id}",
        title=f"网上课程《{lesson.course.title}》：{lesson.title}{kind}",
        url=url,
        published=lesson.published_at,
        updated=max(lesson.published_at, lesson.updated_at),
        summary=(lesson.body or "")[:120],
        source="learning",
    )
