"""The registration forms as sent: F5 on a receipt sends the same form again, and the petition is registered once
(the staff form and the public form) with the next form a new one; a 越级 petition is recorded as such."""

from __future__ import annotations

import re

from portal.cases.models import Case
from portal.extensions import db

CLERK_FORM = {
    "channel": "visit",
    "received_on": "",
    "petitioner_name": "赵桂兰",
    "phone": "13907310003",
    "id_number": "",
    "address": "",
    "case_type": "claim",
    "title": "养老保险未足额缴纳",
    "content": "原单位未足额缴纳养老保险。",
    "procedure": "normal",
    "people_count": "1",
    "category_id": "0",
}
PUBLIC_FORM = {
    "name": "李桂兰",
    "phone": "13907310004",
    "case_type": "suggestion",
    "category_id": "0",
    "title": "村道损毁",
    "content": "村道年久失修，雨天无法通行。",
    "consent": "y",
}


def cases(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Case))


def token(html: str) -> str:
    return re.search(r'name="once" value="([^"]+)"', html).group(1)


def test_a_clerk_who_presses_f5_on_the_receipt_registers_the_petition_once(app, client, login):
    from portal.localtime import today

    login("clerk")
    once = token(client.get("/staff/cases/new").get_data(as_text=True))
    data = {**CLERK_FORM, "received_on": today().isoformat(), "once": once}

    first = client.post("/staff/cases/new", data=data)
    assert first.status_code == 201, first.get_data(as_text=True)[-2000:]
    again = client.post("/staff/cases/new", data=data)

    assert again.status_code == 303 and "/staff/cases/" in again.headers["Location"]
    assert cases(app) == 1
    assert "未重复登记" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert token(client.get("/staff/cases/new").get_data(as_text=True)) != once


def test_a_petitioner_who_presses_f5_on_the_receipt_submits_once(app, client, staff):
    once = token(client.get("/submit").get_data(as_text=True))
    data = {**PUBLIC_FORM, "once": once}

    assert client.post("/submit", data=data).status_code == 201
    again = client.post("/submit", data=data)

    assert again.status_code == 200 and "未重复提交" in again.get_data(as_text=True)
    assert token(again.get_data(as_text=True)) != once
    assert cases(app) == 1


def test_the_clerk_records_a_petition_that_skipped_a_level_and_the_case_page_says_so(client, login):
    from portal.localtime import today

    login("clerk")
    data = {
        **CLERK_FORM,
        "received_on": today().isoformat(),
        "skipped_level": "y",
        "proper_level": "城关镇信访办",
        "once": "skip-level-test",
    }

    response = client.post("/staff/cases/new", data=data)
    assert response.status_code == 201
    case_id = re.search(r'href="/staff/cases/(\d+)"', response.get_data(as_text=True)).group(1)
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert "越级信访" in page and "应先向城关镇信访办反映" in page
