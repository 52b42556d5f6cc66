"""The auditor's page: only for the auditor; filters by person, case (tracking code), action by its Chinese name,
result and date range; pages that never fail on odd numbers; an export of what the filters select, as text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal.audit.models import AuditLog
from portal.audit.services import record
from portal.cases.models import Status
from portal.extensions import db
from portal.localtime import as_of
from tests.factories import make_case


def listed(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def table(client, **query) -> str:
    """The table alone (what htmx asks for): the filter form lists every action's name."""
    return listed(
        client.get("/staff/audit/", query_string=query, headers={"HX-Request": "true", "HX-Target": "audit-table"})
    )


@pytest.mark.parametrize("key", ["clerk", "admin", "supervisor", "handler", "leader"])
def test_only_the_auditor_reads_the_log(client, login, key):
    login(key)
    assert client.get("/staff/audit/").status_code == 403
    assert client.get("/staff/audit/export.xlsx").status_code == 403


@pytest.fixture
def two_cases(seed):
    return seed(lambda world: [make_case(world, Status.ASSIGNED).tracking_code for _ in range(2)])


def test_filter_by_case_tracking_code_finds_the_cases_rows_as_typed(client, login, two_cases):
    first, second = two_cases
    login("auditor")

    page = listed(client.get("/staff/audit/", query_string={"case": f" {first.lower()} "}))

    assert first in page and second not in page
    assert "登记信访件" in page and "交办" in page


def test_filter_by_person_matches_name_or_username(client, login, staff, two_cases):
    login("auditor")

    page = table(client, person=staff["clerk"].username)
    assert "登记信访件" in page

    page = table(client, person=staff["handler"].username)
    assert "登记信访件" not in page


def test_filter_by_action_code_and_by_its_chinese_name(client, login, two_cases):
    login("auditor")

    by_code = table(client, action="case.assign")
    by_words = table(client, words="交办")

    for page in (by_code, by_words):
        assert page.count("<td>交办<br>") == 2 and "登记信访件<br>" not in page
    assert "没有这种操作" in table(client, action="case.nope")


def test_filter_by_result(client, login, staff):
    login("handler")
    client.get("/staff/audit/")  # refused: a failure row
    login("auditor")

    failures = table(client, success="0")
    successes = table(client, success="1")

    assert "越权访问被拒绝" in failures and "<td>登录<br>" not in failures
    assert "越权访问被拒绝" not in successes and "<td>登录<br>" in successes


def test_filter_by_date_range_in_china_time(app, client, login):
    with app.app_context():
        for day, name in ((dt.date(2026, 11, 1), "十一月一日"), (dt.date(2026, 11, 20), "十一月二十日")):
            with as_of(dt.datetime(day.year, day.month, day.day, 0, 30)):  # 00:30 in China is the day before in UTC
                record("case.note", None, actor_name=name)
        db.session.commit()
    login("auditor")

    page = table(client, date_from="2026-11-01", date_to="2026-11-01")

    assert "十一月一日" in page and "十一月二十日" not in page


@pytest.mark.parametrize(
    "args",
    [
        {"page": str(10**20)},
        {"page": "-3"},
        {"page": "abc"},
        {"page": "9" * 400},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-12-01", "date_to": "2026-11-01"},
        {"success": "maybe", "person": "张\x00三", "case": "XF" + "9" * 100},
    ],
)
def test_odd_arguments_never_fail_the_page(client, login, args):
    login("auditor")
    assert client.get("/staff/audit/", query_string=args).status_code == 200


def test_pages_go_on_while_there_are_rows(app, client, login):
    with app.app_context():
        for i in range(55):
            record("case.note", None, actor_name=f"行{i}")
        db.session.commit()
    login("auditor")

    first = listed(client.get("/staff/audit/"))
    second = table(client, page="2")

    assert "下一页" in first and "下一页" not in second and "上一页" in second


def test_htmx_gets_the_table_alone(client, login):
    login("auditor")

    page = listed(client.get("/staff/audit/", headers={"HX-Request": "true", "HX-Target": "audit-table"}))

    assert "<table" in page and "<html" not in page


def test_the_export_holds_the_filtered_rows_as_text_and_is_itself_audited(app, client, login, two_cases):
    first, _ = two_cases
    with app.app_context():
        record("case.note", None, actor_name='=HYPERLINK("http://evil.example/","点我")', tracking_code=first)
        db.session.commit()
    auditor = login("auditor")

    response = client.get("/staff/audit/export.xlsx", query_string={"case": first})

    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.data))["审计日志"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {v[6] for v in values} == {first}
    assert {"登记信访件", "交办", "添加调查记录"} <= {v[2] for v in values}
    hostile = next(row for row in sheet.iter_rows(min_row=2) if row[3].value == "case.note")
    assert hostile[1].data_type == "s" and hostile[1].value.startswith("=HYPERLINK")
    assert all(isinstance(v[10], str) and v[10].startswith("sm3:") for v in values)  # sealed before the export
    with app.app_context():
        row = db.session.execute(db.select(AuditLog).filter_by(action="audit.export")).scalar_one()
        assert row.actor_id == auditor.id and row.detail["rows"] == len(values)
