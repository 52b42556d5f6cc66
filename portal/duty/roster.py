"""Changes to the reception-duty roster (接访排班): slots, publishing, swaps, special periods and leaders' calendar
addresses. Each function checks the actor and every rule before it changes anything, writes the audit row(s),
flushes and never commits; a refusal raises DomainError (or NotAllowed) with a message for a person.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from portal.accounts.models import Role, User
from portal.audit.services import record
from portal.deadlines.clock import Day, WorkCalendar
from portal.deadlines.services import work_calendar
from portal.duty.models import (
    MANAGERS_ONLY,
    WEEKDAYS,
    DutySlot,
    Form,
    Period,
    SpecialPeriod,
    SwapRequest,
    SwapState,
    can_manage_roster,
)
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.localtime import today, utcnow
from portal.settings.models import get_setting
from portal.validation import limited, required

PLACE_MAX = 100
TOPICS_MAX = 200
REASON_MAX = 200
SPECIAL_NAME_MAX = 50
SPECIAL_MAX_DAYS = 366

# Which periods of the same day a new slot collides with: a whole day takes both halves.
CLASHES = {
    Period.MORNING: frozenset({Period.MORNING, Period.DAY}),
    Period.AFTERNOON: frozenset({Period.AFTERNOON, Period.DAY}),
    Period.DAY: frozenset(Period),
}


class RestDayNotConfirmed(DomainError):
    """The day is a weekend or a statutory holiday: the clerk has to confirm the slot (``confirm_rest_day``)."""

    def __init__(self, day: dt.date, reason: str):
        super().__init__(f"{day.month}月{day.day}日是休息日（{reason}），确认仍在该日排班？")
        self.day = day


# --- labels ------------------------------------------------------------------------------------------------------
def day_label(day: dt.date) -> str:
    """``12月3日（星期四）``."""
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def slot_label(slot: DutySlot) -> str:
    """``12月3日（星期四）上午 王县长``."""
    return slot.label


def rest_reason(day: Day) -> str:
    """Why a day is not a working day, as the confirmation question names it: 周六 / 周日 / 国庆节 / …"""
    if day.reason == "周末":
        return "周六" if day.date.weekday() == 5 else "周日"
    return day.reason


# --- checks shared by the changes --------------------------------------------------------------------------------
def _require_manager(actor: User) -> None:
    if not can_manage_roster(actor):
        raise NotAllowed(MANAGERS_ONLY)


def _enum(enum_cls, value, label: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(f"请选择{label}。") from None


def _leader(leader_id: int | None, message: str = "请选择接访领导（须为在职的领导）。") -> User:
    user = db.session.get(User, leader_id) if leader_id else None
    if user is None or not user.active or not user.has_role(Role.LEADER):
        raise DomainError(message)
    return user


def _check_day(day: dt.date, *, calendar: WorkCalendar, confirm_rest_day: bool) -> None:
    if day < today():
        raise DomainError(f"{day_label(day)}已经过去，不能安排接访。")
    info = calendar.day(day)
    if not info.workday and not confirm_rest_day:
        raise RestDayNotConfirmed(day, rest_reason(info))


def clashing_slot(leader_id: int, day: dt.date, period: Period, *, exclude_id: int | None = None) -> DutySlot | None:
    """A non-cancelled slot of the leader on ``day`` that overlaps ``period`` (other than ``exclude_id``)."""
    query = db.select(DutySlot).where(
        DutySlot.leader_id == leader_id,
        DutySlot.day == day,
        DutySlot.cancelled.is_(False),
        DutySlot.period.in_(CLASHES[period]),
    )
    if exclude_id is not None:
        query = query.where(DutySlot.id != exclude_id)
    return db.session.scalars(query.order_by(DutySlot.id).limit(1)).first()


def _check_free(
    leader: User, day: dt.date, period: Period, *, exclude_id: int | None = None, doing: str = "不能重复排班"
) -> None:
    other = clashing_slot(leader.id, day, period, exclude_id=exclude_id)
    if other is not None:
        raise DomainError(f"{leader.name}{day_label(day)}{other.period.label}已有接访安排（{other.place}），{doing}。")


def _cancelled_in_the_way(
    leader_id: int, day: dt.date, period: Period, *, exclude_id: int | None = None
) -> DutySlot | None:
    """A cancelled slot holding (leader, day, period): the table's unique key counts cancelled slots too."""
    query = db.select(DutySlot).where(
        DutySlot.leader_id == leader_id, DutySlot.day == day, DutySlot.period == period, DutySlot.cancelled.is_(True)
    )
    if exclude_id is not None:
        query = query.where(DutySlot.id != exclude_id)
    return db.session.scalars(query).first()


