"""Bank import: preview lists every bad row, nothing saved before confirm, junk refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.extensions import db as _db
from plugins.competitions import importer
from plugins.competitions.models import ImportBatch, Question

HEADER = ",".join(importer.COLUMNS)


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _upload(client, data: bytes, name: str = "q.csv"):
    return client.post(
        "/contests/bank/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _count(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count(Question.id)))


def test_preview_lists_bad_rows_then_confirm_saves(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    data = _csv(
        "单选,法律,1,村委会任期几年?,三年,五年,,,,,B,五年",
        "单选,法律,1,坏答案字母,甲,乙,,,,,E,",
        "多选,安全,2,多选只有一个答案,甲,乙,丙,,,,A,",
        "单选,健康,1,选项中间空,甲,,丙,,,,A,",
        "判断,健康,1,判断题答案不对,,,,,,,也许,",
        "单选,天文,4,分类难度都错,甲,乙,,,,,A,",
        "单选,法律,1,村委会任期几年?,三年,五年,,,,,B,同一文件重复",
        "判断,安全,1,电动车可以在楼道充电,,,,,,,错,不可以",
        ",,,,,,,,,,,",
        "单选,法律,1," + "长" * 501 + ",甲,乙,,,,,A,",
    )
    response = _upload(client, data)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    for reason in [
        "不在选项",
        "至少要有两个",
        "中间有空项",
        "判断题答案",
        "分类不在",
        "难度应为",
        "与第 2 行重复",
        "题干超过",
    ]:
        assert reason in preview, reason
    assert _count(app) == 0
    with app.app_context():
        batch = _db.session.scalar(select(ImportBatch))
        assert len(batch.rows) == 2 and len(batch.errors) == 7
        token = batch.token
    # Confirm refused while bad rows remain unless skipping is explicit.
    assert client.post(f"/contests/bank/import/{token}/confirm").status_code == 303
    assert _count(app) == 0
    client.post(f"/contests/bank/import/{token}/confirm", data={"skip_bad": "1"})
    assert _count(app) == 2
    # Importing again: duplicates against the bank, and the batch cannot be saved twice.
    client.post(f"/contests/bank/import/{token}/confirm", data={"skip_bad": "1"})
    assert _count(app) == 2
    again = _upload(client, _csv("单选,法律,1,村委会任期几年？,三年,五年,,,,,B,"))
    assert "题库中已有相同题目" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_missing_columns_and_junk(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    response = _upload(client, "题型,题干\n单选,什么\n".encode())
    assert response.status_code == 400
    assert "缺少列" in response.get_data(as_text=True)
    junk = _upload(client, b"\x00\x01junk" * (10 * 1024 * 1024 // 6), "big.xlsx")
    assert junk.status_code in (400, 413)
    if junk.status_code == 400:
        assert "文件太大" in junk.get_data(as_text=True)
    small_junk = _upload(client, b"\x00\x9f\x92\x96 garbage", "x.xlsx")
    assert small_junk.status_code == 400
    assert "不是 XLSX 或 CSV" in small_junk.get_data(as_text=True)
    fake_zip = _upload(client, b"PK\x03\x04 not really a zip", "x.xlsx")
    assert fake_zip.status_code == 400 and "无法读取" in fake_zip.get_data(as_text=True)
    assert _count(app) == 0


def test_xlsx_template_roundtrip_and_export(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    template = client.get("/contests/bank/template.xlsx")
    assert template.status_code == 200
    response = _upload(client, template.data, "template.xlsx")
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/contests/bank/import/{token}/confirm")
    assert _count(app) == 3
    exported = client.get("/contests/bank/export.xlsx")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "题型" and len(rows) == 4
    assert client.get("/contests/bank/template.csv").status_code == 200


def test_bank_is_for_managers_only(app, client, town, login_as):
    login_as("village_coordinator", town.village_a_id)
    assert client.get("/contests/bank").status_code == 403
    assert _upload(client, _csv("单选,法律,1,题,甲,乙,,,,,A,")).status_code == 403


def test_question_form_validates_answer(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    data = {
        "kind": "single",
        "category": "law",
        "difficulty": "1",
        "stem": "问题一",
        "option_a": "甲",
        "option_b": "乙",
        "answer": "C",
    }
    response = client.post("/contests/bank/new", data=data)
    assert response.status_code == 200 and "不在选项" in response.get_data(as_text=True)
    data["answer"] = "B"
    assert client.post("/contests/bank/new", data=data).status_code == 302
    duplicate = client.post("/contests/bank/new", data={**data, "stem": "问题一!"})
    assert "已有相同题目" in duplicate.get_data(as_text=True)
    assert _count(app) == 1


def test_question_form_shows_every_problem_at_once(app, client, town, login_as):
    login_as("programme_manager", town.town_id)
    data = {
        "kind": "single",
        "category": "law",
        "difficulty": "1",
        "stem": "",
        "option_a": "甲",
        "option_b": "",
        "option_c": "丙",
        "answer": "E",
    }
    page = client.post("/contests/bank/new", data=data).get_data(as_text=True)
    for message in ("选项中间不能有空项。", "答案字母 E 不在选项 A–C 之内。", "必填"):
        assert message in page, message
    assert _count(app) == 0
