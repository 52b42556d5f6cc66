"""Registering a petition (DESIGN §2–§3): what each channel brings, recognising the petitioner, repeats and
条例 art.36, attachments, the SMS notice and its outbox, and the clerk's registration page with earlier cases."""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

import pytest
from sqlalchemy import func

from portal import validation as identity
from portal.audit.models import AuditLog
from portal.cases import attachments, services
from portal.cases.models import Attachment, Case, CaseEvent, CaseType, Channel, Petitioner, Status
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import as_of, today
from portal.settings.models import Setting
from portal.sms import services as sms
from portal.sms.models import SmsMessage, SmsState
from tests.factories import make_case, ready_for_mark_off, register

D = dt.date
ID_BASE = "11010519850307123"  # 17 digits; the 18th is the check digit
VALID_ID = ID_BASE + identity.id_check_digit(ID_BASE)
BAD_CHECK_ID = ID_BASE + ("0" if VALID_ID[-1] != "0" else "1")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def valid_id(first17: str) -> str:
    return first17 + identity.id_check_digit(first17)


def reg(world, **kwargs):
    """Register through the service as the clerk, with plain defaults for what the test does not care about."""
    values = {
        "channel": Channel.LETTER,
        "case_type": CaseType.CLAIM,
        "title": "小区电梯长期停运",
        "content": "电梯停运三个月，物业不予维修。",
        "petitioner_name": "张三",
        "phone": "13900000001",
    }
    values.update(kwargs)
    return services.register_case(world.clerk, **values)


def totals() -> tuple:
    """Everything a registration writes, counted."""

    def n(model, *where):
        return db.session.scalar(db.select(func.count()).select_from(model).where(*where))

    return (
        n(Case),
        n(Petitioner),
        n(CaseEvent),
        n(SmsMessage),
        n(Attachment),
        n(AuditLog, AuditLog.action == "case.register"),
    )


# --- what each channel brings ------------------------------------------------------------------------------------
def test_a_letter_keeps_its_postmark(world):
    with as_of(D(2026, 9, 25)):
        case, _ = reg(world, channel=Channel.LETTER, received_on=D(2026, 9, 22), postmarked_on=D(2026, 9, 19))

    assert case.postmarked_on == D(2026, 9, 19)
    assert case.received_on == D(2026, 9, 22)  # the acceptance clock still starts on receipt
    assert case.clock_start == D(2026, 9, 22)


def test_a_postmark_on_the_day_of_receipt_is_accepted(world):
    with as_of(D(2026, 9, 25)):
        case, _ = reg(world, channel=Channel.LETTER, received_on=D(2026, 9, 22), postmarked_on=D(2026, 9, 22))

    assert case.postmarked_on == D(2026, 9, 22)


def test_a_postmark_after_receipt_is_refused_and_nothing_is_created(world):
    before = totals()

    with as_of(D(2026, 9, 25)), pytest.raises(DomainError, match="邮戳日期不能晚于收信日期"):
        reg(world, channel=Channel.LETTER, received_on=D(2026, 9, 22), postmarked_on=D(2026, 9, 23))

    assert totals() == before


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.FAX])
@pytest.mark.parametrize(
    "typed, stored",
    [
        ("+86 139 1234 5678", "13912345678"),
        ("（0731）8888 6666", "073188886666"),
        ("0731-88886666", "0731-88886666"),
        ("", ""),
    ],
)
def test_a_callers_number_is_normalised(world, channel, typed, stored):
    case, _ = reg(world, channel=channel, caller_number=typed)

    assert case.caller_number == stored


@pytest.mark.parametrize("typed", ["12345", "2391234567", "1391234567a", "139123456789"])
def test_a_malformed_callers_number_is_refused_and_nothing_is_created(world, typed):
    before = totals()

    with pytest.raises(DomainError, match="来电号码格式不正确"):
        reg(world, channel=Channel.PHONE, caller_number=typed)

    assert totals() == before


def test_a_visit_keeps_its_representatives_without_blank_lines(world):
    case, _ = reg(
        world,
        channel=Channel.VISIT,
        people_count=8,
        representatives=["王一", "  ", "李二 ", "", "赵三", "钱四", "孙五"],
    )

    assert case.representatives == ["王一", "李二", "赵三", "钱四", "孙五"]
    assert case.group_visit


def test_more_representatives_than_the_default_five_are_refused(world):
    before = totals()

    with pytest.raises(DomainError, match="不得超过5人"):
        reg(world, channel=Channel.VISIT, people_count=30, representatives=["甲", "乙", "丙", "丁", "戊", "己"])

    assert totals() == before