def _make_room(actor: User, leader_id: int, day: dt.date, period: Period, *, exclude_id: int) -> None:
    """Delete a cancelled slot that holds the key a slot is moving to; the audit keeps its story."""
    old = _cancelled_in_the_way(leader_id, day, period, exclude_id=exclude_id)
    if old is None:
        return
    if old.reception_started:  # its reception log refers to it, so it stays
        raise DomainError(f"{slot_label(old)}的接访已取消但留有接访记录，不能在同一时段再为该领导排班。")
    record(
        "duty.slot_removed",
        actor,
        old,
        day=old.day.isoformat(),
        period=old.period.value,
        leader=old.leader.name,
        replaced_by=exclude_id,
    )
    for swap in list(old.swaps):
        db.session.delete(swap)
    db.session.delete(old)
    db.session.flush()


def _close_pending_swaps(actor: User, slot: DutySlot) -> list[int]:
    """A slot that moved or was cancelled is no longer the one the substitute was asked about."""
    closed = []
    for swap in slot.swaps:
        if swap.state is SwapState.REQUESTED:
            swap.state, swap.decided_by_id, swap.decided_at = SwapState.WITHDRAWN, actor.id, utcnow()
            closed.append(swap.id)
    return closed


# --- slots -------------------------------------------------------------------------------------------------------
def create_slot(
    actor: User,
    *,
    day: dt.date,
    period: Period | str,
    leader_id: int,
    place: str,
    form: Form | str,
    topics: str = "",
    confirm_rest_day: bool = False,
) -> DutySlot:
    """A draft slot (published later with ``publish_slots``). A cancelled slot of the same leader, day and
    period is brought back instead (a published one then shows again on the public roster at once)."""
    _require_manager(actor)
    period = _enum(Period, period, "时段（上午、下午或全天）")
    form = _enum(Form, form, "接访形式")
    leader = _leader(leader_id)
    place = required(place, "接访地点", PLACE_MAX)
    topics = limited(topics, "分管工作", TOPICS_MAX)
    _check_day(day, calendar=work_calendar(), confirm_rest_day=confirm_rest_day)
    _check_free(leader, day, period)

    slot = _cancelled_in_the_way(leader.id, day, period)
    revived = slot is not None
    if slot is None:
        slot = DutySlot(day=day, period=period, leader=leader, place=place, form=form, topics=topics)
        db.session.add(slot)
    else:
        slot.cancelled, slot.place, slot.form, slot.topics = False, place, form, topics
        slot.original_leader = None
    db.session.flush()
    record(
        "duty.slot_created",
        actor,
        slot,
        day=day.isoformat(),
        period=period.value,
        leader=leader.name,
        place=place,
        form=form.value,
        topics=topics,
        revived=revived,
        published=slot.published,
    )
    return slot


def move_slot(
    actor: User,
    slot: DutySlot,
    *,
    day: dt.date,
    period: Period | str,
    leader_id: int,
    place: str | None = None,
    form: Form | str | None = None,
    topics: str | None = None,
    confirm_rest_day: bool = False,
) -> DutySlot:
    """Change a slot's day, period or leader (and its place, form or topics). A published slot stays published:
    the public roster shows the change at once, and a new leader there reads "原定X因故调换"."""
    slot.can_edit(actor).enforce()
    period = _enum(Period, period, "时段（上午、下午或全天）")
    form = slot.form if form is None else _enum(Form, form, "接访形式")
    leader = _leader(leader_id)
    place = slot.place if place is None else required(place, "接访地点", PLACE_MAX)
    topics = slot.topics if topics is None else limited(topics, "分管工作", TOPICS_MAX)
    if day != slot.day:
        _check_day(day, calendar=work_calendar(), confirm_rest_day=confirm_rest_day)
    _check_free(leader, day, period, exclude_id=slot.id)

    before = {
        "day": slot.day.isoformat(),
        "period": slot.period.value,
        "leader": slot.leader.name,
        "place": slot.place,
        "form": slot.form.value,
        "topics": slot.topics,
    }
    after = {
        "day": day.isoformat(),
        "period": period.value,
        "leader": leader.name,
        "place": place,
        "form": form.value,
        "topics": topics,
    }
    changes = {key: f"{before[key]} → {after[key]}" for key in before if before[key] != after[key]}
    if not changes:
        return slot
    moved = (day, period, leader.id) != (slot.day, slot.period, slot.leader_id)
    if moved:
        _make_room(actor, leader.id, day, period, exclude_id=slot.id)
    if leader.id != slot.leader_id:
        if slot.original_leader_id == leader.id:
            slot.original_leader = None  # back to the leader first on duty
        elif slot.published and slot.original_leader_id is None:
            slot.original_leader = slot.leader  # the public saw this name: tell them who stands in
    withdrawn = _close_pending_swaps(actor, slot) if moved else []
    slot.day, slot.period, slot.leader, slot.place, slot.form, slot.topics = day, period, leader, place, form, topics
    db.session.flush()
    record(
        "duty.slot_moved",
        actor,
        slot,
        **changes,
        published=slot.published,
        withdrawn_swaps=",".join(map(str, withdrawn)),
    )
    return slot


