"""Duty slots: a leader's reception day or half day at a place."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.extensions import db, enum_column
from portal.localtime import utcnow


class Period(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    DAY = "day"

    @property
    def label(self) -> str:
        return {"morning": "上午", "afternoon": "下午", "day": "全天"}[self.value]


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
