"""Reception log services (DESIGN §6): JF numbers, who may keep a log, on-the-spot answers, instructions transferred
as visit cases, repeat visitors, representatives, the lock and the corrections after it."""

from __future__ import annotations

import datetime as dt

import pytest

from portal import validation
from portal.audit.models import AuditLog
from portal.cases import codes
from portal.cases import services as case_services
from portal.cases.lifecycle import OPEN
from portal.cases.models import Case, CaseType, Channel, Instruction, Rating, Status
from portal.deadlines.services import deadline
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from portal.numbering import NumberSequence
from portal.reception import services
from portal.reception.models import Handling, ReceptionEntry
from portal.settings.models import Setting
from portal.sms.models import SmsMessage
from tests.factories import make_case, register
from tests.reception.conftest import DAY, audit_actions, make_slot, second_leader, totals, visitor

D = dt.date
ID17 = "11010519850307123"


def answered(slot, actor, **kwargs):
    values = {"handling": Handling.ANSWERED, "answer": "已协调交通局，年底前复工。", "satisfaction": Rating.SATISFIED}
    values.update(kwargs.pop("options", {}))
    return services.add_entry(slot, actor, visitor(**kwargs), **values)[0]


def transferred(slot, actor, world, *, department=None, **kwargs):
    options = {
        "handling": Handling.TRANSFERRED,
        "department_id": (department or world.housing).id,
        "instruction": "请县住建局核实情况，依法依规处理，30日内反馈。",
    }
    options.update(kwargs.pop("options", {}))
    return services.add_entry(slot, actor, visitor(**kwargs), **options)


# --- numbering ------------------------------------------------------------------------------------------------
def test_numbers_count_up_per_year_across_every_log(world):
    monday = make_slot(world.leader)
    other = make_slot(second_leader(world), day=D(2026, 11, 20))
    new_year = make_slot(world.leader, day=D(2027, 1, 4))

    first = answered(monday, world.leader)
    second = answered(other, world.clerk, name="陈群众")
    third, _ = transferred(monday, world.clerk, world, name="黄群众", phone="13912340003")
    with as_of(D(2027, 1, 4)):
        in_2027 = answered(new_year, world.leader, name="周群众")
    fourth = answered(other, world.clerk, name="吴群众")  # the year of the slot's day, not of today

    assert [e.number for e in (first, second, third, in_2027, fourth)] == [
        "JF2026-0001",
        "JF2026-0002",
        "JF2026-0003",
        "JF2027-0001",
        "JF2026-0004",
    ]


def test_after_9999_the_numbers_go_on_with_five_digits(world):
    slot = make_slot(world.leader)
    db.session.add(NumberSequence(scope=services.NUMBER_SCOPE, year=2026, last=9999))  # as the migration seeds it
    db.session.flush()

    assert [answered(slot, world.leader, name=name).number for name in ("甲", "乙")] == [
        "JF2026-10000",
        "JF2026-10001",
    ]


def test_an_entry_rolled_back_gives_its_number_back(world):
    slot = make_slot(world.leader)
    answered(slot, world.leader)
    db.session.commit()
    assert answered(slot, world.clerk, name="陈群众").number == "JF2026-0002"
    db.session.rollback()  # e.g. the commit failed: the entry and its number are gone together

    assert answered(slot, world.clerk, name="黄群众").number == "JF2026-0002"
    db.session.commit()
    assert sorted(db.session.scalars(db.select(ReceptionEntry.number))) == ["JF2026-0001", "JF2026-0002"]


def test_a_refused_entry_takes_no_number(world):
    slot = make_slot(world.leader)
    with pytest.raises(DomainError, match="请填写答复内容"):
        answered(slot, world.leader, options={"answer": " "})

    assert answered(slot, world.leader).number == "JF2026-0001"


# --- who keeps the log ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["leader", "clerk"])
def test_the_duty_leader_or_a_clerk_keeps_the_log(world, who):
    slot = make_slot(world.leader)

    entry = answered(slot, getattr(world, who))

    assert entry.log.leader_id == world.leader.id and entry.created_by_id == getattr(world, who).id


