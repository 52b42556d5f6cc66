"""Written notices (issue 14): issued at the moment each decision is recorded, numbered per organ, kind and year,
frozen, and read back from the PDF (pdftotext) for number, parties, dates and article."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.cases import services as cases
from portal.cases.lifecycle import Status
from portal.cases.models import CaseType, Channel
from portal.documents import services
from portal.documents.kinds import KINDS, Kind, register
from portal.documents.models import DeliveryMethod, Document
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from portal.settings.models import SPECS
from portal.settings.services import change_setting
from tests import factories
from tests.documents.conftest import needs_pdftotext, only, text_of

pytestmark = needs_pdftotext
DAY = dt.date(2026, 3, 2)  # a Monday


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.VISIT, Channel.PHONE, Channel.ONLINE])
def test_every_channel_gets_the_written_acceptance_notice_with_its_number_parties_dates_and_article(world, channel):
    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED, channel=channel, received_on=DAY - dt.timedelta(days=3))
        doc = only(case, "accept_notice")
        text = text_of(doc)

    assert doc.number == "信受〔2026〕1号"
    assert doc.issuer_name == "县信访局" and doc.public and doc.to_petitioner
    for expected in (
        "受理告知书",
        "信受〔2026〕1号",
        "张三：",
        case.tracking_code,
        f"您于{cn(case.received_on)}以{channel.label}方式反映",
        f"已于{cn(DAY)}决定受理",
        f"将在{cn(case.handle_due)}前办结",
        "《信访工作条例》第二十二条",
        "查询码已另行告知",
        "县信访局",
    ):
        assert expected in text, expected
    # Online petitioners get it online the day it is issued; the others when the office records the delivery.
    if channel is Channel.ONLINE:
        assert (doc.delivery.method, doc.delivery.delivered_on) == (DeliveryMethod.ONLINE, DAY)
    else:
        assert doc.delivery is None


def test_numbers_run_per_issuing_organ_kind_and_year_without_gaps(world):
    with as_of(DAY):
        first = factories.make_case(world, Status.ASSIGNED)
        second = factories.make_case(world, Status.ACCEPTED)
        refused = factories.make_case(world, Status.NOT_ACCEPTED)
    with as_of(dt.date(2027, 1, 4)):
        next_year = factories.make_case(world, Status.ACCEPTED)

    assert only(first, "accept_notice").number == "信受〔2026〕1号"
    assert only(first, "assignment_slip").number == "信交〔2026〕1号"
    assert only(second, "accept_notice").number == "信受〔2026〕2号"
    assert only(refused, "not_accept_notice").number == "信不受〔2026〕1号"
    assert only(next_year, "accept_notice").number == "信受〔2027〕1号"


def test_the_number_pattern_and_each_kinds_code_are_settings_and_change_only_new_numbers(world):
    with as_of(DAY):
        before = factories.make_case(world, Status.ACCEPTED)
        change_setting("document_code_accept_notice", "云信受", world.admin)
        change_setting("document_number_pattern", "{代字}〔{年份}〕第{序号}号", world.admin)
        after = factories.make_case(world, Status.ACCEPTED)

    assert only(before, "accept_notice").number == "信受〔2026〕1号"
    assert only(after, "accept_notice").number == "云信受〔2026〕第2号"
    assert "云信受〔2026〕第2号" in text_of(only(after, "accept_notice"))
    with pytest.raises(DomainError, match="须包含"):
        change_setting("document_number_pattern", "{代字}〔{年份}〕", world.admin)
    with pytest.raises(DomainError, match="须包含"):
        change_setting("document_number_pattern", "{代字}{月份}{序号}", world.admin)


def test_the_refusal_names_the_route_and_the_forwarding_notice_the_authority(world):
    with as_of(DAY):
        refused = factories.make_case(world, Status.NOT_ACCEPTED)
        forwarded = factories.make_case(world, Status.FORWARDED)
        refusal, forward = text_of(only(refused, "not_accept_notice")), text_of(only(forwarded, "forward_notice"))

    assert "不予受理告知书" in refusal and "信不受〔2026〕1号" in refusal
    assert "应当通过诉讼解决" in refusal and "向有管辖权的人民法院提起诉讼" in refusal
    assert "说明：已进入诉讼程序" in refusal and "第二十二条" in refusal
    assert "转送告知书" in forward and f"已于{cn(DAY)}将其转送市自然资源和规划局处理" in forward


def test_the_assignment_slip_goes_to_the_department_and_stays_internal(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.ASSIGNED)
        slip = only(case, "assignment_slip")
        text = text_of(slip)

    assert not slip.public and not slip.to_petitioner and slip.delivery is None
    assert slip.addressee == "县住房和城乡建设局"
    assert "信访事项交办单" in text and "县住房和城乡建设局：" in text
    assert f"{cn(case.due_date)}前" in text and "5个工作日内提出异议" in text and "第二十三条" in text
    with pytest.raises(DomainError, match="不登记向信访人送达"):
        services.record_delivery(
            slip, world.clerk, method=DeliveryMethod.IN_PERSON, delivered_on=DAY, recipient="周局长"
        )


def test_the_extension_notice_gives_the_reason_and_both_dates(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.IN_PROGRESS)
        cases.request_extension(case, world.handler, days=20, reason="涉及多个部门需联合调查")
        request = cases.decide_extension(case, world.dept_head, approve=True, note="同意")
        db.session.commit()
        doc = only(case, "extension_notice")
        text = text_of(doc)

    assert doc.issuer_name == "县住房和城乡建设局" and doc.number == "信延〔2026〕1号"
    assert "延期办理告知书" in text and "因涉及多个部门需联合调查" in text
    assert f"由{cn(request.original_due)}延至{cn(request.new_due)}" in text and "延长20日" in text
    assert "第三十四条" in text


def test_the_opinion_carries_request_facts_outcome_basis_signer_and_the_review_window(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.REPLIED)
        doc = only(case, "opinion")
        text = text_of(doc)

    assert doc.issuer_name == "县住房和城乡建设局" and doc.number == "信处〔2026〕1号"
    for expected in (
        "信访事项处理意见书",
        "张三：",
        "一、信访请求",
        "电梯停运三个月，物业不予维修。",
        "经调查，责令物业公司限期修复电梯。",
        "予以支持",
        "《物业管理条例》",
        "签发人：局长周局长",
        "第三十二条",
        "自收到本意见书之日起30日内",
        "复查（《信访工作条例》第三十五条）",
        cn(DAY),
    ):
        assert expected in text, expected
    # The reply's delivery (recorded at publication) is the document's.
    assert doc.delivery.delivered_on == case.delivered_on == DAY


def test_review_and_rereview_opinions_and_the_finality_of_the_second(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.FINAL)
        review, rereview = only(case, "review_opinion"), only(case, "rereview_opinion")
        review_text, rereview_text = text_of(review), text_of(rereview)

    assert review.number == "信复查〔2026〕1号" and rereview.number == "信复核〔2026〕1号"
    assert "信访事项复查意见书" in review_text and "对处理意见不服" in review_text
    assert "经复查，维持原处理意见。" in review_text and "请求复核" in review_text and "第三十五条" in review_text
    assert "信访事项复核意见书" in rereview_text and "对复查意见不服" in rereview_text
    assert "本复核意见为终结意见" in rereview_text and "不再受理" in rereview_text
    assert "第三十六条" in rereview_text and "请求复核" not in rereview_text


@pytest.mark.parametrize("case_type", [CaseType.SUGGESTION, CaseType.ACCUSATION])
def test_a_suggestion_or_accusation_gets_a_feedback_letter_without_a_review_window(world, case_type):
    with as_of(DAY):
        case = factories.make_case(world, Status.REPLIED, case_type=case_type)
        doc = only(case, "feedback")
        text = text_of(doc)

    assert not [d for d in case.documents if d.kind == "opinion"]
    assert "信访事项答复反馈意见书" in text and "复查（" not in text
    assert ("第二十九条" if case_type is CaseType.SUGGESTION else "第三十条") in text


def test_a_document_is_frozen_and_a_correction_is_a_new_number_that_names_what_it_replaces(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED)
        doc = only(case, "accept_notice")
        first_pdf = services.pdf_bytes(doc)
        html_hash, pdf_hash = doc.html_sha256, doc.pdf_sha256
        case.petitioner.name = "张叁"  # the clerk corrects the name on the record
        db.session.commit()
        services.render_pdf(doc)
        assert services.pdf_bytes(doc) == first_pdf and (doc.html_sha256, doc.pdf_sha256) == (html_hash, pdf_hash)
        assert "张三：" in text_of(doc)

        with pytest.raises(NotAllowed):
            services.correct(doc, world.handler, reason="姓名写错")
        fresh = services.correct(doc, world.clerk, reason="信访人姓名有误")
        db.session.commit()
        text = text_of(fresh)

    assert fresh.number == "信受〔2026〕2号" and fresh.replaces is doc and doc.superseded
    assert "张叁：" in text and "本文书更正并取代信受〔2026〕1号《受理告知书》" in text and "信访人姓名有误" in text
    assert not doc.can_correct(world.clerk)


def test_a_delivery_recorded_later_is_the_date_the_review_window_counts_from(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.REPLIED)
        doc = only(case, "opinion")
    posted_on = DAY + dt.timedelta(days=4)
    with as_of(posted_on + dt.timedelta(days=1)):
        services.record_delivery(
            doc, world.clerk, method=DeliveryMethod.POST, delivered_on=posted_on, tracking_number="XA123456789CN"
        )
        db.session.commit()
        window = cases.current_clock(case)

    assert case.delivered_on == posted_on and case.current_reply.delivered_on == posted_on
    assert case.clock_rule == "review_request" and case.clock_start == posted_on and window.due == case.due_date
    assert doc.delivery.summary == f"{posted_on:%Y年%m月%d日}邮寄送达（邮件号 XA123456789CN）"
    assert len(doc.deliveries) == 2  # the delivery recorded at publication stays in the history
    assert case.events[-1].action == "delivery" and case.events[-1].public


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"method": DeliveryMethod.POST, "delivered_on": DAY}, "邮件号"),
        ({"method": DeliveryMethod.ONLINE, "delivered_on": DAY}, "网上送达只适用于"),
        ({"method": DeliveryMethod.NOTICE, "delivered_on": DAY + dt.timedelta(days=1)}, "不能晚于今天"),
        ({"method": DeliveryMethod.NOTICE, "delivered_on": DAY - dt.timedelta(days=1)}, "不能早于文书出具日期"),
        ({"method": DeliveryMethod.NOTICE, "delivered_on": None}, "请填写送达日期"),
    ],
)
def test_a_delivery_that_does_not_add_up_is_refused_and_changes_nothing(world, arguments, message):
    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED)
        doc = only(case, "accept_notice")
        with pytest.raises(DomainError, match=message):
            services.record_delivery(doc, world.clerk, **arguments)
        db.session.rollback()

    assert doc.deliveries == []


def test_an_in_person_delivery_without_a_signer_named_was_signed_by_the_petitioner_in_person(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED)
        doc = only(case, "accept_notice")
        delivery = services.record_delivery(doc, world.clerk, method=DeliveryMethod.IN_PERSON, delivered_on=DAY)
    assert delivery.recipient == "信访人本人"


def test_only_the_petition_office_records_deliveries(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.ASSIGNED)
        doc = only(case, "accept_notice")
        with pytest.raises(NotAllowed):
            services.record_delivery(
                doc, world.handler, method=DeliveryMethod.IN_PERSON, delivered_on=DAY, recipient="张三"
            )
        services.record_delivery(doc, world.clerk, method=DeliveryMethod.IN_PERSON, delivered_on=DAY, recipient="张三")

    assert doc.delivery.recipient == "张三"


def test_a_new_kind_is_one_registration_with_its_code_setting(world):
    probe = Kind("supervision_probe", "督办单", "信督", ("supervise",), public=False, to_petitioner=False,
                 template="documents/kinds/assignment_slip.html")  # fmt: skip
    register(probe)
    try:
        assert SPECS[probe.code_setting].default == "信督"
        with as_of(DAY):
            case = factories.make_case(world, Status.ASSIGNED)
            cases.supervise(case, world.supervisor, note="请加快办理")
            doc = only(case, "supervision_probe")
        assert doc.number == "信督〔2026〕1号" and not doc.public
        with pytest.raises(ValueError, match="registered twice"):
            register(probe)
    finally:
        KINDS.pop(probe.key)
        SPECS.pop(probe.code_setting)


def test_issuing_is_audited(world):
    from portal.audit.models import AuditLog

    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED)
    doc = only(case, "accept_notice")
    rows = db.session.execute(db.select(AuditLog).filter_by(action="document.issue")).scalars().all()
    assert [(r.object_type, r.object_id, r.detail["number"]) for r in rows] == [("documents", doc.id, doc.number)]


def test_the_stored_blobs_are_sealed_not_the_petitioners_details_in_clear(world):
    with as_of(DAY):
        case = factories.make_case(world, Status.ACCEPTED)
        doc = only(case, "accept_notice")
        services.pdf_bytes(doc)
        db.session.commit()
    raw = db.session.execute(db.select(Document.html, Document.pdf).filter_by(id=doc.id)).one()
    assert "张三".encode() not in raw.html and b"%PDF" not in raw.pdf
