"""Duty slots: a leader's reception day or half day at a place."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
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


def can_manage_roster(user) -> bool:
    """Only the petition office's clerks keep the roster; leaders see it and act on their own slots."""
    return bool(user and user.is_authenticated and user.has_role(Role.CLERK))


def can_see_roster(user) -> bool:
    """The staff roster is for everyone who works on cases (the public has /roster)."""
    return bool(user and user.is_authenticated and user.works_cases)


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

    leader: Mapped[User] = relationship(lazy="joined", foreign_keys=[leader_id])
    original_leader: Mapped[User | None] = relationship(foreign_keys=[original_leader_id])

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
        log = getattr(self, "reception_log", None)  # the backref of portal.reception.models.ReceptionLog.slot
        return log is not None and (log.locked or bool(log.entries))

    def can_edit(self, user) -> bool:
        """Move or cancel: a clerk, while the slot is neither cancelled nor over nor already logged."""
        return can_manage_roster(user) and not self.cancelled and not self.past and not self.reception_started

    def can_ask_swap(self, user) -> bool:
        """The leader on duty may ask a colleague to stand in, while the slot is neither cancelled nor over nor
        already logged."""
        return (
            user is not None
            and user.is_authenticated
            and user.id == self.leader_id
            and user.has_role(Role.LEADER)
            and not self.cancelled
            and not self.past
            and not self.reception_started
        )

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

    slot: Mapped[DutySlot] = relationship(backref="swaps")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    substitute: Mapped[User] = relationship(foreign_keys=[substitute_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def pending(self) -> bool:
        return self.state is SwapState.REQUESTED

    def can_decide(self, user) -> bool:
        """Accept or decline: the substitute asked, or a clerk."""
        return (
            self.pending
            and user is not None
            and user.is_authenticated
            and (user.id == self.substitute_id or can_manage_roster(user))
        )

    def can_withdraw(self, user) -> bool:
        return self.pending and user is not None and user.is_authenticated and user.id == self.requested_by_id


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
