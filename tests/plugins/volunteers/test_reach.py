"""The shift roster lists the confirmed volunteers no SMS, WeChat or e-mail reaches."""

from __future__ import annotations

from plugins.volunteers import services


def test_the_roster_lists_volunteers_no_channel_reaches(
    app, client, make_shift, make_volunteer, login_as, town
):
    shift_id, [role_id] = make_shift()
    volunteer = make_volunteer()
    with app.app_context():
        from core.extensions import db as _db
        from core.models import User

        _db.session.get(User, volunteer).display_name = "李志愿"
        services.sign_up(role_id, volunteer)
        _db.session.commit()
    login_as("programme_manager", town.town_id)
    page = client.get(f"/volunteers/manage/shifts/{shift_id}").get_data(as_text=True)
    assert "收不到短信、微信或邮件通知的人（1）" in page and "<li>李志愿</li>" in page
    app.config.update(SMS_PROVIDER="aliyun", SMS_TEMPLATES={"reminder": "SMS_2"})
    page = client.get(f"/volunteers/manage/shifts/{shift_id}").get_data(as_text=True)
    assert "收不到短信、微信或邮件通知的人" not in page
