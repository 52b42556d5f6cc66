"""Changing the staff roster (portal.duty.roster): slots, double booking, rest days, publishing, swaps, special
periods, calendar tokens — who may, what is audited, and that a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.audit.models import AuditLog
from portal.duty import roster
from portal.duty.models import DutySlot, Form, Period, SpecialPeriod, SwapRequest, SwapState
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import as_of
from portal.settings.models import Setting
from tests.duty.test_roster import TODAY, add_leader, add_slot

MON = dt.date(2026, 11, 30)  # a Monday, five days after TODAY (Wednesday 2026-11-25)
SAT = dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def on_today():
    with as_of(TODAY):
        yield


@pytest.fixture
def li(world):
    """A second leader."""
    leader = add_leader("leader_li", "李副县长")
    db.session.commit()
    return leader


def create(world, day=MON, period=Period.MORNING, leader=None, **kwargs):
    values = {
        "day": day,
        "period": period,
        "leader_id": (leader or world.leader).id,
        "place": "县人民来访接待中心",
        "form": Form.FIXED,
        "topics": "党建、信访",
    }
    values.update(kwargs)
    return roster.create_slot(world.clerk, **values)


def audit_rows(action: str | None = None) -> list[AuditLog]:
    query = db.select(AuditLog).where(AuditLog.action.startswith("duty."))
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query.order_by(AuditLog.id)))


def slot_count() -> int:
    return db.session.scalar(db.select(db.func.count(DutySlot.id)))


# --- creating ----------------------------------------------------------------------------------------------------
def test_a_clerk_creates_a_draft_slot_and_the_audit_names_it(world):
    slot = create(world, topics="党建、信访")

    assert (slot.day, slot.period, slot.leader, slot.published, slot.cancelled) == (
        MON,
        Period.MORNING,
        world.leader,
        False,
        False,
    )
    [row] = audit_rows()
    assert (row.action, row.object_type, row.object_id, row.actor_id) == (
        "duty.slot_created",
        "duty_slots",
        slot.id,
        world.clerk.id,
    )
    assert row.detail["leader"] == "王县长" and row.detail["day"] == "2026-11-30"


@pytest.mark.parametrize("actor", ["leader", "supervisor", "dept_head", "handler", "admin", "auditor"])
def test_only_a_clerk_may_create_a_slot(world, actor):
    with pytest.raises(NotAllowed):
        roster.create_slot(
            getattr(world, actor),
            day=MON,
            period=Period.MORNING,
            leader_id=world.leader.id,
            place="县人民来访接待中心",
            form=Form.FIXED,
        )

    assert slot_count() == 0 and audit_rows() == []


@pytest.mark.parametrize(
    "existing, new, clash",
    [
        (Period.MORNING, Period.MORNING, True),
        (Period.MORNING, Period.AFTERNOON, False),
        (Period.MORNING, Period.DAY, True),
        (Period.AFTERNOON, Period.MORNING, False),
        (Period.AFTERNOON, Period.DAY, True),
        (Period.DAY, Period.MORNING, True),
        (Period.DAY, Period.AFTERNOON, True),
        (Period.DAY, Period.DAY, True),
    ],
)
def test_a_leader_cannot_be_double_booked_on_overlapping_periods(world, existing, new, clash):
    create(world, period=existing)
    db.session.commit()

    if clash:
        with pytest.raises(DomainError, match=f"王县长11月30日（星期一）{existing.label}已有接访安排"):
            create(world, period=new)
        db.session.rollback()
        assert slot_count() == 1
    else:
        create(world, period=new)
        assert slot_count() == 2


def test_another_leader_or_a_cancelled_slot_is_no_clash(world, li):
    add_slot(world.leader, MON, Period.DAY, cancelled=True)
    create(world, period=Period.MORNING, leader=li)

    slot = create(world, period=Period.MORNING)

    assert slot.leader == world.leader


def test_a_rest_day_needs_confirmation(world):
    with pytest.raises(roster.RestDayNotConfirmed) as refused:
        create(world, day=SAT)
    assert refused.value.message == "12月5日是休息日（周六），确认仍在该日排班？"
    assert slot_count() == 0 and audit_rows() == []

    slot = create(world, day=SAT, confirm_rest_day=True)
    assert slot.day == SAT


def test_a_statutory_holiday_is_named_in_the_question(world):
    with as_of(dt.date(2026, 9, 20)):
        with pytest.raises(roster.RestDayNotConfirmed, match=r"^10月1日是休息日（国庆节），确认仍在该日排班？$"):
            create(world, day=dt.date(2026, 10, 1))
        # The make-up Saturday is a working day: no question.
        assert create(world, day=dt.date(2026, 10, 10)).day == dt.date(2026, 10, 10)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"day": TODAY - dt.timedelta(days=1)}, "已经过去"),
        ({"place": "  "}, "请填写接访地点"),
        ({"topics": "分" * 201}, "分管工作不能超过200字"),
        ({"period": "evening"}, "请选择时段"),
        ({"form": "online"}, "请选择接访形式"),
        ({"leader_id": 999999}, "请选择接访领导"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, changes, message):
    with pytest.raises(DomainError, match=message):
        create(world, **changes)

    assert slot_count() == 0 and audit_rows() == []


def test_a_user_who_is_not_a_leader_cannot_be_put_on_duty(world):
    with pytest.raises(DomainError, match="请选择接访领导"):
        create(world, leader=world.handler)


def test_an_inactive_leader_cannot_be_put_on_duty(world):
    world.leader.active = False

    with pytest.raises(DomainError, match="须为在职的领导"):
        create(world)


def test_creating_again_where_a_slot_was_cancelled_brings_that_slot_back(world):
    old = add_slot(world.leader, MON, Period.MORNING, published=True, cancelled=True, place="旧地点")

    slot = create(world, place="新地点")

    assert slot.id == old.id
    assert (slot.cancelled, slot.place, slot.published) == (False, "新地点", True)
    assert audit_rows("duty.slot_created")[0].detail["revived"] is True


# --- moving ------------------------------------------------------------------------------------------------------
def test_moving_changes_day_period_and_leader_and_audits_what_changed(world, li):
    slot = create(world)

    roster.move_slot(world.clerk, slot, day=MON + dt.timedelta(days=1), period=Period.AFTERNOON, leader_id=li.id)

    assert (slot.day, slot.period, slot.leader, slot.original_leader) == (
        MON + dt.timedelta(days=1),
        Period.AFTERNOON,
        li,
        None,
    )  # a draft: nobody saw the first name
    row = audit_rows("duty.slot_moved")[0]
    assert row.object_id == slot.id
    assert row.detail["day"] == "2026-11-30 → 2026-12-01"
    assert row.detail["period"] == "morning → afternoon"
    assert row.detail["leader"] == "王县长 → 李副县长"
    assert "place" not in row.detail


def test_a_move_into_a_clash_is_refused_and_the_slot_stays(world):
    other = create(world, day=MON + dt.timedelta(days=1), period=Period.DAY)
    slot = create(world)
    db.session.commit()

    with pytest.raises(DomainError, match="已有接访安排"):
        roster.move_slot(world.clerk, slot, day=other.day, period=Period.AFTERNOON, leader_id=world.leader.id)
    db.session.rollback()

    assert (slot.day, slot.period) == (MON, Period.MORNING)
    assert audit_rows("duty.slot_moved") == []


def test_a_move_to_a_rest_day_asks_but_editing_a_rest_day_slot_in_place_does_not(world):
    slot = create(world)
    with pytest.raises(roster.RestDayNotConfirmed, match="12月5日是休息日（周六）"):
        roster.move_slot(world.clerk, slot, day=SAT, period=Period.MORNING, leader_id=world.leader.id)
    assert slot.day == MON

    roster.move_slot(
        world.clerk, slot, day=SAT, period=Period.MORNING, leader_id=world.leader.id, confirm_rest_day=True
    )
    roster.move_slot(world.clerk, slot, day=SAT, period=Period.DAY, leader_id=world.leader.id, place="城关镇")

    assert (slot.day, slot.period, slot.place) == (SAT, Period.DAY, "城关镇")


def test_moving_a_published_slot_to_another_leader_tells_the_public_who_was_first(world, li):
    slot = add_slot(world.leader, MON, Period.MORNING, published=True)

    roster.move_slot(world.clerk, slot, day=MON, period=Period.MORNING, leader_id=li.id)
    assert (slot.leader, slot.original_leader, slot.published) == (li, world.leader, True)

    roster.move_slot(world.clerk, slot, day=MON, period=Period.MORNING, leader_id=world.leader.id)
    assert (slot.leader, slot.original_leader) == (world.leader, None)


def test_a_move_onto_a_cancelled_slot_of_the_same_leader_replaces_it(world):
    cancelled = add_slot(world.leader, MON, Period.AFTERNOON, cancelled=True)
    cancelled_id = cancelled.id
    slot = create(world)

    roster.move_slot(world.clerk, slot, day=MON, period=Period.AFTERNOON, leader_id=world.leader.id)
    db.session.commit()

    assert db.session.get(DutySlot, cancelled_id) is None
    assert (slot.day, slot.period) == (MON, Period.AFTERNOON)
    assert audit_rows("duty.slot_removed")[0].object_id == cancelled_id


def test_past_or_cancelled_slots_cannot_be_moved_or_cancelled(world):
    past = add_slot(world.leader, TODAY - dt.timedelta(days=2))
    cancelled = add_slot(world.leader, MON, cancelled=True)

    for slot, message in ((past, "已经过去"), (cancelled, "已取消")):
        with pytest.raises(DomainError, match=message):
            roster.move_slot(
                world.clerk, slot, day=MON + dt.timedelta(days=2), period=Period.MORNING, leader_id=world.leader.id
            )
        with pytest.raises(DomainError, match=message):
            roster.cancel_slot(world.clerk, slot)
    assert audit_rows() == []


def test_only_a_clerk_may_move_or_cancel(world):
    slot = create(world)

    with pytest.raises(NotAllowed):
        roster.move_slot(world.leader, slot, day=MON, period=Period.AFTERNOON, leader_id=world.leader.id)
    with pytest.raises(NotAllowed):
        roster.cancel_slot(world.leader, slot)
    assert (slot.period, slot.cancelled) == (Period.MORNING, False)


# --- cancelling --------------------------------------------------------------------------------------------------
def test_cancelling_marks_the_slot_and_closes_a_pending_swap(world, li):
    slot = add_slot(world.leader, MON, published=True)
    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")

    roster.cancel_slot(world.clerk, slot, reason="临时会议")

    assert slot.cancelled and slot.published
    assert swap.state is SwapState.WITHDRAWN
    row = audit_rows("duty.slot_cancelled")[0]
    assert (row.object_id, row.detail["reason"], row.detail["withdrawn_swaps"]) == (slot.id, "临时会议", str(swap.id))


# --- publishing --------------------------------------------------------------------------------------------------
def test_publishing_needs_the_days_ahead_and_names_the_slots_too_close(world, li):
    tomorrow = add_slot(world.leader, TODAY + dt.timedelta(days=1), published=False)
    in_two_days = add_slot(li, TODAY + dt.timedelta(days=2), published=False)
    later = add_slot(world.leader, MON, published=False)
    cancelled = add_slot(li, MON, published=False, cancelled=True)
    other_month = add_slot(world.leader, dt.date(2026, 12, 1), published=False)

    result = roster.publish_slots(world.clerk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    assert [s.id for s in result.published] == [in_two_days.id, later.id]
    assert [s.id for s in result.too_close] == [tomorrow.id]
    assert (tomorrow.published, in_two_days.published, later.published) == (False, True, True)
    assert not cancelled.published and not other_month.published
    assert result.warning == (
        "以下1条排班距今不足2天，不能首次公布，仍为草稿：11月26日（星期四）上午 王县长。"
        "如确需安排，请调整日期或另行通知群众。"
    )
    assert [r.object_id for r in audit_rows("duty.slot_published")] == [in_two_days.id, later.id]


def test_the_days_ahead_come_from_the_setting(world):
    db.session.add(Setting(key="roster_publish_days_ahead", value=7))
    slot = add_slot(world.leader, MON, published=False)  # five days ahead

    with pytest.raises(DomainError, match="距今不足7天") as refused:
        roster.publish_slots(world.clerk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))

    assert "11月30日（星期一）上午 王县长" in refused.value.message
    assert not slot.published and audit_rows() == []


def test_publishing_with_no_drafts_says_so(world):
    add_slot(world.leader, MON, published=True)

    with pytest.raises(DomainError, match="没有待公布的排班草稿"):
        roster.publish_slots(world.clerk, dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def test_only_a_clerk_may_publish(world):
    slot = add_slot(world.leader, MON, published=False)

    with pytest.raises(NotAllowed):
        roster.publish_slots(world.leader, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert not slot.published


# --- swaps -------------------------------------------------------------------------------------------------------
def test_a_swap_accepted_by_the_substitute_hands_the_slot_over_and_remembers_the_first_leader(world, li):
    slot = add_slot(world.leader, MON, published=True)

    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="赴省里开会")
    assert (swap.state, swap.requested_by_id, swap.substitute) == (SwapState.REQUESTED, world.leader.id, li)
    assert slot.leader == world.leader

    roster.accept_swap(li, swap)

    assert (slot.leader, slot.original_leader, slot.published) == (li, world.leader, True)
    assert (swap.state, swap.decided_by_id) == (SwapState.ACCEPTED, li.id)
    assert swap.decided_at is not None
    assert [(r.action, r.object_id) for r in audit_rows()] == [
        ("duty.swap_requested", slot.id),
        ("duty.swap_accepted", slot.id),
    ]
    assert audit_rows("duty.swap_accepted")[0].detail == {
        "swap_id": swap.id,
        "from_leader": "王县长",
        "to_leader": "李副县长",
        "published": True,
    }


def test_a_clerk_may_accept_for_the_substitute(world, li):
    slot = add_slot(world.leader, MON)
    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")

    roster.accept_swap(world.clerk, swap)

    assert slot.leader == li and swap.decided_by_id == world.clerk.id


def test_a_second_swap_keeps_the_first_leader_and_a_swap_back_clears_it(world, li):
    zhang = add_leader("leader_zhang", "张副县长")
    slot = add_slot(world.leader, MON)
    roster.accept_swap(li, roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差"))

    roster.accept_swap(zhang, roster.request_swap(li, slot, substitute_id=zhang.id, reason="开会"))
    assert (slot.leader, slot.original_leader) == (zhang, world.leader)

    roster.accept_swap(world.leader, roster.request_swap(zhang, slot, substitute_id=world.leader.id, reason="回来了"))
    assert (slot.leader, slot.original_leader) == (world.leader, None)


def test_a_substitute_already_on_duty_then_cannot_be_asked(world, li):
    add_slot(li, MON, Period.DAY)
    slot = add_slot(world.leader, MON, Period.MORNING)

    with pytest.raises(DomainError, match=r"李副县长11月30日（星期一）全天已有接访安排.*不能接替"):
        roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")
    assert db.session.scalars(db.select(SwapRequest)).all() == []


def test_a_substitute_booked_after_the_request_cannot_accept_and_nothing_changes(world, li):
    slot = add_slot(world.leader, MON, Period.MORNING)
    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")
    add_slot(li, MON, Period.MORNING, place="青石镇")
    db.session.commit()

    with pytest.raises(DomainError, match="不能接替"):
        roster.accept_swap(li, swap)
    db.session.rollback()

    assert (slot.leader, slot.original_leader, swap.state) == (world.leader, None, SwapState.REQUESTED)
    assert audit_rows("duty.swap_accepted") == []


@pytest.mark.parametrize("who", ["clerk", "supervisor", "li"])
def test_only_the_leader_on_duty_may_ask_for_a_swap(world, li, who):
    slot = add_slot(world.leader, MON)
    actor = li if who == "li" else getattr(world, who)

    with pytest.raises(NotAllowed):
        roster.request_swap(actor, slot, substitute_id=li.id, reason="出差")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"reason": " "}, "请填写调换原因"),
        ({"substitute": "self"}, "接替的领导不能是您本人"),
        ({"substitute": "handler"}, "请选择接替的领导"),
    ],
)
def test_a_swap_request_needs_a_reason_and_another_leader(world, li, fields, message):
    slot = add_slot(world.leader, MON)
    substitute = {"self": world.leader, "handler": world.handler}.get(fields.get("substitute"), li)

    with pytest.raises(DomainError, match=message):
        roster.request_swap(world.leader, slot, substitute_id=substitute.id, reason=fields.get("reason", "出差"))


def test_one_pending_request_per_slot(world, li):
    zhang = add_leader("leader_zhang", "张副县长")
    slot = add_slot(world.leader, MON)
    roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")

    with pytest.raises(DomainError, match="已有待确认的调换申请"):
        roster.request_swap(world.leader, slot, substitute_id=zhang.id, reason="出差")


def test_another_leader_cannot_accept_or_decline_and_others_cannot_withdraw(world, li):
    zhang = add_leader("leader_zhang", "张副县长")
    slot = add_slot(world.leader, MON)
    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")

    for service in (roster.accept_swap, roster.decline_swap):
        with pytest.raises(NotAllowed):
            service(zhang, swap)
    for actor in (li, world.clerk):
        with pytest.raises(NotAllowed):
            roster.withdraw_swap(actor, swap)
    assert swap.state is SwapState.REQUESTED and slot.leader == world.leader


def test_declined_and_withdrawn_requests_leave_the_slot_and_are_final(world, li):
    slot = add_slot(world.leader, MON)
    declined = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")
    roster.decline_swap(li, declined)
    withdrawn = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")
    roster.withdraw_swap(world.leader, withdrawn)

    assert (declined.state, withdrawn.state, slot.leader) == (SwapState.DECLINED, SwapState.WITHDRAWN, world.leader)
    with pytest.raises(DomainError, match="已拒绝，不能再处理"):
        roster.accept_swap(li, declined)
    assert [r.action for r in audit_rows()] == [
        "duty.swap_requested",
        "duty.swap_declined",
        "duty.swap_requested",
        "duty.swap_withdrawn",
    ]


def test_a_request_made_stale_by_a_move_to_another_leader_is_closed(world, li):
    zhang = add_leader("leader_zhang", "张副县长")
    slot = add_slot(world.leader, MON)
    swap = roster.request_swap(world.leader, slot, substitute_id=li.id, reason="出差")

    roster.move_slot(world.clerk, slot, day=MON, period=Period.MORNING, leader_id=zhang.id)

    assert swap.state is SwapState.WITHDRAWN
    with pytest.raises(DomainError, match="已撤回，不能再处理"):
        roster.accept_swap(li, swap)


# --- special periods ---------------------------------------------------------------------------------------------
def test_a_clerk_adds_and_removes_a_special_period_with_audit(world):
    period = roster.add_special_period(
        world.clerk, name=" 元旦假期 ", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 1, 3), every_day=True
    )

    assert (period.name, period.every_day, period.created_by_id) == ("元旦假期", True, world.clerk.id)
    assert period.dates_label == "2027年1月1日至1月3日"
    period_id = period.id
    roster.remove_special_period(world.clerk, period)

    assert db.session.get(SpecialPeriod, period_id) is None
    assert [(r.action, r.object_id) for r in audit_rows()] == [
        ("duty.special_period_added", period_id),
        ("duty.special_period_removed", period_id),
    ]


@pytest.mark.parametrize(
    "name, starts_on, ends_on, message",
    [
        ("", dt.date(2027, 1, 1), dt.date(2027, 1, 3), "请填写特殊时期名称"),
        ("元旦", dt.date(2027, 1, 3), dt.date(2027, 1, 1), "结束日期不能早于开始日期"),
        ("全年", dt.date(2027, 1, 1), dt.date(2028, 1, 2), "最长366天"),
    ],
)
def test_a_special_period_is_checked(world, name, starts_on, ends_on, message):
    with pytest.raises(DomainError, match=message):
        roster.add_special_period(world.clerk, name=name, starts_on=starts_on, ends_on=ends_on, every_day=False)
    assert db.session.scalars(db.select(SpecialPeriod)).all() == []


def test_only_a_clerk_keeps_special_periods(world):
    with pytest.raises(NotAllowed):
        roster.add_special_period(
            world.leader, name="元旦", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 1, 1), every_day=True
        )


# --- calendar tokens ---------------------------------------------------------------------------------------------
def test_a_leader_gets_a_calendar_token_once_and_can_reset_it(world):
    token = roster.ensure_calendar_token(world.leader)

    assert len(token) >= 40 and world.leader.calendar_token == token
    assert roster.ensure_calendar_token(world.leader) == token
    new = roster.reset_calendar_token(world.leader)
    assert new != token and world.leader.calendar_token == new
    rows = audit_rows()
    assert [r.action for r in rows] == ["duty.calendar_token_created", "duty.calendar_token_reset"]
    assert all(token not in str(r.detail) and new not in str(r.detail) for r in rows)


def test_only_leaders_have_calendar_tokens(world):
    with pytest.raises(NotAllowed):
        roster.ensure_calendar_token(world.clerk)
    assert world.clerk.calendar_token is None