def cancel_slot(actor: User, slot: DutySlot, *, reason: str = "") -> DutySlot:
    """Cancel a slot; a published one stays on the public roster, marked 已取消."""
    slot.can_edit(actor).enforce()
    reason = limited(reason, "取消原因", REASON_MAX)
    slot.cancelled = True
    withdrawn = _close_pending_swaps(actor, slot)
    db.session.flush()
    record(
        "duty.slot_cancelled",
        actor,
        slot,
        day=slot.day.isoformat(),
        period=slot.period.value,
        leader=slot.leader.name,
        published=slot.published,
        reason=reason,
        withdrawn_swaps=",".join(map(str, withdrawn)),
    )
    return slot


@dataclass(frozen=True)
class PublishResult:
    published: list[DutySlot]
    too_close: list[DutySlot]  # drafts left as drafts: fewer than ``days_ahead`` days away
    days_ahead: int

    @property
    def message(self) -> str:
        return f"已公布{len(self.published)}条接访排班，公开的领导接访安排已更新。"

    @property
    def warning(self) -> str | None:
        return too_close_message(self.too_close, self.days_ahead) if self.too_close else None


def too_close_message(slots: list[DutySlot], days_ahead: int) -> str:
    names = "；".join(slot_label(s) for s in slots)
    return (
        f"以下{len(slots)}条排班距今不足{days_ahead}天，不能首次公布，仍为草稿：{names}。"
        "如确需安排，请调整日期或另行通知群众。"
    )


def publishable_from(days_ahead: int | None = None) -> dt.date:
    """The first day a draft may be published for (the ``roster_publish_days_ahead`` setting)."""
    days_ahead = get_setting("roster_publish_days_ahead") if days_ahead is None else days_ahead
    return today() + dt.timedelta(days=days_ahead)


def draft_slots(start: dt.date, end: dt.date) -> list[DutySlot]:
    """Drafts from ``start`` to ``end`` that could still be published (not cancelled, not over), in roster order."""
    query = (
        db.select(DutySlot)
        .join(DutySlot.leader)
        .where(
            DutySlot.published.is_(False),
            DutySlot.cancelled.is_(False),
            DutySlot.day >= max(start, today()),
            DutySlot.day <= end,
        )
        .order_by(DutySlot.day, DutySlot.period_rank(), User.name, DutySlot.id)
    )
    return list(db.session.scalars(query))


def publish_slots(actor: User, start: dt.date, end: dt.date) -> PublishResult:
    """Publish the drafts from ``start`` to ``end`` that are at least ``roster_publish_days_ahead`` days away.
    Closer drafts stay drafts and are named in the result; when none can be published, nothing is."""
    _require_manager(actor)
    days_ahead = get_setting("roster_publish_days_ahead")
    first = publishable_from(days_ahead)
    drafts = draft_slots(start, end)
    if not drafts:
        raise DomainError("这段时间没有待公布的排班草稿。")
    ready = [s for s in drafts if s.day >= first]
    too_close = [s for s in drafts if s.day < first]
    if not ready:
        raise DomainError(too_close_message(too_close, days_ahead))
    for slot in ready:
        slot.published = True
    db.session.flush()
    for slot in ready:
        record(
            "duty.slot_published",
            actor,
            slot,
            day=slot.day.isoformat(),
            period=slot.period.value,
            leader=slot.leader.name,
        )
    return PublishResult(ready, too_close, days_ahead)


# --- swaps -------------------------------------------------------------------------------------------------------
def request_swap(actor: User, slot: DutySlot, *, substitute_id: int, reason: str) -> SwapRequest:
    """The leader on duty asks a colleague to stand in."""
    slot.can_ask_swap(actor).enforce()
    substitute = _leader(substitute_id, "请选择接替的领导（须为在职的领导）。")
    if substitute.id == slot.leader_id:
        raise DomainError("接替的领导不能是您本人。")
    reason = required(reason, "调换原因", REASON_MAX)
    _check_free(substitute, slot.day, slot.period, exclude_id=slot.id, doing="不能接替")
    swap = SwapRequest(slot=slot, requested_by_id=actor.id, substitute=substitute, reason=reason)
    db.session.add(swap)
    db.session.flush()
    record("duty.swap_requested", actor, slot, swap_id=swap.id, substitute=substitute.name, reason=reason)
    return swap