@pytest.mark.parametrize("who", ["other_leader", "handler", "dept_head", "supervisor", "admin", "auditor"])
def test_anyone_else_is_refused_and_nothing_is_written(world, who):
    slot = make_slot(world.leader)
    actor = second_leader(world) if who == "other_leader" else getattr(world, who)
    db.session.commit()
    before = totals()

    with pytest.raises(NotAllowed):
        answered(slot, actor)
    with pytest.raises(NotAllowed):
        services.open_log(slot, actor)
    with pytest.raises(NotAllowed):
        services.submit_log(slot, actor)

    assert totals() == before


def test_after_a_swap_the_substitute_keeps_the_log_and_owns_the_cases(world):
    slot = make_slot(world.leader)
    services.open_log(slot, world.leader)
    substitute = second_leader(world)
    slot.original_leader_id, slot.leader = world.leader.id, substitute  # what an accepted swap does
    db.session.flush()

    with pytest.raises(NotAllowed):
        answered(slot, world.leader)
    entry, _ = transferred(slot, substitute, world)

    assert entry.log.leader_id == substitute.id
    assert entry.case.owner_leader_id == substitute.id


def test_a_cancelled_or_future_slot_has_no_log(world):
    cancelled = make_slot(world.leader, cancelled=True)
    tomorrow = make_slot(world.leader, day=DAY + dt.timedelta(days=1))

    with pytest.raises(DomainError, match="已取消"):
        answered(cancelled, world.leader)
    with pytest.raises(DomainError, match="尚未到"):
        answered(tomorrow, world.clerk)


