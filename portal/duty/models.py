"""Duty slots: a leader's reception day or half day at a place."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.errors import DomainError, NotAllowed
from portal.extensions import db, enum_column
from portal.localtime import today, utcnow


class Period(enum.StrEnum):
    """Half day or day; declared in the order a day's slots are listed."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    DAY = "day"

    @property
    def label(self) -> str:
        return {"morning": "上午", "afternoon": "下午", "day": "全天"}[self.value]

    @property
    def start(self) -> dt.time:
        return _HOURS[self][0]

    @property
    def end(self) -> dt.time:
        return _HOURS[self][1]

    @property
    def hours(self) -> str:
        """The hours as printed on the roster: ``08:30—12:00``."""
        return f"{self.start:%H:%M}—{self.end:%H:%M}"


# Reception hours of the petition office (the public roster, the calendar feed and the API all read them here).
_HOURS = {
    Period.MORNING: (dt.time(8, 30), dt.time(12, 0)),
    Period.AFTERNOON: (dt.time(14, 30), dt.time(17, 30)),
    Period.DAY: (dt.time(8, 30), dt.time(17, 30)),
}
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Verdict:
    """What a ``can_*`` predicate answers: true when the user may act now; otherwise ``reason`` says why, in words
    for the person. ``forbidden``: this user may not do it at all (403); otherwise the slot or the request is not in
    a state for it now (422). Views and templates test it; the service calls ``enforce()``, so a control that is
    shown works and a request the page would not offer is refused with the same reason."""

    reason: str = ""
    forbidden: bool = False

    def __bool__(self) -> bool:
        return not self.reason

    def enforce(self) -> None:
        if self.reason:
            raise (NotAllowed if self.forbidden else DomainError)(self.reason)


ALLOWED = Verdict()
MANAGERS_ONLY = "只有信访部门登记员可以安排和调整接访排班。"