def test_the_representatives_limit_follows_the_setting(world):
    db.session.add(Setting(key="max_representatives", value=3))
    db.session.flush()

    with pytest.raises(DomainError, match="不得超过3人"):
        reg(world, channel=Channel.VISIT, people_count=10, representatives=["甲", "乙", "丙", "丁"])
    case, _ = reg(world, channel=Channel.VISIT, people_count=10, representatives=["甲", "乙", "丙"])

    assert case.representatives == ["甲", "乙", "丙"]


def test_more_representatives_than_visitors_are_refused(world):
    before = totals()

    with pytest.raises(DomainError, match=r"代表人数（3人）不能多于来访人数（2人）"):
        reg(world, channel=Channel.VISIT, people_count=2, representatives=["甲", "乙", "丙"])

    assert totals() == before


@pytest.mark.parametrize(
    "people, ticked, group",
    [(5, False, True), (12, False, True), (4, False, False), (1, False, False), (3, True, True)],
)
def test_a_visit_of_five_or_more_people_is_a_group_visit(world, people, ticked, group):
    case, _ = reg(world, channel=Channel.VISIT, people_count=people, group_visit=ticked)

    assert case.group_visit is group


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.PHONE, Channel.VISIT, Channel.EMAIL, Channel.ONLINE])
def test_fields_of_other_channels_are_dropped(world, channel):
    with as_of(D(2026, 9, 25)):
        case, _ = reg(
            world,
            channel=channel,
            received_on=D(2026, 9, 22),
            postmarked_on=D(2026, 9, 20),
            caller_number="13912345678",
            group_visit=True,
            people_count=6,
            representatives=["甲", "乙"],
        )

    assert case.postmarked_on == (D(2026, 9, 20) if channel is Channel.LETTER else None)
    assert case.caller_number == ("13912345678" if channel is Channel.PHONE else "")
    assert case.group_visit is (channel is Channel.VISIT)
    assert case.representatives == (["甲", "乙"] if channel is Channel.VISIT else [])


def test_a_malformed_number_of_another_channel_is_dropped_not_refused(world):
    case, _ = reg(world, channel=Channel.LETTER, caller_number="不是号码")

    assert case.caller_number == ""


# --- recognising the petitioner ------------------------------------------------------------------------------------
def test_the_petitioner_is_recognised_by_id_number_first_and_their_record_is_left_as_it_was(world):
    first, _ = reg(world, petitioner_name="张三", phone="13900000001", id_number=VALID_ID)
    reg(world, petitioner_name="李四", phone="13900000002")  # someone else with the phone used below

    second, _ = reg(world, petitioner_name="张三", phone="13900000002", id_number=VALID_ID.lower())

    assert second.petitioner_id == first.petitioner_id
    assert first.petitioner.phone == "13900000001"  # only a clerk's edit changes the record
    assert second.contact_phone == "13900000002"  # the case keeps the number given with it


def test_without_an_id_number_the_petitioner_is_recognised_by_phone_and_name(world):
    first, _ = reg(world, petitioner_name="王五", phone="13900000003")

    same, _ = reg(world, petitioner_name="王五", phone="139 0000 0003")
    other, _ = reg(world, petitioner_name="王六", phone="13900000003")  # a relative sharing the phone

    assert same.petitioner_id == first.petitioner_id
    assert other.petitioner_id != first.petitioner_id


def test_an_id_number_given_later_stays_with_its_case_until_a_clerk_edits_the_petitioner(world):
    first, _ = reg(world, petitioner_name="赵七", phone="13900000004")

    second, _ = reg(world, petitioner_name="赵七", phone="13900000004", id_number=VALID_ID)

    assert second.petitioner_id == first.petitioner_id
    assert first.petitioner.id_number is None
    assert second.contact_id_number == VALID_ID


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"phone": "1390000"}, "联系电话格式不正确"),
        ({"phone": "23900000001"}, "联系电话格式不正确"),
        ({"id_number": BAD_CHECK_ID}, "身份证号校验位不正确"),
        ({"id_number": "11010519850307"}, "身份证号应为18位"),
        ({"phone": None, "id_number": None}, "请至少填写联系电话或身份证号"),
    ],
)
def test_a_malformed_phone_or_id_number_is_refused_in_chinese_and_nothing_is_created(world, changes, message):
    before = totals()

    with pytest.raises(DomainError, match=message) as refused:
        reg(world, **changes)

    assert re.search(r"[\u4e00-\u9fff]", refused.value.message)
    assert totals() == before


