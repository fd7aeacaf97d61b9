"""群众点单: a resident asks; the village's coordinator merges it into an order or declines it
with a reason; the resident follows it. Other villages' coordinators and residents may not."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db as _db
from core.models import Notification, User
from plugins.lecturers.requests.models import ResidentWish
from tests.conftest import log_in

from .conftest import build_request


def wishes(app) -> list[tuple]:
    with app.app_context():
        return [
            (w.state, w.request_id, w.decline_reason)
            for w in _db.session.scalars(select(ResidentWish).order_by(ResidentWish.id))
        ]


def ask(client, text="想听防诈骗讲座", topic_id=0):
    return client.post("/lectures/wishes/new", data={"wish": text, "topic_id": topic_id})


def test_a_resident_asks_and_the_coordinator_merges_it_into_an_order(app, client, people, town):
    log_in(client, app, people.resident)
    assert ask(client, topic_id=people.topic).headers["Location"] == "/lectures/wishes/"
    assert "待村里处理" in client.get("/lectures/wishes/").get_data(as_text=True)
    with app.app_context():
        order = build_request(people, town.village_a_id, "submitted")
        order_id = order.id
        wish_id = _db.session.scalar(select(ResidentWish.id))
    log_in(client, app, people.coordinator)
    page = client.get("/lectures/wishes/").get_data(as_text=True)
    assert "想听防诈骗讲座" in page and f'value="{order_id}"' in page
    response = client.post(
        "/lectures/wishes/decide",
        data={"action": "merge", "wish_id": str(wish_id), "request_id": str(order_id)},
    )
    assert response.status_code == 302
    assert wishes(app) == [("merged", order_id, "")]
    log_in(client, app, people.resident)
    page = client.get("/lectures/wishes/").get_data(as_text=True)
    assert "已并入村里的点单" in page and "待派单" in page
    with app.app_context():
        note = _db.session.scalar(
            select(Notification).where(Notification.user_id == people.resident)
        )
        assert note.kind == "order" and note.subject.startswith("您的点单已并入村里的点单")


def test_a_decline_needs_a_reason_and_the_resident_sees_it(app, client, people):
    log_in(client, app, people.resident)
    ask(client)
    with app.app_context():
        wish_id = _db.session.scalar(select(ResidentWish.id))
    log_in(client, app, people.coordinator)
    data = {"action": "decline", "wish_id": str(wish_id), "reason": ""}
    page = client.post("/lectures/wishes/decide", data=data)
    assert page.status_code == 400 and "请填写不采纳的原因" in page.get_data(as_text=True)
    assert wishes(app) == [("open", None, "")]
    client.post("/lectures/wishes/decide", data={**data, "reason": "本月已安排同类讲座"})
    assert wishes(app) == [("declined", None, "本月已安排同类讲座")]
    again = client.post("/lectures/wishes/decide", data={**data, "reason": "再次"})
    assert "已经处理过了" in again.get_data(as_text=True)


def test_other_villages_and_residents_cannot_decide(app, client, people, town):
    log_in(client, app, people.resident)
    ask(client)
    with app.app_context():
        wish_id = _db.session.scalar(select(ResidentWish.id))
        other_order = build_request(people, town.village_b_id, "submitted")
        other_order_id = other_order.id
    data = {"action": "decline", "wish_id": str(wish_id), "reason": "不要"}
    for intruder in (people.resident, people.other_coordinator):
        log_in(client, app, intruder)
        assert client.post("/lectures/wishes/decide", data=data).status_code == 403
    assert "待处理的群众点单" not in client.get("/lectures/wishes/").get_data(as_text=True)
    log_in(client, app, people.coordinator)
    merge = {"action": "merge", "wish_id": str(wish_id), "request_id": str(other_order_id)}
    assert "只能并入同一个村的点单" in client.post("/lectures/wishes/decide", data=merge).get_data(
        as_text=True
    )
    assert wishes(app) == [("open", None, "")]
    client.post("/logout")
    anonymous = client.post("/lectures/wishes/new", data={"wish": "x"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_bad_wishes_are_explained(app, client, people):
    log_in(client, app, people.resident)
    assert "请写下想听的内容" in ask(client, "   ").get_data(as_text=True)
    assert "请从菜单中选择一个题目" in ask(client, topic_id=999999).get_data(as_text=True)
    with app.app_context():
        _db.session.get(User, people.resident).home_unit_id = None
        _db.session.commit()
    assert "请先在个人资料里选择所在村" in ask(client).get_data(as_text=True)
    assert wishes(app) == []
    assert client.post("/lectures/wishes/new", data={"wish": "x"}, csrf=False).status_code == 400