# --- answered on the spot ---------------------------------------------------------------------------------------
def test_an_answer_on_the_spot_is_recorded_with_the_visitors_satisfaction(world):
    slot = make_slot(world.leader)
    cases_before = totals()[3]

    entry = answered(
        slot,
        world.leader,
        phone="139 1234 0001",
        id_number="",
        people_count=6,
        representatives=("刘群众", "王群众", "", "张群众"),
    )

    assert entry.handling is Handling.ANSWERED and entry.answer == "已协调交通局，年底前复工。"
    assert entry.satisfaction is Rating.SATISFIED
    assert entry.phone == "13912340001" and entry.id_number is None  # normalised like a registration
    assert entry.representatives == ["刘群众", "王群众", "张群众"] and entry.people_count == 6
    assert entry.case_id is None and entry.department_id is None
    assert totals()[3] == cases_before  # no case for an answered visit
    assert audit_actions() == ["reception.open_log", "reception.add_entry"]
    row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "reception.add_entry")).one()
    assert row.object_id == entry.id and row.detail["number"] == "JF2026-0001" and row.actor_id == world.leader.id


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": " "}, "请填写来访人姓名"),
        ({"matter": ""}, "请填写反映事项"),
        ({"phone": "12345"}, "联系电话格式不正确"),
        ({"id_number": ID17 + ("1" if validation.id_check_digit(ID17) == "0" else "0")}, "身份证号校验位不正确"),
        ({"people_count": 0}, "来访人数"),
        ({"options": {"answer": "  "}}, "请填写答复内容"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(world, change, message):
    slot = make_slot(world.leader)
    db.session.commit()
    before = totals()

    with pytest.raises(DomainError, match=message):
        answered(slot, world.leader, **change)

    assert totals() == before


# --- representatives -----------------------------------------------------------------------------------------------
def test_at_most_five_representatives_by_default(world):
    slot = make_slot(world.leader)
    db.session.commit()
    before = totals()
    six = ("甲", "乙", "丙", "丁", "戊", "己")

    with pytest.raises(DomainError, match=r"不得超过5人.*现填写了6人"):
        answered(slot, world.leader, people_count=30, representatives=six)
    assert totals() == before

    assert answered(slot, world.leader, people_count=30, representatives=six[:5]).representatives == list(six[:5])


def test_the_representatives_limit_is_a_setting_and_never_above_the_people_count(world):
    slot = make_slot(world.leader)
    db.session.add(Setting(key="max_representatives", value=3))
    db.session.commit()

    with pytest.raises(DomainError, match="不得超过3人"):
        answered(slot, world.leader, people_count=10, representatives=("甲", "乙", "丙", "丁"))
    with pytest.raises(DomainError, match=r"代表人数（3人）不能多于来访人数（2人）"):
        answered(slot, world.leader, people_count=2, representatives=("甲", "乙", "丙"))
    with pytest.raises(DomainError, match="不得超过3人"):
        transferred(slot, world.leader, world, people_count=10, representatives=("甲", "乙", "丙", "丁"))


# --- instructed and transferred ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["leader", "clerk"])
def test_a_transfer_opens_a_visit_case_accepted_and_assigned_with_the_leader_as_owner(world, who):
    slot = make_slot(world.leader)

    entry, query_code = transferred(slot, getattr(world, who), world, people_count=2, representatives=("刘群众",))
    case = entry.case

    assert case.channel is Channel.VISIT and case.case_type is CaseType.CLAIM
    assert case.status is Status.ASSIGNED
    assert case.department_id == world.housing.id == entry.department_id
    assert case.owner_leader_id == world.leader.id  # the duty leader, also when a clerk writes the log
    assert case.received_on == DAY and case.decided_on == DAY
    assert case.handle_due == case.due_date == deadline("handle", DAY).due
    assert case.title == "村道硬化工程停工半年，雨天无法通行。" and case.content == entry.matter
    assert case.petitioner.name == "刘群众" and case.petitioner.phone == "13912340001"
    assert case.people_count == 2 and case.representatives == ["刘群众"]
    instruction = db.session.scalars(db.select(Instruction).where(Instruction.case_id == case.id)).one()
    assert instruction.leader_id == world.leader.id and instruction.text == entry.answer
    assert entry.answer == "请县住建局核实情况，依法依规处理，30日内反馈。"
    assert case.reception_entry is entry and entry.satisfaction is None
    assert codes.check_query_code(case.query_code_hash, query_code)
    assert "reception.add_entry" in audit_actions()
    assert {"case.register", "case.accept", "case.instruct", "case.assign"} <= set(audit_actions("case."))


def test_a_long_matter_gives_a_short_title_unless_one_is_typed(world):
    slot = make_slot(world.leader)
    matter = "本村自2025年起多次反映饮水工程水质浑浊问题，至今未得到解决，群众意见很大，请求领导督促落实。"

    plain, _ = transferred(slot, world.leader, world, matter=matter)
    titled, _ = transferred(
        slot, world.leader, world, matter=matter, phone="13912340002", options={"title": "饮水工程水质浑浊"}
    )

    assert plain.case.title == matter[:29] + "…"
    assert titled.case.title == "饮水工程水质浑浊"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"options": {"department_id": None}}, "请选择责任单位"),
        ({"options": {"instruction": ""}}, "请填写批示内容"),
        ({"phone": "", "id_number": ""}, "至少填写联系电话或身份证号"),
        ({"options": {"title": "标" * 101}}, "事项标题不能超过100字"),
    ],
)
def test_a_transfer_needs_department_instruction_and_a_contact(world, change, message):
    slot = make_slot(world.leader)
    db.session.commit()
    before = totals()

    with pytest.raises(DomainError, match=message):
        transferred(slot, world.leader, world, **change)

    assert totals() == before


def test_an_accusation_goes_to_the_competent_authority_and_never_to_a_unit_that_takes_no_assignments(world):
    # 条例 art.30: to the 纪检监察 organ or the authority competent to handle it, as the office chooses.
    slot = make_slot(world.leader)
    db.session.commit()
    before = totals()

    with pytest.raises(DomainError, match="不是可交办的责任单位"):
        transferred(slot, world.leader, world, department=world.office, options={"case_type": CaseType.ACCUSATION})
    db.session.rollback()  # the case service had flushed the case before refusing the department; the view rolls back
    assert totals() == before

    entry, _ = transferred(slot, world.leader, world, options={"case_type": CaseType.ACCUSATION})
    assert entry.case.department_id == world.housing.id and entry.case.confidential
    entry, _ = transferred(
        slot, world.leader, world, department=world.discipline, options={"case_type": CaseType.ACCUSATION}
    )
    assert entry.case.department_id == world.discipline.id and entry.case.confidential


