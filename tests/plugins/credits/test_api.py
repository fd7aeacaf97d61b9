"""The credit bank's JSON API: my balance and my ledger, reversals included, nobody else's."""

from __future__ import annotations

from core.extensions import db as _db
from plugins.credits import services
from plugins.credits.services import Source
from tests.api_helpers import assert_problem, bearer

API = "/api/v1/credits"


def test_my_balance_and_ledger_with_a_reversal(app, client, make_user):
    me, other = make_user(), make_user()
    with app.app_context():
        services.credit(me, "attendance", Source("calendar", "attendance", 1), "参加干部夜校")
        services.credit(me, "attendance", Source("calendar", "attendance", 2), "参加微讲堂")
        services.credit(other, "attendance", Source("calendar", "attendance", 3), "别人的")
        services.reverse(Source("calendar", "attendance", 2), me, "签到撤销")
        _db.session.commit()
        one = services.get_rule("attendance").amount
    headers = bearer(app, me)
    assert client.get(f"{API}/me", headers=headers).get_json()["balance"] == one
    ledger = client.get(f"{API}/me/ledger?per_page=10", headers=headers).get_json()
    assert [(e["amount"], e["kind"]) for e in ledger["items"]] == [
        (-one, "reversal"),
        (one, "credit"),
        (one, "credit"),
    ]
    assert ledger["meta"]["total"] == 3
    assert_problem(client.get(f"{API}/me"), 401)