# --- repeats (重信重访) and 条例 art.36 -------------------------------------------------------------------------------
def test_a_repeat_is_linked_to_the_earlier_case_and_audited(world):
    earlier, _ = reg(world, phone="13900000005")

    repeat, _ = reg(world, phone="13900000005", repeat_of_id=earlier.id)
    db.session.commit()

    assert repeat.repeat_of_id == earlier.id and repeat.is_repeat
    assert not earlier.is_repeat
    audit = db.session.execute(db.select(AuditLog).filter_by(action="case.register", object_id=repeat.id)).scalar_one()
    assert audit.detail["repeat_of"] == earlier.tracking_code
    assert repeat in services.related_cases(earlier, world.clerk) and earlier in services.related_cases(
        repeat, world.clerk
    )


def test_a_repeat_of_a_case_that_does_not_exist_is_refused(world):
    before = totals()

    with pytest.raises(DomainError, match="原信访件不存在"):
        reg(world, repeat_of_id=999999)

    assert totals() == before


@pytest.mark.parametrize("status", [Status.REGISTERED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED])
def test_a_repeat_of_a_case_not_yet_final_needs_no_new_facts(world, status):
    earlier = make_case(world, status)

    repeat, _ = reg(world, repeat_of_id=earlier.id)

    assert repeat.repeat_of_id == earlier.id and not repeat.new_facts


def _final_case(world, *, marked_off: bool = False):
    case = make_case(world, Status.FINAL)
    if marked_off:
        ready_for_mark_off(case, world)
        services.mark_off(case, world.clerk)
        db.session.commit()
    return case


@pytest.mark.parametrize("marked_off", [False, True])
def test_a_repeat_of_a_final_case_without_new_facts_is_refused_article_36(world, marked_off):
    final = _final_case(world, marked_off=marked_off)
    before = totals()

    with pytest.raises(DomainError, match="第三十六条"):
        reg(world, repeat_of_id=final.id)

    assert totals() == before


def test_a_repeat_of_a_final_case_with_new_facts_is_registered(world):
    final = _final_case(world)

    case, _ = reg(world, repeat_of_id=final.id, new_facts=True)

    assert case.status is Status.REGISTERED
    assert case.repeat_of_id == final.id and case.new_facts


def test_new_facts_mean_nothing_without_an_earlier_case(world):
    case, _ = reg(world, new_facts=True)

    assert not case.new_facts


# --- attachments ----------------------------------------------------------------------------------------------------
def test_attachments_are_stored_with_the_case(world):
    uploads = attachments.check_uploads([("来信扫描件.png", PNG), ("C:\\材料\\证明.pdf", b"%PDF-1.4 test")])

    case, _ = reg(world, attachments=uploads)
    db.session.commit()

    assert [(a.original_name, a.content_type, a.size, a.uploaded_by_id) for a in case.attachments] == [
        ("来信扫描件.png", "image/png", len(PNG), world.clerk.id),
        ("证明.pdf", "application/pdf", len(b"%PDF-1.4 test"), world.clerk.id),
    ]
    stored = case.attachments[0]
    assert attachments.read(stored) == PNG
    assert "来信" not in stored.stored_name  # a random name on disk
    audit = db.session.execute(db.select(AuditLog).filter_by(action="case.register", object_id=case.id)).scalar_one()
    assert audit.detail["attachments"] == 2


# --- the SMS notice and its outbox ------------------------------------------------------------------------------------
def test_registration_queues_an_sms_with_the_tracking_code_never_the_query_code(world):
    case, query_code = reg(world, phone="+86 139 0000 0006")
    db.session.commit()

    messages = db.session.execute(db.select(SmsMessage).filter_by(case_id=case.id)).scalars().all()
    assert len(messages) == 1
    message = messages[0]
    assert message.phone == "13900000006"
    assert message.state is SmsState.QUEUED and message.attempts == 0
    assert case.tracking_code in message.text
    assert query_code not in message.text


def test_no_sms_is_queued_without_a_phone_number(world):
    case, _ = reg(world, phone=None, id_number=VALID_ID)
    db.session.commit()

    assert db.session.scalar(db.select(func.count()).select_from(SmsMessage)) == 0
    assert case.petitioner.phone is None


class RecordingSender:
    """A gateway that accepts everything."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> None:
        RecordingSender.sent.append((phone, text))


class BrokenSender:
    """A gateway that is down."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("短信网关连接超时")


