"""Demo data: the two demo courses with audio and check questions, 渭溪村's party members
assigned 农村法律常识 with partial progress, and a week of 每日一练 history.

Idempotent: courses are found by title, people by phone, rows by their unique keys. Rows are
written directly (no signals), so loading the demo pays no credits.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from core import accounts
from core.demo import DEMO_PASSWORD, demo_user, demo_village
from core.extensions import db
from core.models import OrgUnit, User
from core.plugins import get_service
from core.timeutil import utcnow
from plugins.learning import media
from plugins.learning.assignments.models import CourseAssignment, PartyMember
from plugins.learning.demo_content import COURSES
from plugins.learning.models import Completion, Course, Lesson, Progress
from plugins.learning.practice import services as practice
from plugins.learning.practice.models import PracticeAnswer, PracticeDay
from plugins.learning.services import certificate_number

AUDIO = Path(__file__).resolve().parent / "demo_media"
#: 渭溪村's party members besides the demo coordinator and resident: (phone, name)
PARTY = [
    ("13500000001", "王建国"),
    ("13500000002", "张秀英"),
    ("13500000003", "刘德明"),
    ("13500000004", "陈玉兰"),
]


def load(town: OrgUnit) -> None:
    manager = demo_user("programme_manager")
    courses = [_course(town, manager, number, spec) for number, spec in enumerate(COURSES)]
    village = demo_village(town, "渭溪村")
    if village is None:
        return
    members = _party(village, manager)
    _assignment(courses[0], village, manager, members)
    _practice_week([demo_user("resident"), *members[:2]])
    db.session.flush()


def _audio(number: int) -> tuple[str, str, int]:
    """Copy the shipped lesson audio into the upload folder once."""
    name = f"demo-lesson-{number}.ogg"
    target = media.folder() / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(AUDIO / f"lesson-{number}.ogg", target)
    return name, "audio/ogg", target.stat().st_size


def _course(town: OrgUnit, manager: User | None, index: int, spec) -> Course:
    title, category, audience, description, rule, lessons = spec
    course = db.session.scalar(select(Course).where(Course.title == title))
    if course is not None:
        return course
    # the first course two days ago, the second a few minutes ago: today's digest shows it
    published = utcnow() - (timedelta(days=2) if index == 0 else timedelta(minutes=5))
    course = Course(
        title=title,
        category=category,
        audience=audience,
        description=description,
        completion_rule=rule,
        org_unit_id=town.id,
        published=True,
        created_by_id=manager.id if manager else None,
    )
    db.session.add(course)
    bank = get_service("competitions")
    for position, (lesson_title, text, question) in enumerate(lessons, start=1):
        number = index * 3 + position
        stored, content_type, size = _audio(number)
        db.session.add(
            Lesson(
                course=course,
                position=position,
                title=lesson_title,
                body=text,
                media_file=stored,
                media_type=content_type,
                media_size=size,
                question_id=bank.add_question(*question) if bank else None,
                published_at=published,
            )
        )
    db.session.flush()
    return course


def _party(village: OrgUnit, manager: User | None) -> list[User]:
    people = [demo_user("village_coordinator"), demo_user("resident")]
    for phone, name in PARTY:
        user = accounts.find_by_phone(phone) or accounts.create_user(
            phone, DEMO_PASSWORD, name, village
        )
        people.append(user)
    db.session.flush()
    for person in people:
        if not db.session.scalar(select(PartyMember.id).where(PartyMember.user_id == person.id)):
            db.session.add(
                PartyMember(
                    user_id=person.id,
                    org_unit_id=village.id,
                    added_by_id=manager.id if manager else None,
                )
            )
    db.session.flush()
    return people[2:]


def _assignment(course: Course, village: OrgUnit, manager, members: list[User]) -> None:
    """农村法律常识 for 渭溪村's party members: two finished it, one halfway, the rest not yet."""
    if db.session.scalar(
        select(CourseAssignment.id).where(CourseAssignment.course_id == course.id)
    ):
        return
    now = utcnow()
    db.session.add(
        CourseAssignment(
            course_id=course.id,
            org_unit_id=village.id,
            group="party_members",
            due_on=practice.local_day(now) + timedelta(days=20),
            created_by_id=manager.id if manager else None,
            created_at=now - timedelta(days=2),
        )
    )
    plan = [(members[0], 3), (members[1], 3), (members[2], 1)]
    for person, finished in plan:
        for lesson in course.lessons:
            done = lesson.position <= finished
            db.session.add(
                Progress(
                    user_id=person.id,
                    lesson_id=lesson.id,
                    started_at=now - timedelta(days=1, hours=3),
                    finished_at=now - timedelta(days=1, hours=2) if done else None,
                    finished_by="check" if done else None,
                    check_attempts=1 if done else 0,
                )
            )
        if finished == len(course.lessons):
            db.session.add(
                Completion(
                    user_id=person.id,
                    course_id=course.id,
                    home_unit_id=person.home_unit_id,
                    certificate_no=certificate_number(course.id, person.id),
                    completed_at=now - timedelta(days=1, hours=2),
                )
            )


def _practice_week(people: list[User | None]) -> None:
    """The seven days before today done (one person missed one), so streaks show."""
    bank = get_service("competitions")
    if bank is None:
        return
    pool = [qid for qid, _label in bank.question_choices()]
    if len(pool) < 5:
        return
    today = practice.local_day()
    for offset, person in enumerate(people):
        if person is None or practice.day_row(person.id, today - timedelta(days=1)):
            continue
        for back in range(1, 8):
            if offset == 2 and back == 4:
                continue  # a missed day: this person's streak is 3
            day = today - timedelta(days=back)
            start = (back * 5 + offset * 11) % (len(pool) - 5)
            ids = pool[start : start + 5]
            moment = utcnow() - timedelta(days=back)
            row = PracticeDay(
                user_id=person.id,
                home_unit_id=person.home_unit_id,
                day=day,
                question_ids=ids,
                started_at=moment,
                finished_at=moment,
            )
            db.session.add(row)
            db.session.flush()
            for number, question in enumerate(bank.questions(ids)):
                right = (number + back + offset) % 4 != 0
                db.session.add(
                    PracticeAnswer(
                        practice_id=row.id,
                        user_id=person.id,
                        question_id=question["id"],
                        category=question["category"],
                        chosen=question["answer"] if right else "Z",
                        is_correct=right,
                        answered_at=moment,
                    )
                )
                row.correct += right