def _authenticated(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def can_manage_roster(user) -> bool:
    """Only the petition office's clerks keep the roster; leaders see it and act on their own slots."""
    return _authenticated(user) and user.has_role(Role.CLERK)


def can_see_roster(user) -> bool:
    """The staff roster is for everyone who works on cases (the public has /roster)."""
    return _authenticated(user) and bool(user.works_cases)


class Form(enum.StrEnum):
    FIXED = "fixed"  # 定点接访
    APPOINTMENT = "appointment"  # 重点约访
    FIELD = "field"  # 带案下访

    @property
    def label(self) -> str:
        return {"fixed": "定点接访", "appointment": "重点约访", "field": "带案下访"}[self.value]


class DutySlot(db.Model):
    __tablename__ = "duty_slots"
    __table_args__ = (UniqueConstraint("leader_id", "day", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    period: Mapped[Period] = mapped_column(enum_column(Period))
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    place: Mapped[str] = mapped_column(String(100))
    form: Mapped[Form] = mapped_column(enum_column(Form))
    topics: Mapped[str] = mapped_column(String(200), default="")  # 分管工作
    published: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set when a swap gave the slot to a substitute: the leader first on duty, shown on the public roster.
    original_leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the first visitor was logged (or the log was submitted with nobody): set by the reception area, which
    # builds on duty. From then on who received and when is settled: the slot is no longer moved, swapped or
    # cancelled, and never deleted.
    logged_at: Mapped[dt.datetime | None]

    leader: Mapped[User] = relationship(lazy="joined", foreign_keys=[leader_id])
    original_leader: Mapped[User | None] = relationship(foreign_keys=[original_leader_id])
    swaps: Mapped[list[SwapRequest]] = relationship(back_populates="slot", order_by="SwapRequest.id")

    @property
    def weekday_label(self) -> str:
        """``星期三``."""
        return WEEKDAYS[self.day.weekday()]

    @property
    def starts_at(self) -> dt.datetime:
        """Naive local (China) time the reception begins."""
        return dt.datetime.combine(self.day, self.period.start)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.period.end)

    @property
    def label(self) -> str:
        """``12月3日（星期四）上午 王县长``: how messages name a slot."""
        return f"{self.day.month}月{self.day.day}日（{self.weekday_label}）{self.period.label} {self.leader.name}"

    @property
    def swapped(self) -> bool:
        return self.original_leader_id is not None

    @property
    def past(self) -> bool:
        return self.day < today()

    @property
    def reception_started(self) -> bool:
        """Visitors were logged (or the log was submitted): who received them and when is then settled."""
        return self.logged_at is not None

    @property
    def pending_swap(self) -> SwapRequest | None:
        """The swap request waiting for an answer, if any (at most one: ``can_ask_swap`` sees to it)."""
        return next((swap for swap in self.swaps if swap.pending), None)

    @property
    def closed_reason(self) -> str:
        """Why the slot can no longer be moved, cancelled or handed over; "" while it can."""
        if self.cancelled:
            return f"{self.label}的接访已取消，不能再调整。"
        if self.past:
            return f"{self.label}的接访已经过去，不能再调整。"
        if self.reception_started:
            return f"{self.label}已有接访登记，不能再调整或调换。"
        return ""

    def can_edit(self, user) -> Verdict:
        """Move or cancel: a clerk, while the slot is neither cancelled nor over nor already logged."""
        if not can_manage_roster(user):
            return Verdict(MANAGERS_ONLY, forbidden=True)
        return Verdict(self.closed_reason)

    def can_ask_swap(self, user) -> Verdict:
        """The leader on duty may ask a colleague to stand in, while the slot is neither cancelled nor over nor
        already logged, and no other request waits for an answer."""
        if not (_authenticated(user) and user.id == self.leader_id and user.has_role(Role.LEADER)):
            return Verdict("只有当班领导本人可以申请调换。", forbidden=True)
        if self.closed_reason:
            return Verdict(self.closed_reason)
        if self.pending_swap is not None:
            return Verdict("该排班已有待确认的调换申请，请等待答复或先撤回。")
        return ALLOWED

    @classmethod
    def period_rank(cls):
        """SQL expression that sorts a day's slots morning, afternoon, whole day (not alphabetically)."""
        return case(*((cls.period == period, rank) for rank, period in enumerate(Period)), else_=len(Period))


class SwapState(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"requested": "待接受", "accepted": "已调换", "declined": "已拒绝", "withdrawn": "已撤回"}[self.value]


class SwapRequest(db.Model):
    """A leader who cannot attend asks a substitute; the substitute (or a clerk) accepts."""

    __tablename__ = "duty_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("duty_slots.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    substitute_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[SwapState] = mapped_column(enum_column(SwapState), default=SwapState.REQUESTED)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]

    slot: Mapped[DutySlot] = relationship(back_populates="swaps")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    substitute: Mapped[User] = relationship(foreign_keys=[substitute_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def pending(self) -> bool:
        return self.state is SwapState.REQUESTED

    @property
    def settled_reason(self) -> str:
        return "" if self.pending else f"该调换申请{self.state.label}，不能再处理。"

    def _decides(self, user) -> bool:
        """The substitute asked, or a clerk on the substitute's behalf."""
        return _authenticated(user) and (user.id == self.substitute_id or can_manage_roster(user))

    def can_accept(self, user) -> Verdict:
        """Accept: the substitute or a clerk, while the request waits and the slot is still the one asked about.
        (Whether the substitute is still an active leader and free then is checked by ``roster.accept_swap``.)"""
        if not self._decides(user):
            return Verdict("只有被邀请接替的领导或信访部门登记员可以接受调换。", forbidden=True)
        if self.settled_reason:
            return Verdict(self.settled_reason)
        if self.slot.closed_reason:
            return Verdict(self.slot.closed_reason)
        if self.slot.leader_id != self.requested_by_id:
            return Verdict("该排班已调整，这份调换申请已失效。")
        return ALLOWED

    def can_decline(self, user) -> Verdict:
        if not self._decides(user):
            return Verdict("只有被邀请接替的领导或信访部门登记员可以拒绝调换。", forbidden=True)
        return Verdict(self.settled_reason)

    def can_withdraw(self, user) -> Verdict:
        if not (_authenticated(user) and user.id == self.requested_by_id):
            return Verdict("只有申请人可以撤回调换申请。", forbidden=True)
        return Verdict(self.settled_reason)


class SpecialPeriod(db.Model):
    """特殊时期 (e.g. 两会, 国庆): someone must be on duty every working day, or every day."""

    __tablename__ = "duty_special_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    every_day: Mapped[bool] = mapped_column(default=False)  # False: every working day
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def coverage_label(self) -> str:
        return "每天有人接访" if self.every_day else "每个工作日有人接访"

    @property
    def dates_label(self) -> str:
        """``2026年9月30日至10月8日``."""
        start, end = self.starts_on, self.ends_on
        tail = f"{end.year}年" if end.year != start.year else ""
        return f"{start.year}年{start.month}月{start.day}日至{tail}{end.month}月{end.day}日"
