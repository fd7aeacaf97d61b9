"""The sign-in sheet (签到册): registrants before, who came after, full phones only where due."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from openpyxl import load_workbook

from core.extensions import db as _db
from core.timeutil import to_local, utcnow
from plugins.calendar import attendance, recurrence, signin
from plugins.calendar.models import CalendarEvent, CalendarRegistration
from tests.conftest import log_in


def occurrence(app, event_id):
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        return recurrence.find_occurrence(event, event.start_at)


def sign_up(app, event_id, user_id=None, proxy=None) -> int:
    """A registration written directly (the form refuses past dates)."""
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        row = CalendarRegistration(
            event_id=event_id,
            original_start=event.start_at,
            user_id=user_id,
            proxy_name=proxy[0] if proxy else None,
            proxy_phone=proxy[1] if proxy else None,
        )
        _db.session.add(row)
        _db.session.commit()
        return row.id


def table_rows(html: str) -> list[list[str]]:
    body = html.split('<table class="table signin">', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]


def xlsx_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.data))
    return list(book.active.iter_rows(values_only=True))


def test_before_the_event_every_registrant_and_blank_rows(app, client, make_event, make_user, town):
    event_id = make_event()  # next week
    a_person = make_user(name="王大妈", phone="13900001111")
    b_person = make_user(name="乙村李叔", phone="13900003333", home_unit_id=town.village_b_id)
    for person in (a_person, b_person):
        sign_up(app, event_id, person)
    occ = occurrence(app, event_id)
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    client.post(
        f"/calendar/e/{event_id}/{occ.key}/people",
        data={
            "proxy-name": "李奶奶",
            "proxy-village_id": town.village_a_id,
            "proxy-phone": "13900002222",
        },
    )
    html = client.get(f"/calendar/e/{event_id}/{occ.key}/signin").get_data(as_text=True)
    rows = table_rows(html)
    assert [r[1] for r in rows[:3]] == ["王大妈", "乙村李叔", "李奶奶"]
    assert [r[2] for r in rows[:3]] == ["甲村", "乙村", "甲村"] and "代报名" in rows[2][4]
    assert all(r[5] == "" and r[6] == "" for r in rows)  # not yet: time and signature empty
    assert len(rows) == 3 + signin.BLANK_ROWS and all(r[1] == "" for r in rows[3:])
    assert "报名 3 人，签到 0 人" in html and "签名" in html
    book = xlsx_rows(client.get(f"/calendar/e/{event_id}/{occ.key}/signin.xlsx"))
    assert book[2] == ("序号", "姓名", "村/社区", "手机号", "备注", "签到时间", "签名")
    assert [r[1] for r in book[3:6]] == ["王大妈", "乙村李叔", "李奶奶"]
    assert [r[0] for r in book[3:-1]] == list(range(1, 14))  # numbered blank rows too


def test_after_the_event_who_came_when_and_who_did_not(app, client, make_event, make_user, town):
    ended = utcnow() - timedelta(days=1)
    event_id = make_event(start_at=ended - timedelta(hours=2), end_at=ended)
    came, absent, undone = (make_user(name=n) for n in ("到了", "没来", "撤销了"))
    for person in (came, absent, undone):
        sign_up(app, event_id, person)
    occ = occurrence(app, event_id)
    at = occ.start + timedelta(minutes=5)
    with app.app_context():
        event = _db.session.get(CalendarEvent, event_id)
        attendance.check_in(event, occ, user_id=came, now=at)
        wrong, _made = attendance.check_in(event, occ, user_id=undone, now=at)
        attendance.revoke(wrong, "误点")
        attendance.check_in(event, occ, walk_in_name="路过", now=at)
        _db.session.commit()
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    html = client.get(f"/calendar/e/{event_id}/{occ.key}/signin").get_data(as_text=True)
    by_name = {r[1]: r for r in table_rows(html)}
    assert by_name["到了"][5] == to_local(at).strftime("%m-%d %H:%M")
    assert by_name["没来"][5] == "未到" and by_name["撤销了"][5] == "签到已撤销"
    assert by_name["路过"][2] == "现场登记"
    assert set(by_name) == {"到了", "没来", "撤销了", "路过"}  # no blank rows afterwards
    assert "报名 3 人，签到 2 人" in html


def test_full_phone_only_for_staff_of_the_persons_village(app, client, make_event, make_user, town):
    event_id = make_event()
    make_a = make_user(name="甲村人", phone="13900001111")
    make_b = make_user(name="乙村人", phone="13900003333", home_unit_id=town.village_b_id)
    for person in (make_a, make_b):
        sign_up(app, event_id, person)
    sign_up(app, event_id, proxy=("代报名人", "13900002222"))
    occ = occurrence(app, event_id)
    url = f"/calendar/e/{event_id}/{occ.key}/signin"

    def phones(viewer) -> tuple[dict, dict]:
        log_in(client, app, viewer)
        page = {r[1]: r[3] for r in table_rows(client.get(f"{url}?full=1").get_data(as_text=True))}
        book = {r[1]: r[3] for r in xlsx_rows(client.get(f"{url[:-7]}/signin.xlsx?full=1"))[3:]}
        return page, book

    for page in phones(make_user("village_coordinator", town.village_a_id)):
        assert page["甲村人"] == "13900001111" and page["代报名人"] == "13900002222"
        assert page["乙村人"] == "139****3333"  # village A's coordinator, village B's person
    for viewer in (
        make_user("programme_manager", town.town_id),
        make_user("site_admin", town.town_id),
    ):
        for page in phones(viewer):
            assert page["乙村人"] == "13900003333" and page["甲村人"] == "13900001111"
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    masked = table_rows(client.get(url).get_data(as_text=True))
    assert {r[3] for r in masked if r[1]} == {"139****1111", "139****3333", "139****2222"}
    log_in(client, app, make_user("village_coordinator", town.village_b_id))
    assert client.get(f"{url}?full=1").status_code == 403


def test_xlsx_writes_formula_like_text_as_text(app, client, make_event, make_user, town):
    event_id = make_event()
    sign_up(app, event_id, make_user(name='=HYPERLINK("http://x","点我")'))
    sign_up(app, event_id, proxy=("@SUM(A1)", "13900002222"))
    sign_up(app, event_id, proxy=("-1+2", "13900004444"))
    occ = occurrence(app, event_id)
    log_in(client, app, make_user("village_coordinator", town.village_a_id))
    response = client.get(f"/calendar/e/{event_id}/{occ.key}/signin.xlsx")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "HYPERLINK" in xml
    book = load_workbook(io.BytesIO(response.data))
    cells = [row[1] for row in book.active.iter_rows(min_row=4, max_row=6)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x","点我")', "@SUM(A1)", "-1+2"]
    assert all(c.data_type == "s" for c in cells)
