"""Duty slots: a leader's reception day or half day at a place."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db, enum_column
from portal.localtime import utcnow


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

    leader: Mapped[User] = relationship(lazy="joined")

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

    @classmethod
    def period_rank(cls):
        """SQL expression that sorts a day's slots morning, afternoon, whole day (not alphabetically)."""
        return case(*((cls.period == period, rank) for rank, period in enumerate(Period)), else_=len(Period))
