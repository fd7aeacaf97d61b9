"""Sign-up, waiting list, withdrawal and the bad input the issue lists (through the pages)."""

from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db
from core.models import Notification
from core.timeutil import utcnow
from plugins.volunteers.models import Assignment
from tests.conftest import CONFIRMED, log_in


def statuses(app, role_id):
    with app.app_context():
        rows = db.session.execute(
            select(Assignment.user_id, Assignment.status).where(Assignment.role_id == role_id)
        ).all()
        return dict(rows)


def signup(client, shift_id, role_id, waitlist=""):
    return client.post(
        f"/volunteers/shifts/{shift_id}/signup",
        data={"role_id": role_id, "waitlist": waitlist},
        follow_redirects=True,
    )


def test_sign_up_then_full_then_waitlist_and_promotion(app, client, make_shift, make_volunteer):
    shift_id, (role_id,) = make_shift(roles=[("引导", 1, ())])
    first, second = make_volunteer(), make_volunteer()
    log_in(client, app, first)
    assert "报名成功" in signup(client, shift_id, role_id).get_data(as_text=True)
    log_in(client, app, second)
    page = signup(client, shift_id, role_id).get_data(as_text=True)
    assert "已经满员" in page
    assert statuses(app, role_id) == {first: "confirmed"}
    assert "候补" in signup(client, shift_id, role_id, waitlist="1").get_data(as_text=True)
    assert statuses(app, role_id) == {first: "confirmed", second: "waitlisted"}

    log_in(client, app, first)
    with app.app_context():
        mine = db.session.scalar(select(Assignment.id).where(Assignment.user_id == first))
    asked = client.post(f"/volunteers/assignments/{mine}/withdraw")
    assert asked.status_code == 200 and "确认退出班次" in asked.get_data(as_text=True)
    assert statuses(app, role_id) == {first: "confirmed", second: "waitlisted"}  # not yet
    client.post(f"/volunteers/assignments/{mine}/withdraw", data=CONFIRMED, follow_redirects=True)
    assert statuses(app, role_id) == {first: "withdrawn", second: "confirmed"}
    with app.app_context():
        subjects = db.session.scalars(
            select(Notification.subject).where(Notification.user_id == second)
        ).all()
    assert any("候补转正" in s for s in subjects)


def test_closed_and_not_yet_open_shift_refused(app, client, make_shift, make_volunteer):
    now = utcnow()
    closed, (closed_role,) = make_shift(signup_closes_at=now - timedelta(hours=1))
    later, (later_role,) = make_shift(signup_opens_at=now + timedelta(hours=5))
    log_in(client, app, make_volunteer())
    assert "已经截止" in signup(client, closed, closed_role).get_data(as_text=True)
    assert "已经截止" in signup(client, later, later_role).get_data(as_text=True)
    assert statuses(app, closed_role) == {} and statuses(app, later_role) == {}


def test_overlapping_shift_refused(app, client, make_shift, make_volunteer):
    one, (role_one,) = make_shift(starts_in=timedelta(days=2), hours=3)
    two, (role_two,) = make_shift(starts_in=timedelta(days=2, hours=2), hours=2, title="另一个")
    log_in(client, app, make_volunteer())
    signup(client, one, role_one)
    hint = client.get(f"/volunteers/shifts/{two}").get_data(as_text=True)
    assert "与“测试班次”时间重叠" in hint  # shown before any click
    page = signup(client, two, role_two).get_data(as_text=True)
    assert "时间重叠" in page
    assert statuses(app, role_two) == {}


def test_withdraw_after_deadline_refused(app, client, make_shift, make_volunteer):
    shift_id, (role_id,) = make_shift(withdraw_deadline=utcnow() + timedelta(minutes=1))
    user = make_volunteer()
    log_in(client, app, user)
    signup(client, shift_id, role_id)
    with app.app_context():
        from plugins.volunteers.models import Shift

        db.session.get(Shift, shift_id).withdraw_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assignment_id = db.session.scalar(select(Assignment.id))
    page = client.post(
        f"/volunteers/assignments/{assignment_id}/withdraw", data=CONFIRMED, follow_redirects=True
    )
    assert "已过退出截止时间" in page.get_data(as_text=True)
    assert statuses(app, role_id) == {user: "confirmed"}


def test_volunteer_cannot_act_for_another(app, client, make_shift, make_volunteer):
    shift_id, (role_id,) = make_shift()
    owner, other = make_volunteer(), make_volunteer()
    log_in(client, app, owner)
    signup(client, shift_id, role_id)
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id))
    log_in(client, app, other)
    assert (
        client.post(f"/volunteers/assignments/{assignment_id}/withdraw", data=CONFIRMED).status_code
        == 403
    )
    assert client.post(f"/volunteers/assignments/{assignment_id}/respond").status_code == 403
    assert client.post(f"/volunteers/assignments/{assignment_id}/check-in").status_code == 403
    # the sign-up form takes no user id: a smuggled one is ignored, the booking is one's own
    client.post(
        f"/volunteers/shifts/{shift_id}/signup", data={"role_id": role_id, "user_id": owner}
    )
    assert statuses(app, role_id) == {owner: "confirmed", other: "confirmed"}


def test_missing_skill_and_monthly_maximum(app, client, make_shift, make_volunteer):
    skilled, (photo,) = make_shift(roles=[("摄影", 1, ("publicity",))])
    log_in(client, app, make_volunteer(skills=("teaching",), max_shifts=1))
    assert "需要以下技能" in signup(client, skilled, photo).get_data(as_text=True)
    a, (role_a,) = make_shift(starts_in=timedelta(hours=30))
    b, (role_b,) = make_shift(starts_in=timedelta(hours=40))
    signup(client, a, role_a)
    with app.app_context():
        from plugins.volunteers.models import Shift

        same_month = (
            db.session.get(Shift, a).starts_at.month == db.session.get(Shift, b).starts_at.month
        )
    if same_month:
        assert "上限" in signup(client, b, role_b).get_data(as_text=True)


def test_no_profile_cannot_sign_up(app, client, make_shift, login_as):
    shift_id, (role_id,) = make_shift()
    login_as("resident")
    assert "志愿者资料" in signup(client, shift_id, role_id).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_signup_without_csrf_refused(app, client, make_shift, make_volunteer):
    shift_id, (role_id,) = make_shift()
    log_in(client, app, make_volunteer())
    response = client.post(
        f"/volunteers/shifts/{shift_id}/signup", data={"role_id": role_id}, csrf=False
    )
    assert response.status_code == 400
    assert statuses(app, role_id) == {}


def test_eligible_list_nearest_first_and_filtered(app, client, town, make_shift, make_volunteer):
    make_shift(starts_in=timedelta(days=3), title="晚的")
    make_shift(starts_in=timedelta(days=1), title="早的")
    make_shift(title="需要摄影", roles=[("摄影", 1, ("publicity",))])
    make_shift(unit_id=town.village_b_id, title="乙村的")
    log_in(client, app, make_volunteer())
    page = client.get("/volunteers/").get_data(as_text=True)
    assert page.index("早的") < page.index("晚的")
    assert "需要摄影" not in page and "乙村的" not in page
