"""The ledger: once per source, undo and redo, caps, rules, the signals that feed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import signals
from core.extensions import db as _db
from plugins.credits import services
from plugins.credits.models import CreditEntry, CreditRule

WHEN = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def attend(app, attendance_id, user_id, when=WHEN, unit_id=None):
    with app.test_request_context():
        signals.send(
            signals.attendance_recorded,
            signals.AttendanceRecorded(
                attendance_id=attendance_id,
                event_id=1,
                occurrence_start=when,
                user_id=user_id,
                org_unit_id=unit_id,
                category="微讲堂",
                recorded_at=when,
            ),
        )


def revoke(app, attendance_id, user_id):
    with app.test_request_context():
        signals.send(
            signals.attendance_revoked,
            signals.AttendanceRevoked(
                attendance_id=attendance_id, user_id=user_id, revoked_at=WHEN
            ),
        )


def total(app, user_id):
    with app.app_context():
        return services.balance(user_id)


def entries(app, user_id):
    with app.app_context():
        return _db.session.scalar(
            select(func.count(CreditEntry.id)).where(CreditEntry.user_id == user_id)
        )


def test_signal_sent_twice_credits_once(app, make_user):
    user = make_user()
    attend(app, 7, user)
    attend(app, 7, user)
    assert total(app, user) == 2
    assert entries(app, user) == 1


def test_record_revoke_record_gives_one_net_credit(app, make_user):
    user = make_user()
    attend(app, 7, user)
    revoke(app, 7, user)
    assert total(app, user) == 0
    revoke(app, 7, user)  # undo twice: one reversal only
    assert entries(app, user) == 2
    attend(app, 7, user)
    attend(app, 7, user)
    assert total(app, user) == 2
    assert entries(app, user) == 3
    revoke(app, 7, user)
    attend(app, 7, user)
    assert total(app, user) == 2
    assert entries(app, user) == 5
    with app.app_context():
        amounts = list(_db.session.scalars(select(CreditEntry.amount).order_by(CreditEntry.id)))
    assert amounts == [2, -2, 2, -2, 2]


def test_revoke_without_user_reverses_the_attendance(app, make_user):
    user = make_user()
    attend(app, 8, user)
    revoke(app, 8, None)
    assert total(app, user) == 0


def test_walk_in_earns_nothing(app, make_user):
    attend(app, 9, None)
    with app.app_context():
        assert _db.session.scalar(select(func.count(CreditEntry.id))) == 0


def test_daily_cap_truncates_then_zero_with_note(app, make_user):
    user = make_user()
    with app.app_context():
        rule = services.get_rule("attendance")
        rule.amount, rule.daily_cap, rule.monthly_cap = 4, 10, None
        _db.session.commit()
    for n in range(4):
        attend(app, 100 + n, user, WHEN + timedelta(hours=n))
    with app.app_context():
        rows = _db.session.execute(
            select(CreditEntry.amount, CreditEntry.note).order_by(CreditEntry.id)
        ).all()
    assert [amount for amount, _ in rows] == [4, 4, 2, 0]
    assert "每日上限" in rows[2][1] and "每日上限" in rows[3][1]
    # the next local day has room again
    attend(app, 200, user, WHEN + timedelta(days=1))
    assert total(app, user) == 14


def test_local_day_boundary_is_shanghai(app, make_user):
    user = make_user()
    with app.app_context():
        rule = services.get_rule("attendance")
        rule.amount, rule.daily_cap, rule.monthly_cap = 5, 5, None
        _db.session.commit()
    # 15:30 UTC on the 10th is 23:30 local; 16:30 UTC is 00:30 local on the 11th
    attend(app, 1, user, datetime(2026, 3, 10, 15, 30, tzinfo=UTC))
    attend(app, 2, user, datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    assert total(app, user) == 10


def test_monthly_cap(app, make_user):
    user = make_user()
    with app.app_context():
        rule = services.get_rule("attendance")
        rule.amount, rule.daily_cap, rule.monthly_cap = 3, None, 7
        _db.session.commit()
    for n in range(4):
        attend(app, 300 + n, user, WHEN + timedelta(days=n))
    attend(app, 400, user, WHEN + timedelta(days=30))  # next month
    assert total(app, user) == 7 + 3


def test_revoke_frees_room_under_the_cap(app, make_user):
    user = make_user()
    with app.app_context():
        rule = services.get_rule("attendance")
        rule.amount, rule.daily_cap = 2, 2
        _db.session.commit()
    attend(app, 1, user)
    attend(app, 2, user)
    assert total(app, user) == 2
    revoke(app, 1, user)
    attend(app, 3, user)
    assert total(app, user) == 2


def test_inactive_rule_credits_nothing(app, make_user):
    user = make_user()
    with app.app_context():
        services.get_rule("attendance").active = False
        _db.session.commit()
    attend(app, 1, user)
    assert entries(app, user) == 0


def test_other_signals(app, make_user, town):
    volunteer, lecturer, player, reader = (make_user() for _ in range(4))
    with app.test_request_context():
        signals.send(
            signals.volunteer_hours_confirmed,
            signals.VolunteerHoursConfirmed(7, volunteer, town.village_a_id, 2.5, WHEN),
        )
        signals.send(
            signals.volunteer_hours_confirmed,
            signals.VolunteerHoursConfirmed(7, volunteer, town.village_a_id, 2.5, WHEN),
        )
        signals.send(
            signals.lecture_delivered,
            signals.LectureDelivered(3, lecturer, town.village_b_id, "法治宣讲", 40, WHEN),
        )
        signals.send(
            signals.contest_finished,
            signals.ContestFinished(5, 2, player, town.village_a_id, 8, 10, WHEN, 10, 10),
        )
        signals.send(
            signals.contest_finished,
            signals.ContestFinished(6, 2, None, town.village_a_id, 8, 10, WHEN, 10, 10),
        )
        # Handed in blank, and with fewer than half answered: not taking part, no credit.
        for attempt_id, answered in ((7, 0), (8, 4)):
            signals.send(
                signals.contest_finished,
                signals.ContestFinished(
                    attempt_id, 2, player, town.village_a_id, 0, 10, WHEN, answered, 10
                ),
            )
        signals.send(
            signals.learning_item_opened, signals.LearningItemOpened(4, reader, None, WHEN)
        )
    assert total(app, volunteer) == 8  # 3 × 2.5 = 7.5 → 8
    assert total(app, lecturer) == 10
    assert total(app, player) == 3
    assert total(app, reader) == 1


def test_credits_land_on_home_village_and_metric(app, make_user, town):
    a1 = make_user(home_unit_id=town.village_a_id)
    a2 = make_user(home_unit_id=town.village_a_id)
    b1 = make_user(home_unit_id=town.village_b_id)
    attend(app, 1, a1)
    attend(app, 2, a2)
    attend(app, 3, b1)
    attend(app, 4, b1, WHEN + timedelta(days=40))  # outside the period below
    from datetime import date

    with app.app_context():
        from core.plugins import registry

        metrics = [
            m
            for group in registry().hook.report_metrics(
                unit_ids=[town.town_id, town.village_a_id, town.village_b_id, town.school_id],
                start=date(2026, 3, 1),
                end=date(2026, 4, 1),
            )
            for m in group
            if m.key == "credits.earned"
        ]
    assert len(metrics) == 1
    assert dict(metrics[0].values) == {
        town.town_id: 6,
        town.village_a_id: 4,
        town.village_b_id: 2,
        town.school_id: 0,
    }
    assert metrics[0].evidence_endpoint == "credits.ledger"


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"amount": -1}, "ck_credits_rule_amount_nonneg"),
        ({"daily_cap": -1}, "ck_credits_rule_daily_cap_nonneg"),
        ({"monthly_cap": -1}, "ck_credits_rule_monthly_cap_nonneg"),
    ],
)
def test_rule_table_refuses_negative_amounts_and_caps(app, values, constraint):
    with app.app_context():
        _db.session.add(CreditRule(**{"activity_type": "x", "amount": 1, **values}))
        with pytest.raises(IntegrityError) as refused:
            _db.session.commit()
        _db.session.rollback()
        # SQLite and PostgreSQL both name the violated CHECK constraint in their message.
        assert constraint in str(refused.value.orig)
        assert _db.session.scalar(select(func.count(CreditRule.id))) == 0
