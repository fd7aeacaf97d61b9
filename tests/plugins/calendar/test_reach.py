"""A promoted 代报名 villager is reached through the coordinator; the roll call lists who no
channel reaches."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db as _db
from core.models import Notification, NotificationDelivery
from core.wechat import digest
from tests.conftest import CONFIRMED, log_in
from tests.plugins.calendar.test_registration import first_key


def test_a_promoted_proxy_gets_the_sms_and_the_coordinator_the_notice(
    app, client, make_event, make_user, town
):
    app.config.update(
        SMS_PROVIDER="aliyun", SMS_TEMPLATES={"promotion": "SMS_1", "reminder": "SMS_2"}
    )
    event_id = make_event(capacity=1)
    key = first_key(app, event_id)
    resident = make_user()
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    url = f"/calendar/e/{event_id}/{key}/people"
    proxy = {
        "proxy-name": "李奶奶",
        "proxy-village_id": town.village_a_id,
        "proxy-phone": "13900002222",
    }
    assert client.post(url, data=proxy).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "收不到短信、微信或邮件通知的人（1）" not in page  # SMS reaches the resident
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/unregister", data=CONFIRMED)
    with app.app_context():
        note = _db.session.scalar(select(Notification).where(Notification.user_id == coordinator))
        assert (
            note.subject.startswith("李奶奶（代报名）已从候补转为正式报名")
            and note.kind == "promotion"
        )
        assert sorted(
            (d.channel, d.address or "")
            for d in _db.session.scalars(
                select(NotificationDelivery).where(NotificationDelivery.notification_id == note.id)
            )
        ) == [("log", ""), ("sms", "13900002222")]


def test_the_roll_call_lists_people_no_channel_reaches(app, client, make_event, make_user, town):
    event_id = make_event(capacity=5)
    key = first_key(app, event_id)
    resident = make_user(name="王大妈")
    log_in(client, app, resident)
    client.post(f"/calendar/e/{event_id}/{key}/register")
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    page = client.get(f"/calendar/e/{event_id}/{key}/people").get_data(as_text=True)
    assert "收不到短信、微信或邮件通知的人（1）" in page and "<li>王大妈</li>" in page


def test_the_digest_reads_every_plugins_public_calendar_entries(app, make_event):
    """Calendar events of the plugins come through the calendar_entries hook."""
    event_id = make_event(title="村民开放日")
    with app.app_context():
        from plugins.calendar.models import CalendarEvent

        start = _db.session.get(CalendarEvent, event_id).start_at
        titles = [e.title for e in digest.public_entries(start, start + timedelta(hours=1))]
        assert "村民开放日" in titles
        _title, html, _summary = digest.weekly_article(start - timedelta(hours=1))
        assert "村民开放日" in html


def test_the_reminder_reaches_proxies_through_their_coordinator_or_own_phone(
    app, client, make_event, make_user, town
):
    """Phone-less 代报名 villagers: one notice to their coordinator naming them all; one with a
    phone: the SMS on that number. A rerun of the hourly job adds nothing."""
    app.config.update(SMS_PROVIDER="aliyun", SMS_TEMPLATES={"reminder": "SMS_2"})
    event_id = make_event(capacity=10, title="反诈宣讲")
    key = first_key(app, event_id)
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    url = f"/calendar/e/{event_id}/{key}/people"
    for name, phone in (("李奶奶", ""), ("赵大爷", ""), ("孙婶", "13900003333")):
        data = {"proxy-name": name, "proxy-village_id": town.village_a_id, "proxy-phone": phone}
        assert client.post(url, data=data).status_code == 302
    with app.app_context():
        from plugins.calendar import reminders
        from plugins.calendar.models import CalendarEvent

        now = _db.session.get(CalendarEvent, event_id).start_at - timedelta(hours=12)
        assert reminders.send_reminders(now) == 2
        assert reminders.send_reminders(now) == 0
        _db.session.commit()
        notes = _db.session.scalars(
            select(Notification)
            .where(Notification.user_id == coordinator, Notification.kind == "reminder")
            .order_by(Notification.id)
        ).all()
        deliveries = {
            n.subject: sorted((d.channel, d.address or "") for d in n.deliveries) for n in notes
        }
    assert deliveries == {
        "孙婶（代报名）活动提醒：反诈宣讲": [("sms", "13900003333")],
        "代报名村民活动提醒：反诈宣讲（2人）": [("log", ""), ("sms", "")],  # the coordinator's own
    }
    assert "请转告他们准时参加：李奶奶、赵大爷。" in [n.body for n in notes][1]


def test_without_reminder_sms_a_proxy_with_a_phone_is_named_to_the_coordinator(
    app, client, make_event, make_user, town
):
    app.config.update(SMS_PROVIDER="")
    event_id = make_event(capacity=10, title="反诈宣讲")
    key = first_key(app, event_id)
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    data = {
        "proxy-name": "孙婶",
        "proxy-village_id": town.village_a_id,
        "proxy-phone": "13900003333",
    }
    assert client.post(f"/calendar/e/{event_id}/{key}/people", data=data).status_code == 302
    with app.app_context():
        from plugins.calendar import reminders
        from plugins.calendar.models import CalendarEvent

        now = _db.session.get(CalendarEvent, event_id).start_at - timedelta(hours=12)
        assert reminders.send_reminders(now) == 1
        note = _db.session.scalars(
            select(Notification).where(Notification.user_id == coordinator)
        ).one()
        assert note.subject == "代报名村民活动提醒：反诈宣讲（1人）"
        assert note.body.endswith("请转告他们准时参加：孙婶。")


def test_a_cancellation_reaches_a_proxy_through_the_coordinator_and_by_sms(
    app, client, make_event, make_user, town
):
    from plugins.calendar import cancellation, recurrence
    from plugins.calendar.models import CalendarEvent

    app.config.update(SMS_PROVIDER="aliyun", SMS_TEMPLATES={"cancellation": "SMS_3"})
    event_id = make_event(capacity=5)
    key = first_key(app, event_id)
    coordinator = make_user("village_coordinator", town.village_a_id)
    log_in(client, app, coordinator)
    url = f"/calendar/e/{event_id}/{key}/people"
    for name, phone in (("李奶奶", "13900002222"), ("赵大爷", "")):
        proxy = {"proxy-name": name, "proxy-village_id": town.village_a_id, "proxy-phone": phone}
        assert client.post(url, data=proxy).status_code == 302
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        occurrence = recurrence.find_occurrence(event, recurrence.parse_key(key))
        cancellation.cancel(event, occurrence, "下雨", coordinator)
        _db.session.commit()
        notes = _db.session.scalars(
            select(Notification).where(Notification.user_id == coordinator)
        ).all()
        assert sorted(n.subject.split("活动取消")[0] for n in notes) == [
            "李奶奶（代报名）",
            "赵大爷（代报名）",
        ]
        assert all(n.kind == "cancellation" for n in notes)
        sms = _db.session.scalars(
            select(NotificationDelivery.address).where(NotificationDelivery.channel == "sms")
        ).all()
        # the villager with a phone by SMS, once (None: the coordinator's own number)
        assert [address for address in sms if address] == ["13900002222"]
