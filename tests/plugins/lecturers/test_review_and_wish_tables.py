"""The two smaller state machines, an application's review and a resident's wish: their rows
written out here, and what a step records, tells and refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.models import AuditLog, Notification, User
from core.statemachine import TransitionRefused
from plugins.lecturers import corps, wishes
from plugins.lecturers.models import Lecturer
from plugins.lecturers.requests.models import ResidentWish

from .conftest import build_request

#: (state, action) → (new state, who may, who is told, audit action name or None).
APPLICATION_ROWS = {
    ("applied", "approve"): ("approved", {"manager"}, {"applicant"}, "lecturers.approve"),
    ("applied", "reject"): ("rejected", {"manager"}, {"applicant"}, "lecturers.reject"),
    ("rejected", "reapply"): ("applied", {"applicant"}, {"manager"}, "lecturers.apply"),
}
WISH_ROWS = {
    ("open", "merge"): ("merged", {"village"}, {"resident"}, None),  # one row on the order
    ("open", "decline"): ("declined", {"village"}, {"resident"}, "lecturers.wish_declined"),
}


def _rows(table) -> dict:
    return {
        key: (
            row.target,
            set(row.actors),
            set(row.notify),
            None
            if not row.audit
            else row.audit
            if isinstance(row.audit, str)
            else f"{table.audit_prefix}.{key[1]}",
        )
        for key, row in table.transitions.items()
    }


def test_the_rows_are_the_ones_written_here():
    assert _rows(corps.APPLICATION) == APPLICATION_ROWS
    assert corps.APPLICATION.state_attr == "status"
    assert _rows(wishes.WISH) == WISH_ROWS
    assert wishes.WISH.notice_kind == "order"


def _applicant(app, people, town, make_user) -> tuple[int, int]:
    applicant = make_user("resident", town.village_a_id, name="申请人")
    with app.app_context():
        lecturer = Lecturer(user_id=applicant, org_unit_id=town.school_id, title="教师")
        lecturer.user = _db.session.get(User, applicant)
        corps.submit_application(lecturer)
        _db.session.commit()
        return applicant, lecturer.id


def test_review_steps_record_tell_and_refuse(app, people, town, make_user):
    applicant, lecturer_id = _applicant(app, people, town, make_user)
    with app.app_context():
        lecturer = _db.session.get(Lecturer, lecturer_id)
        manager = _db.session.get(User, people.manager)
        with pytest.raises(TransitionRefused) as refused:
            corps.review(lecturer, False, "", manager)
        assert refused.value.message == "不通过时请写明原因。" and lecturer.status == "applied"
        with pytest.raises(TransitionRefused) as refused:  # not the applicant's step
            corps.review(lecturer, True, "", _db.session.get(User, applicant))
        assert refused.value.status == 403
        corps.review(lecturer, False, "专题不符", manager)
        _db.session.commit()
        assert (lecturer.status, lecturer.reject_reason) == ("rejected", "专题不符")
        told = _db.session.scalars(
            select(Notification).where(Notification.user_id == applicant)
        ).all()[-1]
        assert (told.subject, told.body) == ("讲师团申请未通过", "原因：专题不符")
        assert (told.link_endpoint, told.link_values) == (
            "lecturers.lecturer_detail",
            {"lecturer_id": lecturer_id},
        )
        with pytest.raises(TransitionRefused) as refused:
            corps.review(lecturer, True, "", manager)
        assert refused.value.status == 409
        assert refused.value.message == "讲师申请当前状态为「未通过」，不能批准。"
        corps.reapply(lecturer, _db.session.get(User, applicant))
        _db.session.commit()
        assert lecturer.status == "applied"
        actions = _db.session.scalars(
            select(AuditLog.action)
            .where(
                AuditLog.object_type == "lecturers_lecturer",
                AuditLog.object_id == str(lecturer_id),
            )
            .order_by(AuditLog.id)
        ).all()
        assert actions[-2:] == ["lecturers.reject", "lecturers.apply"]
        asked = _db.session.scalars(
            select(Notification).where(Notification.user_id == people.manager)
        ).all()[-1]
        assert (asked.subject, asked.body) == ("申请人 申请加入讲师团", "请审核讲师申请。")


def test_a_declined_wish_tells_the_resident_with_a_link_to_the_wishes(app, people, town):
    with app.app_context():
        resident = _db.session.get(User, people.resident)
        wish = wishes.submit(resident, None, "想听防诈骗讲座")
        order = build_request(people, town.village_a_id, "submitted")
        _db.session.commit()
        coordinator = _db.session.get(User, people.coordinator)
        assert wishes.decline(coordinator, [wish.id], "已有安排") == 1
        _db.session.commit()
        assert (wish.state, wish.decline_reason) == ("declined", "已有安排")
        note = _db.session.scalars(
            select(Notification).where(Notification.user_id == people.resident)
        ).one()
        assert (note.kind, note.body) == ("order", "原因：已有安排")
        assert (note.link_endpoint, note.link_values) == ("lecturers.wishes_page", {})
        with pytest.raises(wishes.WishRefused):  # decided once
            wishes.merge(coordinator, [wish.id], order.id)
        assert _db.session.get(ResidentWish, wish.id).state == "declined"
