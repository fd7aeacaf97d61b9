"""Awards: nominations with evidence checked by content, judges, conflicts, results."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from core.extensions import db as _db
from core.models import Notification, User
from core.timeutil import to_local
from plugins.competitions.awards.models import AwardRound, Evidence, JudgeScore, Nomination
from tests.conftest import log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _round(app, client, town, login_as):
    manager_id = login_as("programme_manager", town.town_id)
    response = client.post(
        "/contests/awards/new",
        data={
            "title": "2026年度学习型家庭评比",
            "award_type": "learning_family",
            "year": 2026,
            "winners_count": 1,
            "criteria": "学习氛围 60\n带动作用 40",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return _db.session.scalar(select(AwardRound.id)), manager_id


def test_bad_criteria_refused(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    response = client.post(
        "/contests/awards/new",
        data={
            "title": "x",
            "award_type": "learning_family",
            "year": 2026,
            "winners_count": 1,
            "criteria": "学习氛围 60\n带动作用 30",
        },
    )
    assert "合计必须等于 100" in response.get_data(as_text=True)


def test_nominate_judge_conflict_publish(app, client, town, login_as, make_user):
    round_id, manager_id = _round(app, client, town, login_as)
    login_as("village_coordinator", town.village_a_id)
    # A village may nominate only within its own unit.
    forbidden = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={"nominee_name": "乙村某户", "nominee_unit_id": town.village_b_id, "reason": "好"},
    )
    assert forbidden.status_code == 200 and "has-error" in forbidden.get_data(as_text=True)
    junk = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={
            "nominee_name": "王家",
            "nominee_unit_id": town.village_a_id,
            "reason": "全家爱学习",
            "evidence": (io.BytesIO(b"MZ\x90\x00 an exe"), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert "只接受 PDF、PNG 或 JPEG" in junk.get_data(as_text=True)
    with app.app_context():
        assert _db.session.scalar(select(func.count(Nomination.id))) == 0
    response = client.post(
        f"/contests/awards/{round_id}/nominate",
        data={
            "nominee_name": "王家",
            "nominee_unit_id": town.village_a_id,
            "reason": "全家爱学习",
            "evidence": (io.BytesIO(PNG), "photo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        nomination_id = _db.session.scalar(select(Nomination.id))
        evidence_id = _db.session.scalar(select(Evidence.id))
    assert client.get(f"/contests/awards/evidence/{evidence_id}").data == PNG
    # Village B's coordinator sees neither the nomination nor its file.
    login_as("village_coordinator", town.village_b_id)
    assert client.get(f"/contests/awards/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/contests/awards/nominations/{nomination_id}").status_code == 404
    # Judges: one from village A (conflict), one from village B.
    judge_a = make_user("resident", town.village_a_id, phone="13700000001")
    judge_b = make_user("resident", town.village_b_id, phone="13700000002")
    log_in(client, app, manager_id)
    for phone in ("13700000001", "13700000002"):
        client.post(f"/contests/awards/{round_id}/judges", data={"phone": phone})
    client.post(f"/contests/awards/{round_id}/state", data={"state": "judging"})
    log_in(client, app, judge_a)
    refused = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "90", "c1": "90"}
    )
    assert refused.status_code == 400 and "回避" in refused.get_data(as_text=True)
    log_in(client, app, judge_b)
    bad = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "190", "c1": "1"}
    )
    assert bad.status_code == 400
    ok = client.post(f"/contests/awards/nominations/{nomination_id}", data={"c0": "90", "c1": "80"})
    assert ok.status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(func.count(JudgeScore.id))) == 1
        assert _db.session.scalar(select(JudgeScore.weighted)) == 86.0
    # Only managers publish; then certificates print.
    assert (
        client.post(f"/contests/awards/{round_id}/state", data={"state": "published"}).status_code
        == 403
    )
    log_in(client, app, manager_id)
    client.post(f"/contests/awards/{round_id}/state", data={"state": "published"})
    with app.app_context():
        nomination = _db.session.get(Nomination, nomination_id)
        assert nomination.final_score == 86.0 and nomination.rank == 1
    certificates = client.get(f"/contests/awards/{round_id}/certificates").get_data(as_text=True)
    assert "荣誉证书" in certificates and "王家" in certificates
    # Judging is over: scores refused.
    log_in(client, app, judge_b)
    late = client.post(
        f"/contests/awards/nominations/{nomination_id}", data={"c0": "10", "c1": "10"}
    )
    assert late.status_code == 400
    with app.app_context():
        assert _db.session.get(User, judge_b) is not None
        assert _db.session.scalar(select(JudgeScore.weighted)) == 86.0


def test_not_a_judge_cannot_score(app, client, town, login_as):
    round_id, _ = _round(app, client, town, login_as)
    client.post(
        f"/contests/awards/{round_id}/nominate",
        data={"nominee_name": "李家", "nominee_unit_id": town.village_b_id, "reason": "好"},
    )
    client.post(f"/contests/awards/{round_id}/state", data={"state": "judging"})
    with app.app_context():
        nomination_id = _db.session.scalar(select(Nomination.id))
    login_as("resident", town.village_a_id)
    assert (
        client.post(
            f"/contests/awards/nominations/{nomination_id}", data={"c0": "1", "c1": "1"}
        ).status_code
        == 404
    )


def _judged_round(app, make_user, town, tie_rule: str, places: int, marks: dict, title: str):
    """A round in judging, created through the form, with one judge's ``marks`` per nominee
    (criteria 学习氛围 60, 带动作用 40), nominees in village A; returns the round id."""
    with app.app_context():
        judge = make_user("resident", town.village_b_id)
        award_round = AwardRound(
            title=title,
            award_type="learning_family",
            year=2026,
            org_unit_id=town.town_id,
            winners_count=places,
            tie_rule=tie_rule,
            criteria=[{"name": "学习氛围", "weight": 60}, {"name": "带动作用", "weight": 40}],
            state="judging",
        )
        _db.session.add(award_round)
        _db.session.flush()
        for name, (first, second) in marks.items():
            nomination = Nomination(
                round_id=award_round.id,
                nominee_name=name,
                nominee_unit_id=town.village_a_id,
                nominated_by_id=judge,
                reason="好",
            )
            _db.session.add(nomination)
            _db.session.flush()
            _db.session.add(
                JudgeScore(
                    nomination_id=nomination.id,
                    judge_id=judge,
                    scores={"学习氛围": first, "带动作用": second},
                    weighted=round(first * 0.6 + second * 0.4, 2),
                )
            )
        _db.session.commit()
        return award_round.id


def _certificates(client, round_id) -> list[str]:
    """Each certificate's text, tags dropped and white space collapsed."""
    page = client.get(f"/contests/awards/{round_id}/certificates").get_data(as_text=True)
    sections = re.findall(r'<section class="certificate">(.*?)</section>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", s).split()) for s in sections]


def _issued(app, round_id) -> str:
    with app.app_context():
        day = to_local(_db.session.get(AwardRound, round_id).published_at)
    return f"{day.year}年{day.month}月{day.day}日"


def test_round_form_stores_the_tie_rule_and_the_page_states_it(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    data = {
        "title": "学习型家庭评比",
        "award_type": "learning_family",
        "year": 2026,
        "winners_count": 2,
        "criteria": "学习氛围 60\n带动作用 40",
        "tie_rule": "criteria",
    }
    assert client.post("/contests/awards/new", data=data).status_code == 302
    assert client.post("/contests/awards/new", data={**data, "tie_rule": "coin"}).status_code == 200
    with app.app_context():
        award_round = _db.session.scalar(select(AwardRound))
        assert _db.session.scalar(select(func.count(AwardRound.id))) == 1
        assert (award_round.tie_rule, award_round.state) == ("criteria", "nominating")
    # Before judging starts, anyone opening the round reads the rule.
    page = client.get(f"/contests/awards/{award_round.id}").get_data(as_text=True)
    rule = " ".join(re.search(r'<dd id="tie-rule">(.*?)</dd>', page, re.S).group(1).split())
    assert rule == (
        "得分相同的并列同一名次。并列跨过获奖名额时，依次比较“学习氛围”、“带动作用”的平均分，"
        "高者名次在前；各项都相同的仍并列，均获奖。"
    )


def test_equal_scores_share_a_rank_and_all_tied_nominees_win(
    app, client, town, login_as, make_user
):
    # 84 / 80 / 80 / 70 with two places: ranks 1, 2, 2, 4 and three winners.
    round_id = _judged_round(
        app,
        make_user,
        town,
        "all_tied",
        2,
        {"王家": (90, 75), "李家": (80, 80), "张家": (100, 50), "赵家": (70, 70)},
        "2026年度学习型家庭评比",
    )
    login_as("programme_manager", town.town_id)
    published = client.post(
        f"/contests/awards/{round_id}/state", data={"state": "published"}, follow_redirects=True
    ).get_data(as_text=True)
    note = "第 2 名有 2 个推荐对象得分相同（80 分）：张家、李家。按本轮规则并列者均获奖。获奖 3 个，名额 2 个。"
    assert note in published
    with app.app_context():
        ranks = dict(_db.session.execute(select(Nomination.nominee_name, Nomination.rank)).all())
        assert ranks == {"王家": 1, "李家": 2, "张家": 2, "赵家": 4}
        assert _db.session.get(AwardRound, round_id).result_note == note
        notices = _db.session.scalars(
            select(Notification.body).where(Notification.subject.contains("结果已公布"))
        ).all()
        assert sorted(notices) == sorted(
            [
                "您推荐的王家获评第 1 名。",
                "您推荐的张家获评并列第 2 名。",
                "您推荐的李家获评并列第 2 名。",
            ]
        )
        links = _db.session.scalars(
            select(Notification).where(Notification.subject.contains("结果已公布"))
        ).all()
        assert {(n.link_endpoint, n.url) for n in links} == {
            ("competitions.round_detail", f"/contests/awards/{round_id}")
        }
    day = _issued(app, round_id)
    assert _certificates(client, round_id) == [
        f"荣誉证书 王家（甲村） 在2026年度学习型家庭评比中被评为 学习型家庭 第 1 名 双槐镇社区教育领导小组 {day}",
        f"荣誉证书 张家（甲村） 在2026年度学习型家庭评比中被评为 学习型家庭 并列第 2 名 双槐镇社区教育领导小组 {day}",
        f"荣誉证书 李家（甲村） 在2026年度学习型家庭评比中被评为 学习型家庭 并列第 2 名 双槐镇社区教育领导小组 {day}",
    ]


def test_tie_across_the_line_broken_by_the_criteria_in_order(
    app, client, town, login_as, make_user
):
    # 王家, 李家 and 张家 all 84; 李家 and 张家 are higher on 学习氛围 and equal on both
    # criteria, so they stay tied at 1 and both win the single place; 王家 comes third.
    round_id = _judged_round(
        app,
        make_user,
        town,
        "criteria",
        1,
        {"王家": (80, 90), "李家": (90, 75), "张家": (90, 75), "赵家": (70, 70)},
        "学习型家庭评比",
    )
    login_as("programme_manager", town.town_id)
    published = client.post(
        f"/contests/awards/{round_id}/state", data={"state": "published"}, follow_redirects=True
    ).get_data(as_text=True)
    assert (
        "第 1 名有 3 个推荐对象得分相同（84 分）：张家、李家、王家。按本轮规则依次比较“学习氛围”、"
        "“带动作用”的平均分决出名次。仍有推荐对象各项平均分完全相同，并列者均获奖。获奖 2 个，名额 1 个。"
        in published
    )
    with app.app_context():
        ranks = dict(_db.session.execute(select(Nomination.nominee_name, Nomination.rank)).all())
        assert ranks == {"李家": 1, "张家": 1, "王家": 3, "赵家": 4}
    day = _issued(app, round_id)
    # The title does not name the year, so the certificate adds it, once.
    assert _certificates(client, round_id) == [
        f"荣誉证书 张家（甲村） 在2026年度学习型家庭评比中被评为 学习型家庭 并列第 1 名 双槐镇社区教育领导小组 {day}",
        f"荣誉证书 李家（甲村） 在2026年度学习型家庭评比中被评为 学习型家庭 并列第 1 名 双槐镇社区教育领导小组 {day}",
    ]


def test_criteria_tie_break_gives_one_winner(app, client, town, login_as, make_user):
    round_id = _judged_round(
        app,
        make_user,
        town,
        "criteria",
        1,
        {"王家": (80, 90), "李家": (90, 75)},  # both 84; 李家 higher on 学习氛围
        "2026年度学习型家庭评比",
    )
    login_as("programme_manager", town.town_id)
    client.post(f"/contests/awards/{round_id}/state", data={"state": "published"})
    with app.app_context():
        ranks = dict(_db.session.execute(select(Nomination.nominee_name, Nomination.rank)).all())
        assert ranks == {"李家": 1, "王家": 2}
    certificates = _certificates(client, round_id)
    assert len(certificates) == 1 and "李家（甲村）" in certificates[0]
    assert "第 1 名" in certificates[0] and "并列" not in certificates[0]