@pytest.fixture
def use_sender(ctx, monkeypatch):
    def configure(cls):
        monkeypatch.setitem(ctx.config, "SMS_SENDER", f"{__name__}:{cls.__name__}")

    return configure


def test_deliver_queued_sends_through_the_configured_sender(world, use_sender, monkeypatch):
    monkeypatch.setattr(RecordingSender, "sent", [])
    use_sender(RecordingSender)
    reg(world, phone="13900000007")
    reg(world, phone="13900000008")
    db.session.commit()

    assert sms.deliver_queued() == (2, 0)
    db.session.commit()

    assert [p for p, _ in RecordingSender.sent] == ["13900000007", "13900000008"]
    for message in db.session.execute(db.select(SmsMessage)).scalars():
        assert (message.state, message.attempts, message.error) == (SmsState.SENT, 1, "")
        assert message.sent_at is not None
    assert sms.deliver_queued() == (0, 0)  # nothing is sent twice
    assert len(RecordingSender.sent) == 2


def test_a_failing_sender_is_retried_and_the_message_fails_after_three_attempts(world, use_sender):
    use_sender(BrokenSender)
    reg(world, phone="13900000009")
    db.session.commit()

    for attempt in (1, 2):
        assert sms.deliver_queued() == (0, 1)
        message = db.session.execute(db.select(SmsMessage)).scalar_one()
        assert (message.state, message.attempts) == (SmsState.QUEUED, attempt)
        assert "短信网关连接超时" in message.error
    assert sms.deliver_queued() == (0, 1)
    db.session.commit()

    message = db.session.execute(db.select(SmsMessage)).scalar_one()
    assert (message.state, message.attempts, message.sent_at) == (SmsState.FAILED, 3, None)
    assert sms.deliver_queued() == (0, 0)  # a failed message is not tried again
    runs = db.session.execute(db.select(AuditLog).filter_by(action="sms.deliver")).scalars().all()
    assert len(runs) == 4


def test_the_default_sender_writes_to_the_log_with_the_number_masked(world, caplog):
    case, _ = reg(world, phone="13900000010")
    db.session.commit()

    with caplog.at_level("INFO", logger="portal.sms"):
        assert sms.deliver_queued() == (1, 0)

    assert "139****0010" in caplog.text and case.tracking_code in caplog.text
    assert "13900000010" not in caplog.text


# --- the registration page --------------------------------------------------------------------------------------------
PHONE = "13912340000"


