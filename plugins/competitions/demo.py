"""Demo data: the question bank, an open contest, a finished one with results, an award round.

Everything is found by a natural key (stem, title, phone) first, so loading twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from core import accounts, signals
from core.demo import DEMO_PASSWORD, demo_user, demo_village
from core.extensions import db
from core.models import OrgUnit, User
from core.timeutil import utcnow
from plugins.competitions import services
from plugins.competitions.awards.models import AwardJudge, AwardRound, JudgeScore, Nomination
from plugins.competitions.demo_questions import QUESTIONS
from plugins.competitions.importer import stem_key
from plugins.competitions.live.models import LiveSession
from plugins.competitions.models import Answer, Attempt, Contest, Question
from plugins.competitions.qtypes import LETTERS, TRUE_FALSE_OPTIONS

#: Extra residents who took the finished contest: (phone, name, village).
PLAYERS = [
    ("13900600001", "何秀英", "双槐社区"),
    ("13900600002", "罗建国", "渭溪村"),
    ("13900600003", "邓小琴", "渭溪村"),
    ("13900600004", "杨德明", "黄土村"),
    ("13900600005", "谢玉兰", "黄土村"),
    ("13900600006", "蒋志刚", "三觉村"),
    ("13900600007", "曾凤英", "马寨村"),
    ("13900600008", "彭家全", "金鸡村"),
    ("13900600009", "吕桂芳", "文星村"),
    ("13900600010", "苏长福", "石堰社区"),
    ("13900600011", "田丽萍", "渭溪村"),
    ("13900600012", "袁光明", "龙洞村"),
]


def load(town: OrgUnit) -> None:
    load_questions()
    manager = demo_user("programme_manager")
    if manager is None:
        return
    open_contest(town)
    finished_contest(town)
    award_round(town)
    live_quiz(town, demo_user("village_coordinator"))
    db.session.flush()


def load_questions() -> None:
    """The 100+ bank questions; options shuffled once (seeded) so keys are not all "A"."""
    known = set(db.session.scalars(select(Question.stem_key)))
    for kind, category, difficulty, stem, options, answer, explanation in QUESTIONS:
        key = stem_key(stem)
        if key in known:
            continue
        if kind == "true_false":
            options = list(TRUE_FALSE_OPTIONS)
        else:
            order = list(range(len(options)))
            random.Random(key).shuffle(order)
            answer = "".join(sorted(LETTERS[order.index(LETTERS.index(ch))] for ch in answer))
            options = [options[i] for i in order]
        db.session.add(
            Question(
                kind=kind,
                category=category,
                difficulty=difficulty,
                stem=stem,
                stem_key=key,
                options=options,
                answer=answer,
                explanation=explanation,
            )
        )
        known.add(key)
    db.session.flush()


def _contest(town: OrgUnit, title: str, **values) -> tuple[Contest, bool]:
    contest = db.session.scalar(select(Contest).where(Contest.title == title))
    if contest is not None:
        return contest, False
    contest = Contest(title=title, org_unit_id=town.id, state="published", **values)
    db.session.add(contest)
    db.session.flush()
    return contest, True


def open_contest(town: OrgUnit) -> None:
    now = utcnow()
    _contest(
        town,
        "2026年普法与防诈骗知识竞赛",
        description="面向全镇居民的线上知识竞赛，每人可答两次，取最好成绩。答完即可查看解析。",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=30),
        time_limit_minutes=15,
        attempts_allowed=2,
        counting="best",
        points_per_question=10.0,
        quotas=[
            {"category": "law", "difficulty": 1, "count": 3},
            {"category": "anti_fraud", "difficulty": 1, "count": 3},
            {"category": "anti_fraud", "difficulty": 2, "count": 2},
            {"category": "law", "difficulty": 2, "count": 2},
        ],
    )


def _player(phone: str, name: str, town: OrgUnit, village: str) -> User:
    user = accounts.find_by_phone(phone)
    if user is None:
        user = accounts.create_user(phone, DEMO_PASSWORD, name, demo_village(town, village))
    return user


def finished_contest(town: OrgUnit) -> None:
    """A closed contest with attempts by demo residents, and the top three marked as winners."""
    now = utcnow()
    contest, created = _contest(
        town,
        "2026年健康与安全知识竞赛",
        description="已结束的竞赛：可查看个人和村（社区）排行榜。",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        time_limit_minutes=20,
        attempts_allowed=1,
        counting="best",
        points_per_question=10.0,
        quotas=[
            {"category": "health", "difficulty": 1, "count": 4},
            {"category": "safety", "difficulty": 1, "count": 4},
            {"category": "elderly", "difficulty": 2, "count": 2},
        ],
    )
    if not created:
        return
    rng = random.Random(2026)
    people = [_player(p, n, town, v) for p, n, v in PLAYERS]
    people += [u for u in (demo_user("resident"), demo_user("volunteer")) if u]
    for index, user in enumerate(people):
        started = contest.opens_at + timedelta(days=index + 1, hours=rng.randint(0, 8))
        attempt = Attempt(
            contest_id=contest.id,
            user_id=user.id,
            home_unit_id=user.home_unit_id,
            attempt_no=1,
            is_open=True,
            drawn=services.draw(contest),
            started_at=started,
            deadline=started + timedelta(minutes=20),
            max_score=contest.question_count * contest.points_per_question,
        )
        db.session.add(attempt)
        db.session.flush()
        skill = rng.uniform(0.4, 0.95)
        for item in attempt.drawn:
            question = db.session.get(Question, item["question_id"])
            wrong = [ch for ch in LETTERS[: len(question.options)] if ch not in question.answer]
            chosen = question.answer if rng.random() < skill or not wrong else rng.choice(wrong)
            db.session.add(
                Answer(
                    attempt_id=attempt.id,
                    question_id=question.id,
                    chosen=chosen,
                    answered_at=started + timedelta(minutes=5),
                )
            )
        db.session.flush()
        attempt.score, attempt.answered = services.score_and_answered(attempt)
        attempt.participated = signals.contest_participated(
            attempt.answered, attempt.question_count
        )
        attempt.duration_seconds = float(rng.randint(180, 1100))
        attempt.finished_at = started + timedelta(seconds=attempt.duration_seconds)
        attempt.is_open, attempt.finished_by = None, "submit"
    db.session.flush()
    from plugins.competitions.models import Winner
    from plugins.competitions.ranking import people_board

    manager = demo_user("programme_manager")
    for row, prize in zip(people_board(contest), ["一等奖", "二等奖", "三等奖"], strict=False):
        db.session.add(
            Winner(
                contest_id=contest.id,
                user_id=row.attempt.user_id,
                prize=prize,
                marked_by_id=manager.id,
            )
        )


def award_round(town: OrgUnit) -> None:
    """A round of 学习型家庭 in judging: three nominations, two judges, some scores."""
    title = "2026年度“学习型家庭”评比"
    if db.session.scalar(select(AwardRound.id).where(AwardRound.title == title)):
        return
    award = AwardRound(
        title=title,
        award_type="learning_family",
        year=2026,
        org_unit_id=town.id,
        winners_count=2,
        state="judging",
        criteria=[
            {"name": "学习氛围", "weight": 40},
            {"name": "带动作用", "weight": 35},
            {"name": "材料完整", "weight": 25},
        ],
    )
    db.session.add(award)
    db.session.flush()
    coordinator = demo_user("village_coordinator") or demo_user("programme_manager")
    nominations = []
    for name, village, reason in [
        ("罗建国家庭", "渭溪村", "三代同堂坚持参加夜校和微讲堂，家中设有读书角。"),
        ("杨德明家庭", "黄土村", "带头学习柑橘种植新技术，带动周边十余户增收。"),
        ("何秀英家庭", "双槐社区", "全家参加社区志愿服务和防诈骗宣传。"),
    ]:
        nomination = Nomination(
            round_id=award.id,
            nominee_name=name,
            nominee_unit_id=demo_village(town, village).id,
            nominated_by_id=coordinator.id,
            reason=reason,
        )
        db.session.add(nomination)
        nominations.append(nomination)
    judges = [
        u
        for u in (demo_user("counsellor"), demo_user("lecturer"), demo_user("programme_manager"))
        if u
    ]
    for judge in judges:
        db.session.add(AwardJudge(round_id=award.id, user_id=judge.id))
    db.session.flush()
    lecturer = demo_user("lecturer")
    if lecturer:
        for nomination, marks in zip(nominations, [(88, 80, 90), (92, 95, 85)], strict=False):
            scores = dict(zip([c["name"] for c in award.criteria], marks, strict=True))
            weighted = sum(
                m * c["weight"] / 100 for m, c in zip(marks, award.criteria, strict=True)
            )
            db.session.add(
                JudgeScore(
                    nomination_id=nomination.id,
                    judge_id=lecturer.id,
                    scores=scores,
                    weighted=round(weighted, 2),
                )
            )


def live_quiz(town: OrgUnit, host: User | None) -> None:
    """A prize quiz scheduled for next week's courtyard meeting in 渭溪村."""
    if host is None or db.session.scalar(
        select(LiveSession.id).where(LiveSession.code == "WX2026")
    ):
        return
    ids = list(
        db.session.scalars(select(Question.id).where(Question.category == "anti_fraud").limit(5))
    )
    db.session.add(
        LiveSession(
            code="WX2026",
            title="渭溪村院坝会防诈骗有奖问答",
            org_unit_id=demo_village(town, "渭溪村").id,
            host_id=host.id,
            question_ids=ids,
            seconds_per_question=30,
            scheduled_at=utcnow() + timedelta(days=7),
            location="渭溪村社区教育学习中心",
        )
    )
