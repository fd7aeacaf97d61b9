"""On English pages the matching reasons and sign-up blockers are English too."""

from __future__ import annotations


def test_match_reasons_in_english(app, client, town, make_shift, make_volunteer, login_as):
    _shift, (role_id,) = make_shift(roles=[("辅导", 1, ("teaching",))])
    make_volunteer(skills=("teaching",))
    login_as("programme_manager", town.town_id)
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/volunteers/manage/roles/{role_id}/match").get_data(as_text=True)
    for english in (
        "Has the skills: ",
        "Within their available times",
        "Volunteer from this village (community)",
        "Served 0 hours in 0 shifts this month",
        "No service record yet",
    ):
        assert english in page
    for chinese in ("技能符合", "尚无服务记录", "在其可服务时间内", "本村（社区）志愿者"):
        assert chinese not in page


def test_blocked_sign_up_says_why_in_english(app, town, make_shift, make_volunteer):
    from flask import session

    from core.extensions import db
    from core.models import User
    from plugins.volunteers import eligibility, profiles
    from plugins.volunteers.models import Shift

    shift_id, _roles = make_shift(roles=[("辅导", 1, ("teaching",))])
    user_id = make_volunteer(skills=("teaching",))
    with app.test_request_context():
        session["locale"] = "en"
        shift = db.session.get(Shift, shift_id)
        profile = profiles.profile_of(db.session.get(User, user_id).id)
        other = Shift(
            title="Other",
            org_unit_id=shift.org_unit_id,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
        )
        assert eligibility.why_blocked(profile, shift, [other]) == "Overlaps “Other”"
        profile.monthly_max_shifts = 0
        assert eligibility.why_blocked(profile, shift, []) == "Monthly shift limit reached"