def form_data(**changes) -> dict:
    data = {
        "channel": "visit",
        "received_on": today().isoformat(),
        "petitioner_name": "钱八",
        "phone": PHONE,
        "id_number": "",
        "address": "城关镇",
        "case_type": "claim",
        "category_id": "0",
        "title": "拖欠工资未发放",
        "content": "工地拖欠工资半年。",
        "place": "",
        "people_count": "1",
        "procedure": "normal",
        "procedure_reason": "",
        "caller_number": "",
        "representatives": "",
        "repeat_of_id": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def earlier_codes(seed):
    """Two earlier cases of the petitioner with PHONE (newest first) and one case of somebody else."""

    def build(world):
        with as_of(today() - dt.timedelta(days=20)):
            old = register(world, petitioner_name="钱八", phone=PHONE, title="第一次反映欠薪")[0]
        with as_of(today() - dt.timedelta(days=5)):
            new = register(world, petitioner_name="钱八", phone=PHONE, title="第二次反映欠薪")[0]
        other = register(world, petitioner_name="孙九", phone="13912349999", title="别人的事")[0]
        return {
            "old": (old.id, old.tracking_code),
            "new": (new.id, new.tracking_code),
            "other": (other.id, other.tracking_code),
        }

    return seed(build)


def count_cases(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(func.count()).select_from(Case))


def test_the_htmx_lookup_lists_the_earlier_cases_of_the_phone(client, as_clerk, earlier_codes):
    response = client.get(
        f"/staff/cases/earlier?phone={PHONE}&id_number=", headers={"HX-Request": "true", "HX-Target": "earlier"}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="earlier"' in html
    old, new, other = earlier_codes["old"][1], earlier_codes["new"][1], earlier_codes["other"][1]
    assert old in html and new in html and other not in html
    assert html.index(new) < html.index(old)  # newest first
    assert f'name="repeat_of_id" value="{earlier_codes["old"][0]}"' in html
    assert "已有 2 件信访记录" in html


def test_the_htmx_lookup_says_when_there_is_nothing_earlier(client, as_clerk, earlier_codes):
    html = client.get("/staff/cases/earlier?phone=13700000000", headers={"HX-Request": "true"}).get_data(as_text=True)

    assert "未查到" in html
    assert earlier_codes["old"][1] not in html


def test_the_htmx_lookup_finds_earlier_cases_by_id_number(client, as_clerk, seed):
    code = seed(lambda world: register(world, petitioner_name="周十", id_number=VALID_ID)[0].tracking_code)

    html = client.get(f"/staff/cases/earlier?id_number={VALID_ID.lower()}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )

    assert code in html


@pytest.mark.parametrize("typed", ["139 1234 0000", "+86 13912340000", "(139)12340000"])
def test_the_htmx_lookup_finds_earlier_cases_however_the_phone_is_typed(client, as_clerk, earlier_codes, typed):
    # Registration stores the phone normalised (spaces, brackets and +86 removed); the lookup must match it.
    html = client.get("/staff/cases/earlier", query_string={"phone": typed}, headers={"HX-Request": "true"}).get_data(
        as_text=True
    )

    assert earlier_codes["old"][1] in html and earlier_codes["new"][1] in html


def test_the_no_js_lookup_button_shows_earlier_cases_and_registers_nothing(app, client, as_clerk, earlier_codes):
    before = count_cases(app)

    response = client.post("/staff/cases/new", data=form_data(find_earlier="1"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html
    assert earlier_codes["old"][1] in html and earlier_codes["new"][1] in html
    assert earlier_codes["other"][1] not in html
    assert "拖欠工资未发放" in html  # what the clerk typed is kept
    assert count_cases(app) == before


def test_registering_with_a_repeat_selected_links_the_case(app, client, as_clerk, earlier_codes):
    old_id = earlier_codes["old"][0]

    response = client.post("/staff/cases/new", data=form_data(repeat_of_id=str(old_id), title="第三次反映欠薪"))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(title="第三次反映欠薪")).scalar_one()
        assert case.repeat_of_id == old_id
        assert case.petitioner.phone == PHONE


def test_registering_with_not_a_repeat_selected_links_nothing(app, client, as_clerk, earlier_codes):
    response = client.post("/staff/cases/new", data=form_data(title="新的事项"))

    assert response.status_code == 201
    with app.app_context():
        case = db.session.execute(db.select(Case).filter_by(title="新的事项")).scalar_one()
        assert case.repeat_of_id is None


def test_registering_a_repeat_of_a_final_case_on_the_page_needs_new_facts(app, client, as_clerk, seed):
    final_id = seed(lambda world: make_case(world, Status.FINAL, phone=PHONE, petitioner_name="钱八").id)
    before = count_cases(app)

    refused = client.post("/staff/cases/new", data=form_data(repeat_of_id=str(final_id)))

    assert refused.status_code == 422
    assert "第三十六条" in refused.get_data(as_text=True)
    assert "拖欠工资半年" in refused.get_data(as_text=True)
    assert count_cases(app) == before

    accepted = client.post("/staff/cases/new", data=form_data(repeat_of_id=str(final_id), new_facts="y"))

    assert accepted.status_code == 201
    assert count_cases(app) == before + 1


def test_a_bad_id_number_on_the_page_is_refused_with_the_reason_and_nothing_is_created(app, client, as_clerk):
    before = count_cases(app)

    response = client.post("/staff/cases/new", data=form_data(id_number=BAD_CHECK_ID))

    assert response.status_code == 422
    assert "身份证号校验位不正确" in response.get_data(as_text=True)
    assert count_cases(app) == before


def test_the_page_shows_the_representatives_limit_from_the_setting(app, client, as_clerk):
    with app.app_context():
        db.session.add(Setting(key="max_representatives", value=3))
        db.session.commit()

    html = client.get("/staff/cases/new").get_data(as_text=True)

    assert "不超过3人" in html


@pytest.mark.parametrize("role", ["leader", "handler", "dept_head", "supervisor", "admin", "auditor"])
def test_only_a_clerk_may_use_the_registration_pages(app, client, login, role):
    login(role)
    before = count_cases(app)

    assert client.get("/staff/cases/new").status_code == 403
    assert client.post("/staff/cases/new", data=form_data()).status_code == 403
    assert client.get(f"/staff/cases/earlier?phone={PHONE}", headers={"HX-Request": "true"}).status_code == 403
    assert count_cases(app) == before


def test_the_registration_pages_need_a_login(client, staff):
    assert client.get("/staff/cases/new").status_code in (302, 303)
    assert client.get(f"/staff/cases/earlier?phone={PHONE}").status_code in (302, 303)
