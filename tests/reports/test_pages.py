"""Report pages: the supervisor produces any ended period through the job queue (inline here), the report reads the
same as a page, on A4 and as .xlsx; who may read and who may produce."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from portal.cases.models import CaseType, Status
from portal.extensions import db
from portal.localtime import as_of
from portal.reports.models import PublishedReport
from tests.factories import make_case

D = dt.date


@pytest.fixture(autouse=True)
def on_a_day():
    with as_of(D(2025, 11, 20)):
        yield


@pytest.fixture
def cases(seed):
    def build(world):
        make_case(world, Status.IN_PROGRESS, on=D(2025, 11, 4), title="幸福路电梯停运")
        make_case(world, Status.ASSIGNED, on=D(2025, 11, 5), case_type=CaseType.ACCUSATION, title="举报某局长受贿")

    return seed(build)


def produce(client, kind="weekly", start="2025-11-03", end="2025-11-09"):
    return client.post("/staff/reports/", data={"kind": kind, "start": start, "end": end})


def only_report(app) -> PublishedReport:
    with app.app_context():
        return db.session.scalars(db.select(PublishedReport)).one()


def test_a_supervisor_produces_a_weekly_summary_and_reads_it_as_page_print_and_xlsx(client, as_supervisor, cases, app):
    response = produce(client)
    assert response.status_code == 303
    report = only_report(app)
    assert report.number == "信周〔2025〕1号" and report.published_by_id == as_supervisor.id
    listing = client.get("/staff/reports/").get_data(as_text=True)
    assert "信周〔2025〕1号" in listing
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "信访工作每周汇总" in page and "本期新登记信访件 2 件" in page
    assert "css/reports.css" in page and "data-print" in page
    workbook = client.get(f"/staff/reports/{report.id}/export.xlsx")
    assert workbook.status_code == 200
    wb = load_workbook(BytesIO(workbook.data))
    assert wb.sheetnames == ["每周汇总", "按渠道", "说明"]
    assert wb["每周汇总"]["A1"].value == "信访工作每周汇总（信周〔2025〕1号）"


def test_the_same_period_again_leads_to_the_report_already_published(client, as_supervisor, cases, app):
    produce(client)
    again = produce(client)
    assert again.status_code == 303 and "/staff/reports/" in again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PublishedReport.id))) == 1


def test_a_period_not_yet_ended_is_refused_with_a_chinese_message_and_nothing_is_made(client, as_supervisor, app):
    response = produce(client, start="2025-11-17", end="2025-11-23")
    assert response.status_code == 422
    assert "须在今天之前结束" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PublishedReport.id))) == 0


def test_a_bad_date_is_a_chinese_message(client, as_supervisor):
    response = client.post("/staff/reports/", data={"kind": "weekly", "start": "yesterday", "end": ""})
    assert response.status_code == 422
    assert "请填写截止日期" in response.get_data(as_text=True)


def test_the_supervision_circular_never_prints_a_sealed_title(client, as_supervisor, cases, app):
    produce(client, kind="half_monthly", start="2025-11-01", end="2025-11-15")
    report = only_report(app)
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "举报某局长受贿" not in page


@pytest.mark.parametrize("role", ["clerk", "leader", "handler"])
def test_case_workers_read_reports_but_only_supervisors_produce_them(client, login, role, cases):
    login(role)
    assert client.get("/staff/reports/").status_code == 200
    assert produce(client).status_code == 403


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_people_who_see_no_cases_read_no_reports(client, login, role):
    login(role)
    assert client.get("/staff/reports/").status_code == 403


def test_a_missing_report_is_404(client, as_supervisor):
    assert client.get("/staff/reports/999999").status_code == 404