def test_a_repeat_visitor_is_recognised_and_the_transfer_linked_to_the_earlier_case(world):
    earlier, _ = register(world, phone="13912340001", petitioner_name="刘群众", title="村道硬化停工")
    slot = make_slot(world.leader)

    found = case_services.earlier_cases(phone="139 1234 0001")
    entry, _ = transferred(slot, world.leader, world, options={"repeat_of_id": earlier.id})

    assert found == [earlier]
    assert entry.case.repeat_of_id == earlier.id and entry.case.petitioner_id == earlier.petitioner_id
    row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "reception.add_entry")).one()
    assert row.detail["repeat_of"] == earlier.tracking_code


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_VERIFICATION])
def test_a_transfer_of_a_repeat_of_a_case_still_being_handled_merges_into_it_and_opens_no_second_case(world, status):
    earlier = make_case(world, status, phone="13912340001", petitioner_name="刘群众", owner_leader=world.leader)
    due_before, open_before = (
        earlier.due_date,
        db.session.scalar(db.select(db.func.count()).select_from(Case).where(Case.status.in_(sorted(OPEN)))),
    )
    slot = make_slot(world.leader)

    entry, query_code = transferred(
        slot, world.leader, world, department=world.labour, options={"repeat_of_id": earlier.id}
    )
    db.session.commit()

    merged = entry.case
    assert merged.status is Status.MERGED and merged.repeat_of_id == earlier.id and merged.due_date is None
    assert query_code  # the visitor's own receipt: the visit is registered, and says where the matter is
    still_open = db.session.scalar(db.select(db.func.count()).select_from(Case).where(Case.status.in_(sorted(OPEN))))
    assert still_open == open_before  # no second open case, no second clock
    assert earlier.status is status and earlier.due_date == due_before and earlier.department_id == world.housing.id
    assert entry.department_id == world.housing.id  # where the matter is handled, not the desk's second guess
    # The leader's instruction is a further round on the open case; the petitioner is told where the matter stands.
    assert [i.text for i in earlier.instructions][-1] == "请县住建局核实情况，依法依规处理，30日内反馈。"
    told = next(e for e in merged.events if e.title == "并案告知")
    assert told.public and earlier.tracking_code in told.text and "县住房和城乡建设局" in told.text
    assert "第十九条" in told.text and f"{earlier.due_date:%Y年%m月%d日}" in told.text
    sms = db.session.scalars(db.select(SmsMessage).order_by(SmsMessage.id.desc())).first()
    assert earlier.tracking_code in sms.text and "并入" in sms.text
    assert any(e.title == "并案" and merged.tracking_code in e.text for e in earlier.events)


def test_a_transfer_of_a_repeat_with_new_facts_opens_a_new_case_linked_to_the_open_one(world):
    earlier = make_case(world, Status.IN_PROGRESS, phone="13912340001", petitioner_name="刘群众")
    slot = make_slot(world.leader)

    entry, _ = transferred(slot, world.leader, world, options={"repeat_of_id": earlier.id, "new_facts": True})

    assert entry.case.status is Status.ASSIGNED and entry.case.repeat_of_id == earlier.id
    assert entry.case.handle_due is not None and entry.case.new_facts


# --- editing, the lock, corrections ------------------------------------------------------------------------------
def test_an_answered_entry_is_edited_while_the_log_is_open(world):
    slot = make_slot(world.leader)
    entry = answered(slot, world.leader)

    services.edit_entry(
        entry,
        world.clerk,
        visitor(name="刘大群众", people_count=2),
        answer="已当场答复。",
        satisfaction=Rating.BASICALLY,
    )

    assert (entry.name, entry.people_count, entry.answer, entry.satisfaction) == (
        "刘大群众",
        2,
        "已当场答复。",
        Rating.BASICALLY,
    )
    row = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "reception.edit_entry")).one()
    assert row.detail["changed"] == "answer,name,people_count,satisfaction"


def test_a_transferred_entry_is_not_edited_in_the_log(world):
    slot = make_slot(world.leader)
    entry, _ = transferred(slot, world.leader, world)

    with pytest.raises(DomainError, match="已批示转办"):
        services.edit_entry(entry, world.leader, visitor(name="改名"), answer="答复")
    assert entry.name == "刘群众"


