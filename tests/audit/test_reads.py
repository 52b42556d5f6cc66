"""Reads are audited: a case page that shows the petitioner's identity or a confidential case, an attachment, a
ledger export, a search by phone or ID number (with the number masked), and every refused request (403). A read's
row is committed even though a GET changes nothing else."""

from __future__ import annotations

import json

import pytest

from portal.audit.models import AuditLog
from portal.cases import attachments
from portal.cases.models import Status
from portal.extensions import db
from tests.factories import make_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13900139000"


def rows(app, action: str) -> list[AuditLog]:
    with app.app_context():
        found = db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars().all()
        db.session.expunge_all()
        return found


@pytest.mark.parametrize("confidential", [False, True])
def test_opening_a_case_page_with_the_petitioners_identity_leaves_a_row(app, client, login, seed, confidential):
    case = seed(
        lambda world: (c := make_case(world, Status.ASSIGNED, confidential=confidential)) and (c.id, c.tracking_code)
    )
    clerk = login("clerk")

    assert client.get(f"/staff/cases/{case[0]}").status_code == 200

    [row] = rows(app, "case.view")
    assert (row.actor_id, row.object_type, row.object_id, row.success) == (clerk.id, "cases", case[0], True)
    assert row.detail == {"tracking_code": case[1], "confidential": confidential}
    assert row.seq is not None  # committed and sealed


def test_a_refused_case_page_is_audited_as_a_refusal_not_as_a_read(app, client, login, seed):
    case_id = seed(lambda world: make_case(world, Status.ASSIGNED).id)
    other = login("other_handler")  # another department: may not open it

    assert client.get(f"/staff/cases/{case_id}").status_code == 403

    assert rows(app, "case.view") == []
    [row] = rows(app, "http.forbidden")
    assert (row.actor_id, row.success, row.detail["path"], row.detail["method"]) == (
        other.id,
        False,
        f"/staff/cases/{case_id}",
        "GET",
    )


def test_downloading_an_attachment_leaves_a_row(app, client, login, seed):
    def case_with_file(world):
        case = make_case(world, Status.ASSIGNED, attachments=attachments.check_uploads([("来信扫描件.png", PNG)]))
        return case.id, case.attachments[0].id, case.tracking_code

    case_id, file_id, code = seed(case_with_file)
    login("handler")

    response = client.get(f"/staff/cases/{case_id}/attachments/{file_id}")

    assert response.status_code == 200
    [row] = rows(app, "case.attachment")
    assert (row.object_type, row.object_id, row.detail) == (
        "attachments",
        file_id,
        {"tracking_code": code, "name": "来信扫描件.png"},
    )


def test_exporting_a_ledger_leaves_a_row(app, client, login, seed):
    seed(lambda world: make_case(world, Status.ASSIGNED).id)
    login("clerk")

    assert client.get("/staff/ledgers/assigned/export.xlsx").status_code == 200

    [row] = rows(app, "ledger.export")
    assert row.detail["ledger"] == "assigned" and row.success


@pytest.mark.parametrize("typed", ["139 0013 9000", "+86 13900139000"])
def test_a_search_by_phone_leaves_a_row_with_the_number_masked_and_never_the_term(app, client, login, seed, typed):
    seed(lambda world: make_case(world, Status.ASSIGNED, phone=PHONE).id)
    login("clerk")

    assert client.get("/staff/cases/", query_string={"q": typed}).status_code == 200

    [row] = rows(app, "case.search")
    stored = json.dumps(row.detail, ensure_ascii=False) + row.actor_name
    assert row.detail["term"] == "139****9000"
    assert PHONE not in stored and typed not in stored and "00139" not in stored


def test_every_403_leaves_a_refusal_row_and_nothing_else_of_the_request(app, client, login):
    login("handler")

    for path in ("/staff/audit/", "/staff/audit/export.xlsx"):
        assert client.get(path).status_code == 403

    assert [(r.detail["path"], r.success) for r in rows(app, "http.forbidden")] == [
        ("/staff/audit/", False),
        ("/staff/audit/export.xlsx", False),
    ]
    assert rows(app, "audit.export") == []


def test_the_registration_lookup_that_finds_earlier_cases_leaves_a_masked_row(app, client, login, seed):
    seed(lambda world: make_case(world, Status.ASSIGNED, phone=PHONE).id)
    login("clerk")

    assert client.get("/staff/cases/earlier", query_string={"phone": "13800000000"}).status_code == 200
    assert rows(app, "case.search") == []  # nothing found, nothing read

    assert client.get("/staff/cases/earlier", query_string={"phone": PHONE}).status_code == 200

    [row] = rows(app, "case.search")
    assert row.detail == {"kind": "registration_lookup", "term": "139****9000", "found": 1}
