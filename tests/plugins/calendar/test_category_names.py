"""Built-in category names show in the page's language; names staff typed stay as typed."""

from __future__ import annotations

from core.extensions import db as _db


def _staff_category(app) -> None:
    from plugins.calendar.models import CalendarCategory

    with app.app_context():
        _db.session.add(CalendarCategory(name="晒秋节", colour="#123456", position=200))
        _db.session.commit()


def test_built_in_names_translated_on_english_pages(app, client, make_event):
    _staff_category(app)
    health = make_event(title="甲村讲座", category="健康讲座")
    make_event(title="甲村晒秋", category="晒秋节")
    chinese = client.get("/calendar/").get_data(as_text=True)
    assert "健康讲座" in chinese and "晒秋节" in chinese
    client.post("/language", data={"locale": "en", "next": "/calendar/"}, csrf=False)
    agenda = client.get("/calendar/").get_data(as_text=True)
    assert "Health talk" in agenda and "健康讲座" not in agenda
    assert "晒秋节" in agenda  # typed by staff: shown as typed
    assert "Cadre evening school" in agenda  # the category filter's choices
    page = client.get(f"/calendar/e/{health}", follow_redirects=True).get_data(as_text=True)
    assert "Health talk" in page and "健康讲座" not in page


def test_shown_name_only_translates_built_in_names(app):
    from flask import session

    from plugins.calendar.category_names import shown_name

    with app.test_request_context():
        session["locale"] = "en"
        assert shown_name("微讲堂") == "Micro-lecture"
        assert shown_name("晒秋节") == "晒秋节"
        assert shown_name(None) == ""
