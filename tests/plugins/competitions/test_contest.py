"""Taking a contest: draw, shuffle, no key in the page, deadlines, double submits, signal."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from core import signals
from core.extensions import db as _db
from core.models import User
from core.timeutil import utcnow
from plugins.competitions import services
from plugins.competitions.models import Answer, Attempt, Contest
from tests.plugins.competitions.helpers import add_questions, correct_positions, make_contest


def _setup(app, town, **contest_kwargs):
    with app.app_context():
        add_questions(6)
        contest = make_contest(town, **contest_kwargs)
        return contest.id


def _start(client, contest_id):
    response = client.post(f"/contests/{contest_id}/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_take_contest_page_has_no_key_then_review(app, client, town, login_as):
    contest_id = _setup(app, town)
    user_id = login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    page = client.get(f"/contests/attempts/{attempt_id}").get_data(as_text=True)
    assert "解析" not in page and "秘密" not in page and "correct" not in page
    assert "正确答案" not in page
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        assert len(attempt.drawn) == 3
        form = {
            f"q{item['question_id']}": str(correct_positions(attempt, item["question_id"])[0])
            for item in attempt.drawn
        }
    received = []
    signals.connect(signals.contest_finished, received.append, app)
    response = client.post(f"/contests/attempts/{attempt_id}", data={**form, "action": "submit"})
    assert response.status_code == 302
    review = client.get(f"/contests/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "30.0 / 30.0" in review and "秘密解析" in review
    # A second submit is a no-op: answers locked, the signal not sent again.
    again = client.post(f"/contests/attempts/{attempt_id}", data={**form, "action": "submit"})
    assert again.status_code == 302
    assert len(received) == 1 and received[0].score == 30.0 and received[0].user_id == user_id
    with app.app_context():
        assert _db.session.scalar(select(func.count(Answer.id))) == 3


def test_options_are_shuffled_per_attempt(app, town, make_user):
    with app.app_context():
        add_questions(6)
        contest = make_contest(town, count=6, attempts_allowed=1)
        orders = set()
        for _ in range(6):
            user = _db.session.get(User, make_user("resident", town.village_a_id))
            attempt = services.start_attempt(contest, user)
            orders |= {tuple(item["order"]) for item in attempt.drawn}
        assert len(orders) > 1


def test_answer_after_deadline_rejected_and_finished_by_timeout(app, client, town, login_as):
    contest_id = _setup(app, town, time_limit_minutes=1)
    login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    received = []
    signals.connect(signals.contest_finished, received.append, app)
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        qid = attempt.drawn[0]["question_id"]
        late = utcnow() + timedelta(minutes=5)
        result = services.save_answers(attempt_id, {qid: [0]}, now=late)
        assert result.late
        assert _db.session.scalar(select(func.count(Answer.id))) == 0
        attempt = _db.session.get(Attempt, attempt_id)
        assert attempt.finished_by == "timeout" and attempt.is_open is None
        assert services.finish_overdue(late) == 0
    assert len(received) == 1


def test_finish_overdue_command_hands_in_late_attempts(app, client, town, login_as):
    contest_id = _setup(app, town, time_limit_minutes=1)
    login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    with app.app_context():
        _db.session.get(Attempt, attempt_id).deadline = utcnow() - timedelta(minutes=1)
        _db.session.commit()
    result = app.test_cli_runner().invoke(args=["competitions", "finish-overdue"])
    assert result.exit_code == 0 and "finished 1 attempt(s)" in result.output
    with app.app_context():
        assert _db.session.get(Attempt, attempt_id).finished_by == "timeout"


def test_answer_question_not_drawn_is_refused(app, client, town, login_as):
    contest_id = _setup(app, town)
    login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    with app.app_context():
        extra = add_questions(1, category="health")[0]
    response = client.post(f"/contests/attempts/{attempt_id}", data={f"q{extra}": "0"})
    assert response.status_code == 303
    page = client.get(f"/contests/attempts/{attempt_id}").get_data(as_text=True)
    assert "不是抽给您的题目" in page
    with app.app_context():
        assert _db.session.scalar(select(func.count(Answer.id))) == 0


def test_one_open_attempt_and_attempt_limit(app, client, town, login_as):
    contest_id = _setup(app, town, attempts_allowed=2)
    login_as("resident", town.village_a_id)
    first = _start(client, contest_id)
    assert _start(client, contest_id) == first  # the running one is reused
    # Blank hand-ins, confirmed on the confirmation step: they still use up an attempt.
    client.post(f"/contests/attempts/{first}", data={"action": "confirm_submit"})
    second = _start(client, contest_id)
    assert second != first
    # Review of the first is hidden while attempts remain.
    page = client.get(f"/contests/attempts/{first}/result").get_data(as_text=True)
    assert "秘密解析" not in page
    client.post(f"/contests/attempts/{second}", data={"action": "confirm_submit"})
    response = client.post(f"/contests/{contest_id}/start", follow_redirects=True)
    assert "用完" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Attempt.id))) == 2


def test_open_marker_is_unique_in_database(app, town, make_user):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        add_questions(3)
        contest = make_contest(town)
        user = _db.session.get(User, make_user("resident", town.village_a_id))
        services.start_attempt(contest, user)
        _db.session.add(
            Attempt(
                contest_id=contest.id,
                user_id=user.id,
                attempt_no=2,
                is_open=True,
                drawn=[],
                deadline=utcnow(),
            )
        )
        with pytest.raises(IntegrityError):
            _db.session.commit()
        _db.session.rollback()


def test_eligibility_by_village(app, client, town, login_as):
    contest_id = _setup(app, town, eligible_unit_id=None)
    with app.app_context():
        contest = _db.session.get(Contest, contest_id)
        contest.eligible_unit_id = town.village_b_id
        _db.session.commit()
    login_as("resident", town.village_a_id)
    response = client.post(f"/contests/{contest_id}/start", follow_redirects=True)
    assert "指定村" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Attempt.id))) == 0


def test_closed_and_draft_contests(app, client, town, login_as):
    contest_id = _setup(
        app, town, opens_at=utcnow() - timedelta(days=2), closes_at=utcnow() - timedelta(days=1)
    )
    login_as("resident", town.village_a_id)
    response = client.post(f"/contests/{contest_id}/start", follow_redirects=True)
    assert "不在开放时间" in response.get_data(as_text=True)
    with app.app_context():
        draft = make_contest(town, state="draft")
        draft_id = draft.id
    assert client.get(f"/contests/{draft_id}").status_code == 404
    assert client.get("/contests/99999").status_code == 404


def test_other_persons_attempt_is_404(app, client, town, login_as):
    contest_id = _setup(app, town)
    login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    login_as("resident", town.village_b_id)
    assert client.get(f"/contests/attempts/{attempt_id}").status_code == 404
    for action in ("submit", "confirm_submit"):
        response = client.post(f"/contests/attempts/{attempt_id}", data={"action": action})
        assert response.status_code == 404
    with app.app_context():
        assert _db.session.get(Attempt, attempt_id).finished_at is None


def test_multiple_choice_needs_every_letter(app, town, make_user):
    with app.app_context():
        add_questions(1, kind="multiple")
        contest = make_contest(town, count=1)
        user = _db.session.get(User, make_user("resident", town.village_a_id))
        attempt = services.start_attempt(contest, user)
        qid = attempt.drawn[0]["question_id"]
        right = correct_positions(attempt, qid)
        services.save_answers(attempt.id, {qid: right[:1]})
        services.finish_attempt(attempt.id)
        assert _db.session.get(Attempt, attempt.id).score == 0
    assert re.match(r"^[A-F]+$", "AC")


def test_saving_the_sheet_reads_the_person_once(app, client, town, login_as, sql_statements):
    """The language is settled before the save commits, so the flash afterwards does not
    reload the expired user row: one user SELECT per save (300 saves at once add up)."""
    contest_id = _setup(app, town)
    login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        form = {f"q{item['question_id']}": "0" for item in attempt.drawn}
    with sql_statements() as seen:
        response = client.post(f"/contests/attempts/{attempt_id}", data={**form, "action": "save"})
    assert response.status_code == 302
    user_reads = [s for s in seen if re.search(r"FROM user_account\b", s)]
    assert len(user_reads) == 1, user_reads


def _credits(app, user_id) -> int:
    from core.plugins import get_service

    with app.app_context():
        return get_service("credits", app).balance(user_id)


def _verdicts(page: str) -> list[str]:
    return re.findall(r'<span class="verdict">(.*?)</span>', page)


def test_blank_hand_in_asks_first_then_counts_nothing_and_earns_no_credit(
    app, client, town, login_as
):
    contest_id = _setup(app, town)
    user_id = login_as("resident", town.village_a_id)
    rule = client.get(f"/contests/{contest_id}").get_data(as_text=True)
    assert "至少答 2 题）才算参赛" in rule and "空白答卷或答题不足一半的不算参赛，不得学分" in rule
    attempt_id = _start(client, contest_id)
    received = []
    signals.connect(signals.contest_finished, received.append, app)
    # First press of 交卷: the sheet again, saying nothing is answered, asking to confirm.
    asked = client.post(f"/contests/attempts/{attempt_id}", data={"action": "submit"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "您一道题也没有作答。" in page
    assert "答题不足一半，交卷后不计参赛，不得学分。" in page
    assert 'value="confirm_submit"' in page and page.count("未作答") == 3
    with app.app_context():
        assert _db.session.get(Attempt, attempt_id).finished_at is None
    assert received == []
    handed = client.post(f"/contests/attempts/{attempt_id}", data={"action": "confirm_submit"})
    assert handed.status_code == 302 and handed.headers["Location"].endswith("/result")
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        assert (attempt.answered, attempt.participated) == (0, False)
        assert attempt.finished_by == "submit"
    assert len(received) == 1 and (received[0].answered, received[0].question_count) == (0, 3)
    assert not received[0].participated
    assert _credits(app, user_id) == 0
    result = client.get(f"/contests/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "作答 0 / 3 题。" in result and "这是空白答卷，不计参赛，不得学分。" in result
    assert _verdicts(result) == ["未作答", "未作答", "未作答"]


def test_partial_hand_in_lists_unanswered_keeps_answers_and_reviews_them(
    app, client, town, login_as
):
    contest_id = _setup(app, town, count=4)
    user_id = login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        first, _second, third, _fourth = (item["question_id"] for item in attempt.drawn)
        right = correct_positions(attempt, first)[0]
        wrong = next(p for p in range(4) if p not in correct_positions(attempt, third))
    # Questions 1 (right) and 3 (wrong) answered; 2 and 4 left blank.
    asked = client.post(
        f"/contests/attempts/{attempt_id}",
        data={f"q{first}": str(right), f"q{third}": str(wrong), "action": "submit"},
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "第 2、4 题还没有作答。" in page
    assert "未答的题不得分。" in page
    # What was answered is kept: saved, and ticked on the sheet shown again.
    assert page.count(" checked>") == 2
    with app.app_context():
        assert _db.session.scalar(select(func.count(Answer.id))) == 2
        assert _db.session.get(Attempt, attempt_id).finished_at is None
    client.post(f"/contests/attempts/{attempt_id}", data={"action": "confirm_submit"})
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        assert (attempt.answered, attempt.participated, attempt.score) == (2, True, 10.0)
    assert _credits(app, user_id) == 3  # half answered: taking part, the contest credit
    result = client.get(f"/contests/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "作答 2 / 4 题。已计为参赛。" in result
    assert _verdicts(result) == ["答对", "未作答", "答错", "未作答"]


def test_fewer_than_half_answered_earns_no_credit(app, client, town, login_as):
    contest_id = _setup(app, town, count=3)
    user_id = login_as("resident", town.village_a_id)
    attempt_id = _start(client, contest_id)
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        first = attempt.drawn[0]["question_id"]
        right = correct_positions(attempt, first)[0]
    asked = client.post(
        f"/contests/attempts/{attempt_id}", data={f"q{first}": str(right), "action": "submit"}
    )
    assert "第 2、3 题还没有作答。" in asked.get_data(as_text=True)
    assert "答题不足一半，交卷后不计参赛，不得学分。" in asked.get_data(as_text=True)
    client.post(f"/contests/attempts/{attempt_id}", data={"action": "confirm_submit"})
    with app.app_context():
        attempt = _db.session.get(Attempt, attempt_id)
        assert (attempt.answered, attempt.participated, attempt.score) == (1, False, 10.0)
    assert _credits(app, user_id) == 0
    result = client.get(f"/contests/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "作答不足一半，不计参赛，不得学分。" in result
