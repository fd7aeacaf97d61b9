"""指尖学习: publishing, digests (page, text, Atom), pictures, credit on opening."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from xml.etree import ElementTree as ET

from sqlalchemy import select

from core.extensions import db as _db
from core.timeutil import local_today
from plugins.credits import services as credit_services
from plugins.reports.models import LearningItem

ATOM = "{http://www.w3.org/2005/Atom}"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def add_items(app, *specs):
    with app.app_context():
        ids = []
        for day, title in specs:
            item = LearningItem(publish_on=day, title=title, body=f"{title}的正文")
            _db.session.add(item)
            _db.session.flush()
            ids.append(item.id)
        _db.session.commit()
        return ids


def test_publish_with_picture_and_bad_input(client, login_as, town, app):
    login_as("programme_manager", town.town_id)
    day = local_today().isoformat()
    response = client.post(
        "/reports/learn/new",
        data={"publish_on": day, "title": "", "link": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "请填写标题" in text and "http://" in text
    response = client.post(
        "/reports/learn/new",
        data={"publish_on": day, "title": "图", "picture": (BytesIO(b"%PDF-1.4"), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "只接受 JPG 或 PNG 图片" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert _db.session.scalars(select(LearningItem)).first() is None
    response = client.post(
        "/reports/learn/new",
        data={
            "publish_on": day,
            "title": "防诈骗",
            "body": "三不原则",
            "link": "https://example.org/a",
            "picture": (BytesIO(PNG), "p.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item_url = response.headers["Location"]
    assert client.get(item_url).status_code == 200
    picture = client.get(item_url + "/picture")
    assert picture.status_code == 200 and picture.mimetype == "image/png"


def test_resident_cannot_publish(client, login_as):
    login_as("resident")
    assert client.get("/reports/learn/new").status_code == 403


def test_daily_weekly_digest_and_text(client, app):
    monday = date(2025, 3, 3)
    add_items(
        app,
        (monday, "周一"),
        (monday + timedelta(days=2), "周三"),
        (monday + timedelta(days=7), "下周一"),
        (monday - timedelta(days=1), "上周日"),
    )
    html = client.get("/reports/learn/day/2025-03-05").get_data(as_text=True)
    assert "周三" in html and "周一" not in html
    html = client.get("/reports/learn/week/2025-03-05").get_data(as_text=True)
    assert "周一" in html and "周三" in html and "下周一" not in html and "上周日" not in html
    response = client.get("/reports/learn/week/2025-03-05.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("【指尖学习·每周】2025-03-03 至 2025-03-09")
    assert "1. 周一\n周一的正文" in text and "2. 周三" in text and "<" not in text
    assert client.get("/reports/learn/day/2025-13-01").status_code == 404


def test_future_items_hidden(client, app):
    future = local_today() + timedelta(days=3)
    (item_id,) = add_items(app, (future, "明日预告"))
    assert client.get(f"/reports/learn/items/{item_id}").status_code == 404
    assert "明日预告" not in client.get(f"/reports/learn/week/{future.isoformat()}").get_data(
        as_text=True
    )
    assert "明日预告" not in client.get("/reports/learn/feed.atom").get_data(as_text=True)


def test_atom_feed_is_valid_atom(client, app):
    add_items(app, (date(2025, 3, 3), "<标题 & 符号>"), (date(2025, 3, 4), "第二条"))
    response = client.get("/reports/learn/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["第二条", "<标题 & 符号>"]
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None
        assert entry.find(f"{ATOM}id").text.startswith("tag:")
        assert entry.find(f"{ATOM}updated").text.endswith("Z")


def test_opening_items_earns_capped_credit(client, login_as, app):
    user = login_as("resident")
    ids = add_items(app, *[(local_today(), f"第{n}条") for n in range(5)])
    for item_id in ids:
        assert client.get(f"/reports/learn/items/{item_id}").status_code == 200
    client.get(f"/reports/learn/items/{ids[0]}")  # opened again: no second credit
    with app.app_context():
        assert credit_services.balance(user) == 3  # 1 each, daily cap 3


def test_anonymous_opening_earns_nothing_and_withdraw(client, login_as, app, town):
    (item_id,) = add_items(app, (local_today(), "一条"))
    assert client.get(f"/reports/learn/items/{item_id}").status_code == 200
    login_as("programme_manager", town.town_id)
    assert client.post(f"/reports/learn/items/{item_id}/withdraw").status_code == 302
    assert client.get(f"/reports/learn/items/{item_id}").status_code == 404


def test_english_catalog(client):
    client.post("/language", data={"locale": "en", "next": "/reports/learn/"})
    html = client.get("/reports/learn/").get_data(as_text=True)
    assert "Fingertip learning" in html and "Subscribe (Atom)" in html


def test_home_page_lists_todays_items(client, app):
    add_items(app, (local_today(), "今日要点"))
    assert "今日要点" in client.get("/").get_data(as_text=True)
