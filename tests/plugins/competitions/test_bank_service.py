"""The question bank as other plugins see it: plain dicts, marking, weighted draws."""

from __future__ import annotations

import pytest

from core.extensions import db as _db
from core.plugins import get_service
from tests.plugins.competitions.helpers import add_questions


def test_questions_come_as_dicts_in_the_order_asked(app):
    with app.app_context():
        ids = add_questions(3)
        found = get_service("competitions").questions([ids[2], 99999, ids[0]])
    assert [q["id"] for q in found] == [ids[2], ids[0]]
    assert found[0]["options"] == ["对的", "错的一", "错的二", "错的三"]
    assert (found[0]["answer"], found[0]["category_label"]) == ("A", "法律")


def test_is_right_marks_like_a_contest(app):
    with app.app_context():
        bank = get_service("competitions")
        single = add_questions(1)[0]
        multiple = add_questions(1, kind="multiple")[0]
        assert bank.is_right(single, "A") is True
        assert bank.is_right(single, "B") is False
        assert bank.is_right(multiple, "CA") is True  # order of letters does not matter
        assert bank.is_right(multiple, "A") is False
        assert bank.is_right(424242, "A") is None


def test_draw_weights_categories_and_skips_excluded(app):
    with app.app_context():
        bank = get_service("competitions")
        law = add_questions(5, category="law")
        health = add_questions(5, category="health")
        drawn = bank.draw_questions(5, {"law": 1000, "health": 0}, exclude=law[:1])
        assert len(set(drawn)) == 5
        assert law[0] not in drawn
        assert sum(qid in law for qid in drawn) >= 3  # health weighs almost nothing
        assert set(bank.draw_questions(20)) == set(law) | set(health)  # all there is


def test_add_question_is_idempotent_and_checked(app):
    with app.app_context():
        bank = get_service("competitions")
        first = bank.add_question("single", "law", "借款时效几年?", ["一年", "三年"], "B")
        assert bank.add_question("single", "law", "借款时效几年?", ["一年", "三年"], "B") == first
        with pytest.raises(ValueError):
            bank.add_question("single", "law", "另一道题", ["一年", "三年"], "D")
        with pytest.raises(ValueError):
            bank.add_question("single", "nowhere", "第三道题", ["一年", "三年"], "A")
        _db.session.commit()
        assert (first, "[法律] 借款时效几年?") in bank.question_choices()


def test_the_registered_service_satisfies_its_protocol(app):
    from plugins.competitions.hooks import CompetitionsServiceProtocol

    with app.app_context():
        assert isinstance(get_service("competitions"), CompetitionsServiceProtocol)

    class Partial:
        def questions(self, ids):
            return []

    assert not isinstance(Partial(), CompetitionsServiceProtocol)
