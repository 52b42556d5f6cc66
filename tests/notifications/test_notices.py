"""Notices to the petitioner (issue 14, item 4): each step the petitioner must hear of queues one SMS of the
catalogue; the query code is given once (receipt, first SMS, printed 告知单) and never kept in clear; 退订 and 恢复;
resend; a new query code after an identity check; the daily limit; the administrator's texts."""

from __future__ import annotations

from typing import ClassVar

import pytest
from sqlalchemy import JSON, String, TypeDecorator, func, text

from portal.audit.models import AuditLog
from portal.cases import services
from portal.cases.models import Case, CaseEvent, CaseType, Channel, NotAcceptedRoute, Outcome, Status
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.masking import mask_query_code
from portal.notifications import catalogue
from portal.notifications import services as notices
from portal.notifications.models import MessageText, SmsOptOut
from portal.public import tracking
from portal.settings.models import Setting
from portal.sms import services as sms
from portal.sms.models import SmsMessage, SmsState
from tests.factories import make_case, register

PHONE = "13912345678"


class RecordingSender:
    """A gateway that accepts everything and remembers what it was given."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        RecordingSender.sent.append((phone, text))


class BrokenSender:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("短信网关连接超时")


@pytest.fixture
def gateway(ctx, monkeypatch):
    monkeypatch.setattr(RecordingSender, "sent", [])

    def use(cls=RecordingSender):
        monkeypatch.setitem(ctx.config, "SMS_SENDER", f"{__name__}:{cls.__name__}")
        return cls

    return use


def messages(case: Case) -> list[SmsMessage]:
    return list(db.session.execute(db.select(SmsMessage).filter_by(case_id=case.id).order_by(SmsMessage.id)).scalars())


def kinds(case: Case) -> list[str]:
    return [m.kind for m in messages(case)]


def audits(action: str) -> list[AuditLog]:
    return list(db.session.execute(db.select(AuditLog).filter_by(action=action).order_by(AuditLog.id)).scalars())


def stored_anywhere(value: str) -> list[str]:
    """The tables and columns whose stored (database) text contains ``value``: every string column of every table,
    read raw, so an encrypted column shows its ciphertext."""
    found = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | JSON | TypeDecorator):
                    continue
                rows = connection.execute(text(f'SELECT "{column.name}" FROM "{table.name}"'))  # raw: no decryption
                if any(value in str(v) for (v,) in rows if v is not None):
                    found.append(f"{table.name}.{column.name}")
    return found


# --- the catalogue -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", catalogue.KINDS)
def test_every_default_text_passes_the_administrators_rules(key):
    kind = catalogue.KINDS[key]
    assert catalogue.check(kind, kind.default) == kind.default
    assert len(catalogue.sample(kind, kind.default)) <= 140


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写短信内容"),
        ("编号{编号}" + "字" * catalogue.TEXT_MAX, "不能超过120字"),
        ("您的信访件{编号}，{查询码}", "不能使用占位符 {查询码}"),
        ("您的信访事项已受理。", "必须包含 {编号}"),
        ("编号{编号", "花括号不成对"),
        ("编号{编号!r}", "写法不正确"),
        ("编号{编号:>20}", "写法不正确"),
        ("编号{0}{编号}", "不能使用占位符 {0}"),
    ],
)
def test_a_text_is_refused_with_a_reason(text, message):
    with pytest.raises(DomainError) as refused:
        catalogue.check(catalogue.KINDS["accept"], text)
    assert message in refused.value.message


def test_a_code_carrying_kind_must_keep_its_code():
    with pytest.raises(DomainError, match=r"必须包含 \{查询码\}"):
        catalogue.check(catalogue.KINDS["query_code"], "【{机关}】编号{编号}的查询码已重新生成。")


def test_every_notified_action_exists():
    from portal.cases.lifecycle import ACTIONS

    logged = {"approve_extension"}  # recorded beside the case (portal.cases.services.handling), not a row of ACTIONS
    assert set(catalogue.KIND_OF_ACTION) <= set(ACTIONS) | logged | {"register"}


# --- each step the petitioner must hear of ----------------------------------------------------------------------
def test_the_main_path_sends_one_notice_per_decision(world):
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    assert kinds(case) == ["register"]
    services.accept(case, world.clerk, reason="")
    db.session.commit()
    services.assign(case, world.clerk, department_id=world.housing.id)
    db.session.commit()
    handler, head = world.handler_for(case), world.head_for(case)
    services.start(case, handler)
    db.session.commit()
    services.draft_reply(case, handler, outcome=Outcome.SUPPORT, text="经调查，责令物业公司限期修复电梯。")
    db.session.commit()
    services.sign_reply(case, head)
    db.session.commit()
    assert kinds(case) == ["register", "accept"]  # 交办, 办理, 署名 are not the petitioner's news
    services.publish_reply(case, world.clerk)
    db.session.commit()
    services.request_review(case, None, reason="对处理意见不服")
    db.session.commit()
    services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="经复查，维持原处理意见。")
    db.session.commit()
    services.request_review(case, None, reason="对复查意见不服")
    db.session.commit()
    services.decide_review(case, world.clerk, outcome=Outcome.EXPLAIN, text="经复核，维持复查意见。")
    db.session.commit()

    assert kinds(case) == ["register", "accept", "reply", "review", "rereview"]
    texts = [m.text for m in messages(case)]
    assert all(case.tracking_code in t for t in texts)
    assert "（支持）" in texts[2] and "复查意见（解释说明）" in texts[3] and "终结" in texts[4]
    assert all(m.phone == PHONE and m.state is SmsState.QUEUED for m in messages(case))


def test_refusal_forwarding_and_merging_are_told(world):
    refused = make_case(world, Status.NOT_ACCEPTED, phone="13900000101")
    forwarded = make_case(world, Status.FORWARDED, phone="13900000102")
    # make_case takes each step in one transaction: the registration notice is replaced by the decision's.
    assert kinds(refused) == ["not_accept"] and NotAcceptedRoute.LITIGATION.label in messages(refused)[0].text
    assert kinds(forwarded) == ["forward"] and "市自然资源和规划局" in messages(forwarded)[0].text


def test_an_approved_extension_is_told_with_the_new_date(world):
    case = make_case(world, Status.IN_PROGRESS, phone="13900000103")
    handler, head = world.handler_for(case), world.head_for(case)
    services.request_extension(case, handler, days=15, reason="需要现场勘验")
    db.session.commit()
    assert kinds(case) == ["accept"]  # asking is internal
    services.decide_extension(case, head, approve=True)
    db.session.commit()
    assert kinds(case) == ["accept", "extend"]
    assert f"{case.handle_due:%m月%d日}" in messages(case)[-1].text


def test_an_anonymous_accusation_gets_no_sms(world):
    anonymous, _ = register(world, case_type=CaseType.ACCUSATION, anonymous=True)
    db.session.commit()
    assert messages(anonymous) == []


def test_a_reception_case_sends_one_notice_for_the_steps_taken_at_once(world):
    case, _ = services.open_reception_case(
        world.clerk,
        leader=world.leader,
        department_id=world.housing.id,
        instruction="请住建局一周内答复。",
        title="楼道漏水",
        content="楼道长期漏水。",
        petitioner_name="王五",
        phone="13900000104",
    )
    db.session.commit()
    assert kinds(case) == ["accept"]
    assert f"{case.handle_due:%m月%d日}" in messages(case)[0].text


# --- the query code ----------------------------------------------------------------------------------------------
def test_a_caller_gets_the_query_code_in_the_first_sms_and_it_is_never_kept(world, gateway):
    gateway()
    case, code = register(world, channel=Channel.PHONE, phone=PHONE, query_code_by="sms")
    db.session.commit()
    (message,) = messages(case)
    assert message.kind == "register_code" and message.carries_code
    assert code not in message.text and mask_query_code(code) in message.text
    assert stored_anywhere(code) == []  # the waiting code is encrypted
    event = db.session.execute(db.select(CaseEvent).filter_by(case_id=case.id, action="register")).scalar_one()
    assert event.data["query_code_by"] == "sms"

    assert sms.send_one(message.id) == "sent"
    assert RecordingSender.sent == [(PHONE, message.text.replace(mask_query_code(code), code))]
    db.session.expire_all()
    message = db.session.get(SmsMessage, message.id)
    assert message.secret is None and mask_query_code(code) in message.text
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT secret FROM sms_messages")).scalar_one() is None
    assert stored_anywhere(code) == []
    assert tracking.find_case(case.tracking_code, code) == case  # and the code works


def test_the_log_sender_never_writes_the_query_code(world, caplog):
    _, code = register(world, channel=Channel.PHONE, phone=PHONE, query_code_by="sms")
    db.session.commit()
    with caplog.at_level("INFO", logger="portal.sms"):
        assert sms.deliver_queued() == (1, 0)
    assert code not in caplog.text and mask_query_code(code) in caplog.text and PHONE not in caplog.text


def test_the_query_code_by_sms_needs_a_mobile_number(world):
    with pytest.raises(DomainError, match="须填写信访人的手机号码"):
        services.register_case(
            world.clerk,
            channel=Channel.PHONE,
            case_type=CaseType.ACCUSATION,
            title="来电",
            content="来电反映。",
            petitioner_name="",
            anonymous=True,
            query_code_by="sms",
        )
    db.session.rollback()
    assert db.session.scalar(db.select(func.count()).select_from(Case)) == 0


def test_a_failed_code_sms_keeps_its_code_encrypted_for_a_resend(world, gateway):
    gateway(BrokenSender)
    case, code = register(world, channel=Channel.PHONE, phone=PHONE, query_code_by="sms")
    db.session.commit()
    for _ in range(3):
        sms.deliver_queued()
        db.session.commit()
    (failed,) = messages(case)
    assert failed.state is SmsState.FAILED and failed.secret == code

    gateway(RecordingSender)
    again = notices.resend(failed, world.clerk)
    db.session.commit()
    assert again.resent_from_id == failed.id and again.carries_code
    assert db.session.get(SmsMessage, failed.id).secret is None  # the code moved to the new row
    assert sms.send_one(again.id) == "sent"
    assert RecordingSender.sent[-1][1].count(code) == 1
    assert (row := audits("notice.resend")[-1]).detail["resent_from"] == failed.id and row.actor_id == world.clerk.id


def test_a_sent_code_sms_cannot_be_resent(world, gateway):
    gateway()
    case, _ = register(world, channel=Channel.PHONE, phone=PHONE, query_code_by="sms")
    db.session.commit()
    (message,) = messages(case)
    sms.send_one(message.id)
    message = db.session.get(SmsMessage, message.id)
    assert "不能重发" in notices.resend_refusal(message, world.clerk)
    with pytest.raises(DomainError, match="重新生成"):
        notices.resend(message, world.clerk)


def test_a_queued_message_is_not_resent_and_only_a_clerk_resends(world):
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    (message,) = messages(case)
    assert notices.resend_refusal(message, world.clerk) == "该短信正在等待发送，无需重发。"
    message.state = SmsState.SENT
    db.session.commit()
    for person in (world.handler, world.admin, world.leader):
        with pytest.raises(NotAllowed):
            notices.resend(message, person)
    assert notices.resend(message, world.clerk).resent_from_id == message.id


def test_resends_and_reissues_are_limited_per_case_and_day(world):
    db.session.add(Setting(key="notice_daily_limit", value="2"))
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    (message,) = messages(case)
    message.state = SmsState.SENT
    notices.resend(message, world.clerk)
    notices.reissue(case, world.clerk, identity_check="id_card", delivery="slip")
    db.session.commit()
    with pytest.raises(DomainError, match="已达2次上限"):
        notices.resend(message, world.clerk)
    with pytest.raises(DomainError, match="已达2次上限"):
        notices.reissue(case, world.clerk, identity_check="id_card", delivery="sms")
    db.session.rollback()
    other, _ = register(world, phone=PHONE)  # the limit is per case
    db.session.commit()
    notices.reissue(other, world.clerk, identity_check="id_card", delivery="slip")


def test_a_new_query_code_replaces_the_old_one_at_once_and_is_stored_nowhere(world):
    case, old = register(world, phone=PHONE)
    db.session.commit()
    new = notices.reissue(case, world.clerk, identity_check="proxy", note="代理人持委托书", delivery="slip")
    db.session.commit()
    assert new != old
    assert tracking.find_case(case.tracking_code, old) is None
    assert tracking.find_case(case.tracking_code, new) == case
    assert stored_anywhere(new) == []
    event = db.session.execute(
        db.select(CaseEvent).filter_by(case_id=case.id, action="reissue_query_code")
    ).scalar_one()
    assert not event.public and "查验委托书和代理人身份证件" in event.text and "代理人持委托书" in event.text
    (row,) = audits("case.reissue_query_code")
    assert (row.actor_id, row.detail["identity_check"], row.detail["delivery"]) == (world.clerk.id, "proxy", "slip")
    assert kinds(case) == ["register"]  # printed: no SMS


def test_a_new_query_code_by_sms(world, gateway):
    gateway()
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    new = notices.reissue(case, world.clerk, identity_check="phone_details", delivery="sms")
    db.session.commit()
    message = messages(case)[-1]
    assert message.kind == "query_code" and new not in message.text and mask_query_code(new) in message.text
    sms.send_one(message.id)
    assert new in RecordingSender.sent[-1][1]
    assert stored_anywhere(new) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"identity_check": "", "delivery": "slip"}, "请选择核实信访人身份的方式"),
        ({"identity_check": "guess", "delivery": "slip"}, "请选择核实信访人身份的方式"),
        ({"identity_check": "other", "delivery": "slip"}, "请说明是如何核实"),
        ({"identity_check": "id_card", "delivery": "email"}, "请选择告知新查询码的方式"),
    ],
)
def test_a_reissue_needs_an_identity_check_and_a_way(world, kwargs, message):
    case, old = register(world, phone=PHONE)
    db.session.commit()
    with pytest.raises(DomainError, match=message):
        notices.reissue(case, world.clerk, **kwargs)
    db.session.rollback()
    assert tracking.find_case(case.tracking_code, old) == case


def test_who_may_reissue(world):
    case, _ = register(world, phone=PHONE)
    anonymous, _ = register(world, case_type=CaseType.ACCUSATION, anonymous=True)
    db.session.commit()
    for person in (world.handler, world.admin, world.supervisor, world.auditor):
        with pytest.raises(NotAllowed):
            notices.reissue(case, person, identity_check="id_card", delivery="slip")
    with pytest.raises(DomainError, match="匿名检举控告"):
        notices.reissue(anonymous, world.clerk, identity_check="id_card", delivery="slip")


def test_a_reissue_by_sms_needs_a_number_and_no_opt_out(world):
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    notices.opt_out(case, None)
    with pytest.raises(DomainError, match="已退订"):
        notices.reissue(case, world.clerk, identity_check="id_card", delivery="sms")


# --- opting out ---------------------------------------------------------------------------------------------------
def test_an_opted_out_petitioner_gets_no_sms_until_they_opt_in(world):
    case, _ = register(world, phone=PHONE)
    db.session.commit()
    notices.opt_out(case, None)
    db.session.commit()
    services.accept(case, world.clerk, reason="")
    db.session.commit()
    assert kinds(case) == ["register"]
    with pytest.raises(DomainError, match="已退订"):
        notices.opt_out(case, world.clerk)
    db.session.rollback()
    notices.opt_in(case, world.clerk)
    db.session.commit()
    services.assign(case, world.clerk, department_id=world.housing.id)
    services.start(case, world.handler_for(case))
    db.session.commit()
    assert kinds(case) == ["register"] and db.session.get(SmsOptOut, case.id) is None
    (out,) = audits("notice.opt_out")
    (back,) = audits("notice.opt_in")
    assert out.actor_id is None and out.actor_name == "公众" and back.actor_id == world.clerk.id
    with pytest.raises(NotAllowed):
        notices.opt_out(case, world.handler)


# --- the administrator's texts ------------------------------------------------------------------------------------
def test_an_edited_text_is_what_the_next_notice_says(world):
    notices.set_text("accept", world.admin, "【{机关}】编号{编号}已受理，{期限}前答复。")
    db.session.commit()
    case, _ = register(world, phone=PHONE)
    services.accept(case, world.clerk, reason="")
    db.session.commit()
    assert messages(case)[-1].text.startswith("【信访部门】编号" + case.tracking_code + "已受理")
    (row,) = audits("notice.text_edit")
    assert row.detail["before"] == catalogue.KINDS["accept"].default

    notices.set_text("accept", world.admin, "")  # empty: the default again
    db.session.commit()
    assert db.session.get(MessageText, "accept") is None and audits("notice.text_reset")


def test_a_bad_text_changes_nothing_and_only_the_admin_edits(world):
    with pytest.raises(DomainError):
        notices.set_text("accept", world.admin, "编号{编号}，查询码{查询码}")
    for person in (world.clerk, world.auditor):
        with pytest.raises(NotAllowed):
            notices.set_text("accept", person, "编号{编号}")
    db.session.rollback()
    assert db.session.get(MessageText, "accept") is None