def accept_swap(actor: User, swap: SwapRequest) -> SwapRequest:
    """The substitute (or a clerk) accepts: the slot goes to the substitute, the first leader is remembered."""
    swap.can_accept(actor).enforce()
    slot = swap.slot
    substitute = _leader(swap.substitute_id, f"{swap.substitute.name}已不是在职的领导，不能接替。")
    _check_free(substitute, slot.day, slot.period, exclude_id=slot.id, doing="不能接替")
    _make_room(actor, substitute.id, slot.day, slot.period, exclude_id=slot.id)
    first = slot.leader
    if slot.original_leader_id == substitute.id:
        slot.original_leader = None  # swapped back to the leader first on duty
    elif slot.original_leader_id is None:
        slot.original_leader = first
    slot.leader = substitute
    swap.state, swap.decided_by_id, swap.decided_at = SwapState.ACCEPTED, actor.id, utcnow()
    db.session.flush()
    record(
        "duty.swap_accepted",
        actor,
        slot,
        swap_id=swap.id,
        from_leader=first.name,
        to_leader=substitute.name,
        published=slot.published,
    )
    return swap


def decline_swap(actor: User, swap: SwapRequest) -> SwapRequest:
    swap.can_decline(actor).enforce()
    swap.state, swap.decided_by_id, swap.decided_at = SwapState.DECLINED, actor.id, utcnow()
    db.session.flush()
    record("duty.swap_declined", actor, swap.slot, swap_id=swap.id, substitute=swap.substitute.name)
    return swap


def withdraw_swap(actor: User, swap: SwapRequest) -> SwapRequest:
    swap.can_withdraw(actor).enforce()
    swap.state, swap.decided_by_id, swap.decided_at = SwapState.WITHDRAWN, actor.id, utcnow()
    db.session.flush()
    record("duty.swap_withdrawn", actor, swap.slot, swap_id=swap.id, substitute=swap.substitute.name)
    return swap


# --- special periods ---------------------------------------------------------------------------------------------
def add_special_period(
    actor: User, *, name: str, starts_on: dt.date, ends_on: dt.date, every_day: bool
) -> SpecialPeriod:
    """特殊时期: from ``starts_on`` to ``ends_on`` someone must be on duty every day (or every working day)."""
    _require_manager(actor)
    name = required(name, "特殊时期名称", SPECIAL_NAME_MAX)
    if starts_on is None or ends_on is None:
        raise DomainError("请填写特殊时期的起止日期。")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期。")
    if (ends_on - starts_on).days + 1 > SPECIAL_MAX_DAYS:
        raise DomainError(f"特殊时期最长{SPECIAL_MAX_DAYS}天。")
    period = SpecialPeriod(
        name=name, starts_on=starts_on, ends_on=ends_on, every_day=bool(every_day), created_by_id=actor.id
    )
    db.session.add(period)
    db.session.flush()
    record(
        "duty.special_period_added",
        actor,
        period,
        name=name,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        every_day=bool(every_day),
    )
    return period


def remove_special_period(actor: User, period: SpecialPeriod) -> None:
    _require_manager(actor)
    record(
        "duty.special_period_removed",
        actor,
        period,
        name=period.name,
        starts_on=period.starts_on.isoformat(),
        ends_on=period.ends_on.isoformat(),
        every_day=period.every_day,
    )
    db.session.delete(period)
    db.session.flush()


# --- a leader's own calendar address -----------------------------------------------------------------------------
def _require_leader(actor: User) -> None:
    if actor is None or not actor.has_role(Role.LEADER):
        raise NotAllowed("只有领导可以订阅本人的接访日历。")


def ensure_calendar_token(actor: User) -> str:
    """The secret in the leader's feed address, made on first use. The token itself is never audited."""
    _require_leader(actor)
    if not actor.calendar_token:
        actor.calendar_token = secrets.token_urlsafe(32)
        db.session.flush()
        record("duty.calendar_token_created", actor, actor)
    return actor.calendar_token


def reset_calendar_token(actor: User) -> str:
    """A new secret: the old address stops working (for an address that leaked)."""
    _require_leader(actor)
    actor.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    record("duty.calendar_token_reset", actor, actor)
    return actor.calendar_token
