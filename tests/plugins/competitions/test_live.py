"""Live prize quiz: join without account, answers counted once, deadlines, paper sheets."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.competitions.live.models import LiveAnswer, LiveParticipant, LiveSession
from tests.plugins.competitions.helpers import add_questions


def _quiz(app, client, town, login_as, count=3):
    with app.app_context():
        add_questions(4)
    host_id = login_as("village_coordinator", town.village_a_id)
    response = client.post(
        "/contests/live/new",
        data={
            "title": "院坝会有奖问答",
            "org_unit_id": town.village_a_id,
            "category": "law",
            "question_count": count,
            "seconds_per_question": 30,
            "location": "甲村学习中心",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        quiz = _db.session.scalar(select(LiveSession))
        return quiz.id, quiz.code, host_id


def _phone(app, code, name, village_id):
    phone = app.test_client()
    response = phone.post(
        "/contests/live/join", data={"code": code.lower(), "name": name, "village_id": village_id}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return phone


def test_full_live_round(app, client, town, login_as):
    quiz_id, code, _ = _quiz(app, client, town, login_as)
    phone_a = _phone(app, code, "张三", town.village_a_id)
    phone_b = _phone(app, code, "李四", town.village_b_id)
    assert "等待主持人" in phone_a.get(f"/contests/live/play/{code}").get_data(as_text=True)
    # Answering before the question is shown is refused.
    client.post(f"/contests/live/{quiz_id}/advance")
    with app.app_context():
        quiz = _db.session.get(LiveSession, quiz_id)
        qid, key = quiz.current_question_id, "A"
    page = phone_a.get(f"/contests/live/play/{code}").get_data(as_text=True)
    assert "正确答案" not in page and "秘密" not in page
    bogus = phone_a.post(
        f"/contests/live/play/{code}/answer",
        data={"question_id": qid, "choice": "Z"},
        follow_redirects=True,
    )
    assert "请选择答案" in bogus.get_data(as_text=True)
    phone_a.post(f"/contests/live/play/{code}/answer", data={"question_id": qid, "choice": key})
    repeat = phone_a.post(
        f"/contests/live/play/{code}/answer",
        data={"question_id": qid, "choice": "B"},
        follow_redirects=True,
    )
    assert "以第一次为准" in repeat.get_data(as_text=True)
    phone_b.post(f"/contests/live/play/{code}/answer", data={"question_id": qid, "choice": "B"})
    state = client.get(f"/contests/live/{quiz_id}/host/state.json").get_json()
    assert state["answers"] == 2 and state["state"] == "question"
    client.post(f"/contests/live/{quiz_id}/advance")  # reveal
    late = phone_b.post(
        f"/contests/live/play/{code}/answer",
        data={"question_id": qid, "choice": "A"},
        follow_redirects=True,
    )
    assert "已经结束" in late.get_data(as_text=True)
    host = client.get(f"/contests/live/{quiz_id}/host").get_data(as_text=True)
    assert "计分板" in host and "张三" in host
    for _ in range(5):  # q2, reveal, q3, reveal, finished
        client.post(f"/contests/live/{quiz_id}/advance")
    with app.app_context():
        assert _db.session.get(LiveSession, quiz_id).state == "finished"
        rows = _db.session.execute(select(LiveAnswer.chosen, LiveAnswer.correct)).all()
        assert sorted(rows) == [("A", True), ("B", False)]
    closed = app.test_client().post(
        "/contests/live/join", data={"code": code, "name": "王五", "village_id": town.village_a_id}
    )
    assert closed.status_code == 400 and "已经结束" in closed.get_data(as_text=True)
    # Paper sheets typed in afterwards.
    response = client.post(
        f"/contests/live/{quiz_id}/results",
        data={"name": "赵大爷", "village_id": town.village_a_id, "answers": "A - A"},
    )
    assert response.status_code == 302
    bad = client.post(
        f"/contests/live/{quiz_id}/results",
        data={"name": "钱大妈", "village_id": town.village_a_id, "answers": "A"},
    )
    assert "需要 3 个答案" in bad.get_data(as_text=True)
    results = client.get(f"/contests/live/{quiz_id}/results").get_data(as_text=True)
    assert "赵大爷" in results and "纸质" in results
    with app.app_context():
        assert _db.session.scalar(select(func.count(LiveParticipant.id))) == 3


def test_wrong_code_and_other_village_host(app, client, town, login_as):
    quiz_id, code, _ = _quiz(app, client, town, login_as)
    phone = app.test_client()
    response = phone.post(
        "/contests/live/join",
        data={"code": "ZZZZZZ", "name": "张三", "village_id": town.village_a_id},
    )
    assert "没有这个问答码" in response.get_data(as_text=True)
    no_village = phone.post(
        "/contests/live/join", data={"code": code, "name": "张三", "village_id": 0}
    )
    assert no_village.status_code == 400 and "请选择所在村" in no_village.get_data(as_text=True)
    assert phone.get(f"/contests/live/play/{code}").status_code == 302
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/contests/live/{quiz_id}/host").status_code == 403
    assert client.post(f"/contests/live/{quiz_id}/advance").status_code == 403
    with app.app_context():
        assert _db.session.get(LiveSession, quiz_id).state == "waiting"


def test_second_phone_with_the_same_name_gets_a_new_seat(app, client, town, login_as):
    quiz_id, code, _ = _quiz(app, client, town, login_as)
    first = _phone(app, code, "张三", town.village_a_id)
    second = _phone(app, code, "张三", town.village_a_id)  # another phone, same name and village
    # The same phone joining again gets its own seat back, not a third one.
    first.post(
        "/contests/live/join", data={"code": code, "name": "张三", "village_id": town.village_a_id}
    )
    with app.app_context():
        seats = _db.session.execute(
            select(LiveParticipant.name, LiveParticipant.seat).order_by(LiveParticipant.seat)
        ).all()
        assert seats == [("张三", 1), ("张三", 2)]
    assert "张三 · 甲村" in first.get(f"/contests/live/play/{code}").get_data(as_text=True)
    assert "张三（2） · 甲村" in second.get(f"/contests/live/play/{code}").get_data(as_text=True)
    host = client.get(f"/contests/live/{quiz_id}/host").get_data(as_text=True)
    assert "已加入 2 人" in host and "张三 · 甲村；张三（2） · 甲村" in host
    client.post(f"/contests/live/{quiz_id}/advance")
    with app.app_context():
        qid = _db.session.get(LiveSession, quiz_id).current_question_id
    answered = first.post(
        f"/contests/live/play/{code}/answer",
        data={"question_id": qid, "choice": "A"},
        follow_redirects=True,
    )
    assert "答案已提交" in answered.get_data(as_text=True)
    # The second phone's answer is its own, not a repeat of the first phone's seat.
    taken = second.post(
        f"/contests/live/play/{code}/answer",
        data={"question_id": qid, "choice": "B"},
        follow_redirects=True,
    )
    assert "答案已提交" in taken.get_data(as_text=True)
    client.post(f"/contests/live/{quiz_id}/advance")  # reveal
    with app.app_context():
        answers = _db.session.execute(
            select(LiveParticipant.seat, LiveAnswer.chosen, LiveAnswer.correct)
            .join(LiveParticipant, LiveParticipant.id == LiveAnswer.participant_id)
            .order_by(LiveParticipant.seat)
        ).all()
        assert answers == [(1, "A", True), (2, "B", False)]
    assert "您答对了" in first.get(f"/contests/live/play/{code}").get_data(as_text=True)
    assert "您答错了" in second.get(f"/contests/live/play/{code}").get_data(as_text=True)
    board = client.get(f"/contests/live/{quiz_id}/host").get_data(as_text=True)
    assert re.search(r"<td>1</td><td>张三</td><td>甲村</td><td>1</td>", board)
    assert re.search(r"<td>2</td><td>张三（2）</td><td>甲村</td><td>0</td>", board)


def test_projector_shows_code_qr_names_then_question_without_site_navigation(
    app, client, town, login_as
):
    import segno

    quiz_id, code, _ = _quiz(app, client, town, login_as)
    _phone(app, code, "张三", town.village_a_id)
    _phone(app, code, "张三", town.village_b_id)
    host = client.get(f"/contests/live/{quiz_id}/host").get_data(as_text=True)
    assert f'href="/contests/live/{quiz_id}/projector"' in host
    screen = client.get(f"/contests/live/{quiz_id}/projector").get_data(as_text=True)
    assert f'<p class="projector-code">{code}</p>' in screen
    join_url = f"http://localhost/contests/live/join?code={code}"
    assert join_url in screen
    assert segno.make(join_url, error="m").svg_inline(scale=10, border=2) in screen
    # two people of one name are told apart by village
    assert '张三<span class="muted">（甲村）</span>' in screen
    assert '张三<span class="muted">（乙村）</span>' in screen
    assert "已加入 2 人" in screen
    assert "site-header" not in screen and "主导航" not in screen
    state = client.get(f"/contests/live/{quiz_id}/host/state.json").get_json()
    assert state["participants"] == 2
    client.post(f"/contests/live/{quiz_id}/advance")
    with app.app_context():
        quiz = _db.session.get(LiveSession, quiz_id)
        from plugins.competitions.models import Question

        stem = _db.session.get(Question, quiz.current_question_id).stem
    screen = client.get(f"/contests/live/{quiz_id}/projector").get_data(as_text=True)
    assert f'<p class="projector-stem">{stem}</p>' in screen
    left = re.search(r'class="projector-countdown countdown" data-countdown="(\d+)"', screen)
    assert left and 0 < int(left.group(1)) <= 30
    assert "第 1 / 3 题" in screen
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/contests/live/{quiz_id}/projector").status_code == 403


def test_live_form_shows_the_bank_shortfall_with_the_field_errors(app, client, town, login_as):
    """A missing title and too few questions in the bank: both said at once, nothing created."""
    with app.app_context():
        add_questions(4)
    login_as("village_coordinator", town.village_a_id)
    response = client.post(
        "/contests/live/new",
        data={
            "title": "",
            "org_unit_id": town.village_a_id,
            "category": "law",
            "question_count": 20,
            "seconds_per_question": 1,
        },
    )
    page = response.get_data(as_text=True)
    assert "题库中只有 4 道可用题。" in page
    assert "必填" in page  # the empty title
    assert "5 到 600" in page or "between 5 and 600" in page  # seconds out of range
    with app.app_context():
        assert _db.session.scalar(select(func.count(LiveSession.id))) == 0
