"""The document pages: staff see every document of a case they may read, record deliveries and print the 送达回证;
the petitioner downloads the public ones from the progress page after the lookup, and nothing else."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditLog
from portal.cases import codes
from portal.cases.lifecycle import Status
from portal.cases.models import Case, CaseType
from portal.documents.models import Document
from portal.extensions import db
from portal.localtime import today
from tests.documents.conftest import needs_pdftotext, pdf_text
from tests.factories import make_case

pytestmark = needs_pdftotext
QUERY_CODE = "ACDEF34679"


@pytest.fixture
def replied(seed):
    """A replied claim whose query code is QUERY_CODE: its tracking code and its documents by kind."""

    def build(world):
        case = make_case(world, Status.REPLIED)
        case.query_code_hash = codes.hash_query_code(QUERY_CODE)
        return case.tracking_code, {d.kind: d.id for d in case.documents}

    return seed(build)


def test_the_case_page_lists_every_document_and_its_page_offers_print_pdf_and_receipt(client, as_clerk, replied):
    code, docs = replied
    case_id = _case_id(client, code)
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)

    assert "文书" in page and "信受〔" in page and "信交〔" in page and "信处〔" in page
    detail = client.get(f"/staff/documents/{docs['opinion']}")
    body = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "打印送达回证" in body and "下载PDF" in body and "更正送达记录" in body
    printed = client.get(f"/staff/documents/{docs['opinion']}/print")
    assert printed.status_code == 200 and "信访事项处理意见书" in printed.get_data(as_text=True)
    assert "http" not in printed.get_data(as_text=True).split("<body", 1)[1]  # nothing loaded from anywhere
    pdf = client.get(f"/staff/documents/{docs['opinion']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "信访事项处理意见书" in pdf_text(pdf.data)


def test_the_receipt_prints_the_document_number_and_the_addressee(client, as_clerk, replied):
    _, docs = replied
    page = client.get(f"/staff/documents/{docs['accept_notice']}/receipt").get_data(as_text=True)

    assert "送达回证" in page and "信受〔" in page and "张三" in page and "受送达人签名" in page
    assert client.get(f"/staff/documents/{docs['assignment_slip']}/receipt").status_code == 404


def test_a_delivery_posted_from_the_page_is_recorded_and_a_bad_one_refused(client, as_clerk, replied, app):
    _, docs = replied
    url = f"/staff/documents/{docs['accept_notice']}/delivery"
    bad = client.post(url, data={"method": "post", "delivered_on": today().isoformat()})
    assert bad.status_code == 422 and "邮寄送达请填写邮件号" in bad.get_data(as_text=True)

    good = client.post(url, data={"method": "post", "delivered_on": today().isoformat(), "tracking_number": "XA1CN"})
    assert good.status_code == 303
    with app.app_context():
        doc = db.session.get(Document, docs["accept_notice"])
        assert doc.delivery.tracking_number == "XA1CN" and doc.delivery.recorded_by.username == "clerk"


def test_staff_of_another_department_may_not_open_the_documents(client, login, replied):
    _, docs = replied
    login("other_handler")
    assert client.get(f"/staff/documents/{docs['opinion']}").status_code == 403
    assert client.get(f"/staff/documents/{docs['opinion']}/pdf").status_code == 403
    login("handler")
    assert client.get(f"/staff/documents/{docs['opinion']}").status_code == 200
    assert client.post(f"/staff/documents/{docs['opinion']}/delivery", data={}).status_code == 403


def test_reading_a_document_is_audited(client, as_clerk, replied, app):
    _, docs = replied
    client.get(f"/staff/documents/{docs['opinion']}/pdf")
    with app.app_context():
        rows = db.session.execute(db.select(AuditLog).filter_by(action="document.view")).scalars().all()
        assert [(r.object_id, r.detail["form"]) for r in rows] == [(docs["opinion"], "pdf")]


def test_the_petitioner_downloads_the_public_documents_after_the_lookup(client, replied):
    code, docs = replied
    url = f"/track/{code}/notices/{docs['opinion']}.pdf"
    assert client.get(url).status_code == 303  # no lookup yet: back to the lookup form

    assert client.post("/track", data={"tracking_code": code, "query_code": QUERY_CODE}).status_code == 303
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "书面告知" in page and "受理告知书" in page and "信访事项处理意见书" in page
    assert "交办单" not in page
    pdf = client.get(url)
    assert pdf.status_code == 200 and "张三：" in pdf_text(pdf.data)
    assert client.get(f"/track/{code}/notices/{docs['assignment_slip']}.pdf").status_code == 404


def test_a_lookup_of_one_case_opens_no_document_of_another(client, replied, seed):
    code, _ = replied
    other = seed(lambda world: next(d.id for d in make_case(world, Status.ACCEPTED).documents))
    client.post("/track", data={"tracking_code": code, "query_code": QUERY_CODE})

    assert client.get(f"/track/{code}/notices/{other}.pdf").status_code == 404


def test_a_confidential_case_lists_no_documents_on_the_public_page(client, seed):
    def build(world):
        case = make_case(world, Status.ACCEPTED, case_type=CaseType.ACCUSATION)
        case.query_code_hash = codes.hash_query_code(QUERY_CODE)
        return case.tracking_code, case.documents[0].id

    code, doc_id = seed(build)
    client.post("/track", data={"tracking_code": code, "query_code": QUERY_CODE})

    assert "书面告知" not in client.get(f"/track/{code}").get_data(as_text=True)
    assert client.get(f"/track/{code}/notices/{doc_id}.pdf").status_code == 404


def _case_id(client, code: str) -> int:
    with client.application.app_context():
        return db.session.execute(db.select(Case.id).filter_by(tracking_code=code)).scalar_one()
