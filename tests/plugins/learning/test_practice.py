"""每日一练： five questions a day by Shanghai date, explanations at once, streaks, one credit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.models import User
from plugins.credits.models import CreditEntry
from plugins.learning.practice import services as practice
from plugins.learning.services import LearningError

#: 23:50 on 1 March in Shanghai is 15:50 UTC; ten minutes after 00:00 on 2 March is 16:10 UTC,
#: the same UTC day: the streak must follow Shanghai's calendar.
LATE = datetime(2026, 3, 1, 15, 50, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 3, 1, 16, 10, tzinfo=UTC)


@pytest.fixture
def bank(make_question):
    return [make_question("law") for _ in range(4)] + [make_question("health") for _ in range(4)]


def do_day(app, user_id: int, now: datetime, right: bool = True) -> list[practice.Marked]:
    with app.app_context():
        user = _db.session.get(User, user_id)
        day = practice.local_day(now)
        row = practice.start(user, day, now)
        return [
            practice.answer(user, day, qid, "A" if right else "B", now)
            for qid in list(row.question_ids)
        ]


def test_a_day_is_five_questions_with_explanations_and_one_credit(app, make_user, bank):
    me = make_user()
    marked = do_day(app, me, LATE)
    assert len(marked) == 5
    assert [m.right for m in marked] == [True] * 5
    assert all(m.explanation.startswith("解析 ") for m in marked)
    assert [m.finished_now for m in marked] == [False] * 4 + [True]
    with app.app_context():
        row = practice.day_row(me, date(2026, 3, 1))
        assert (row.correct, row.finished_at) == (5, LATE)
        credits = _db.session.scalars(
            select(CreditEntry.amount).where(CreditEntry.rule == "daily_practice")
        ).all()
    assert credits == [1]


def test_an_answer_counts_once(app, make_user, bank):
    me = make_user()
    with app.app_context():
        user = _db.session.get(User, me)
        row = practice.start(user, date(2026, 3, 1), LATE)
        first = row.question_ids[0]
        practice.answer(user, date(2026, 3, 1), first, "B", LATE)
        with pytest.raises(LearningError, match="这道题已经答过了，每题只计一次。"):
            practice.answer(user, date(2026, 3, 1), first, "A", LATE)
        assert practice.day_row(me, date(2026, 3, 1)).correct == 0
        outsider = next(q for q in bank if q not in row.question_ids)
        with pytest.raises(LearningError, match="这道题不是今天抽给您的题目。"):
            practice.answer(user, date(2026, 3, 1), outsider, "A", LATE)


@pytest.mark.parametrize(
    "day, message",
    [
        (date(2026, 3, 2), "还没到这一天：明天的每日一练请明天再来。"),
        (date(2026, 2, 28), "过去的每日一练已经结束，不能补答。请做今天的题。"),
    ],
    ids=["tomorrow", "yesterday"],
)
def test_only_todays_practice_is_taken(app, make_user, bank, day, message):
    me = make_user()
    with app.app_context():
        user = _db.session.get(User, me)
        with pytest.raises(LearningError, match=message):
            practice.start(user, day, LATE)
        with pytest.raises(LearningError, match=message):
            practice.answer(user, day, bank[0], "A", LATE)
        assert practice.day_row(me, day) is None


def test_streak_crosses_midnight_in_shanghai_not_utc(app, make_user, bank):
    me = make_user()
    do_day(app, me, LATE)
    do_day(app, me, AFTER_MIDNIGHT)
    with app.app_context():
        assert sorted(practice.finished_days(me, date(2026, 1, 1))) == [
            date(2026, 3, 1),
            date(2026, 3, 2),
        ]
        assert practice.streak(me, AFTER_MIDNIGHT) == 2
        # the next evening, today's not done yet: the streak still stands until midnight
        assert practice.streak(me, AFTER_MIDNIGHT + timedelta(hours=20)) == 2
        # a whole local day missed: it is broken
        assert practice.streak(me, AFTER_MIDNIGHT + timedelta(days=2)) == 0
        assert practice.week(me, AFTER_MIDNIGHT)[-2:] == [
            (date(2026, 3, 1), True),
            (date(2026, 3, 2), True),
        ]


def test_weak_categories_are_weighted_up(app, make_user, bank):
    me = make_user()
    with app.app_context():
        user = _db.session.get(User, me)
        row = practice.start(user, date(2026, 3, 1), LATE)
        law = [qid for qid in row.question_ids if qid in bank[:4]]
        for qid in row.question_ids:
            practice.answer(user, date(2026, 3, 1), qid, "B" if qid in law else "A", LATE)
        weights = practice.category_weights(me)
    expected = {}
    if law:
        expected["law"] = 4.0  # every law answer wrong: 1 + 3 × 1
    if len(law) < 5:
        expected["health"] = 1.0  # every health answer right
    assert weights == expected


def test_practice_page_answer_and_family(app, client, login_as, make_user, bank):
    from plugins.credits.models import CreditHousehold

    me = login_as("resident")
    page = client.get("/learning/practice").data.decode()
    assert page.count('type="radio"') == 15 and "已连续学习 0 天。" in page
    with app.app_context():
        qid = practice.day_row(me, practice.local_day()).question_ids[0]
    today = practice.local_day().isoformat()
    done = client.post(
        f"/learning/practice/answer/{qid}",
        data={f"q{qid}-day": today, f"q{qid}-question_id": str(qid), f"q{qid}-choice": "A"},
    )
    assert done.status_code == 302
    shown = client.get("/learning/practice").data.decode()
    assert "回答正确！" in shown and "解析：解析 " in shown
    tomorrow = (practice.local_day() + timedelta(days=1)).isoformat()
    refused = client.post(
        f"/learning/practice/answer/{qid}",
        data={f"q{qid}-day": tomorrow, f"q{qid}-choice": "A"},
    )
    assert "明天的每日一练请明天再来" in client.get(refused.headers["Location"]).data.decode()
    spouse = make_user(name="家人甲")
    with app.app_context():
        _db.session.add_all(
            [CreditHousehold(user_id=me, name="王家"), CreditHousehold(user_id=spouse, name="王家")]
        )
        _db.session.commit()
    family = client.get("/learning/practice/family").data.decode()
    assert "家人的每日一练：王家" in family and "家人甲" in family


def test_a_question_gone_from_the_bank_is_answered_with_a_message(app, make_user, bank):
    from plugins.competitions.models import Question

    me = make_user()
    with app.app_context():
        user = _db.session.get(User, me)
        row = practice.start(user, date(2026, 3, 1), LATE)
        gone = row.question_ids[0]
        _db.session.delete(_db.session.get(Question, gone))
        _db.session.commit()
        with pytest.raises(LearningError, match="这道题已不在题库中。"):
            practice.answer(user, date(2026, 3, 1), gone, "A", LATE)