def test_submitting_locks_the_log_against_adding_and_editing(world):
    slot = make_slot(world.leader)
    entry = answered(slot, world.leader)

    log = services.submit_log(slot, world.clerk, summary="接待群众1批1人，当场答复1件。")
    db.session.commit()
    assert log.locked and log.submitted_at is not None and log.submitted_by_id == world.clerk.id
    assert log.summary == "接待群众1批1人，当场答复1件。"
    before = totals()

    with pytest.raises(DomainError, match="已提交锁定"):
        answered(slot, world.leader, name="陈群众")
    with pytest.raises(DomainError, match="已提交锁定"):
        transferred(slot, world.leader, world, name="陈群众")
    with pytest.raises(DomainError, match="已提交锁定"):
        services.edit_entry(entry, world.leader, visitor(name="改名"), answer="改")
    with pytest.raises(DomainError, match="已提交锁定"):
        services.submit_log(slot, world.leader)

    db.session.rollback()
    assert totals() == before and entry.name == "刘群众"
    assert not log.can_write(world.leader) and log.can_correct(world.leader) and not entry.can_edit(world.leader)


def test_a_duty_with_no_visitors_is_submitted_too(world):
    slot = make_slot(world.leader)

    log = services.submit_log(slot, world.leader)

    assert log.locked and log.entries == []
    assert audit_actions() == ["reception.open_log", "reception.submit_log"]


def test_corrections_come_after_the_lock_as_separate_audited_entries(world):
    slot = make_slot(world.leader)
    entry = answered(slot, world.leader)
    log = entry.log

    with pytest.raises(DomainError, match="尚未提交"):
        services.add_correction(log, world.leader, text="电话应为13912340009")
    services.submit_log(slot, world.leader)

    correction = services.add_correction(log, world.clerk, text="电话应为13912340009", entry_id=entry.id)
    whole = services.add_correction(log, world.leader, text="另有1人未登记姓名。")

    assert [c.text for c in log.corrections] == ["电话应为13912340009", "另有1人未登记姓名。"]
    assert correction.entry_id == entry.id and whole.entry_id is None and correction.created_by_id == world.clerk.id
    assert entry.phone == "13912340001"  # the original stays as it was
    rows = db.session.scalars(
        db.select(AuditLog).where(AuditLog.action == "reception.correct").order_by(AuditLog.id)
    ).all()
    assert [(r.object_id, r.detail["number"]) for r in rows] == [(correction.id, "JF2026-0001"), (whole.id, None)]
    with pytest.raises(DomainError, match="请填写更正内容"):
        services.add_correction(log, world.leader, text=" ")
    with pytest.raises(NotAllowed):
        services.add_correction(log, world.handler, text="改")


def test_a_correction_names_an_entry_of_its_own_log(world):
    mine = make_slot(world.leader)
    elsewhere = make_slot(second_leader(world), day=D(2026, 11, 20))
    foreign = answered(elsewhere, world.clerk)
    services.submit_log(mine, world.leader)

    with pytest.raises(DomainError, match="不在本接访日志中"):
        services.add_correction(services.log_for(mine), world.leader, text="改", entry_id=foreign.id)


# --- once visitors are logged, the slot's leader and time are settled ---------------------------------------------
@pytest.mark.parametrize("submit", [False, True])
def test_a_logged_slot_can_no_longer_be_swapped_or_moved(world, submit):
    from portal.duty import roster

    substitute = second_leader(world)
    slot = make_slot(world.leader)
    answered(slot, world.leader)
    if submit:
        services.submit_log(slot, world.leader)
    db.session.commit()
    assert not slot.can_ask_swap(world.leader) and not slot.can_edit(world.clerk)
    with pytest.raises(DomainError, match="已有接访登记"):
        roster.request_swap(world.leader, slot, substitute_id=substitute.id, reason="临时有会")
    with pytest.raises(DomainError, match="已有接访登记"):
        roster.move_slot(world.clerk, slot, day=slot.day, period="afternoon", leader_id=world.leader.id)
    db.session.rollback()
    assert db.session.get(type(slot), slot.id).leader_id == world.leader.id
