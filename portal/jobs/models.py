"""What background jobs leave behind: a row per run of a periodic job (``/healthz`` shows the last successful sweep),
and the reminders the clock sweep gives the people who hold a step."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column
from portal.localtime import utcnow


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    ok: Mapped[bool] = mapped_column(default=False)
    # Counts only (how many reminders, sent, …): never a name, a phone or a case's content.
    detail: Mapped[dict | None] = mapped_column(JSON)

    @classmethod
    def last_success(cls, name: str) -> JobRun | None:
        return db.session.execute(
            db.select(cls).where(cls.name == name, cls.ok.is_(True)).order_by(cls.finished_at.desc()).limit(1)
        ).scalar_one_or_none()


class ReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"due_soon": "即将到期", "overdue": "已超期"}[self.value]


class Reminder(db.Model):
    """One reminder to one person about one case's deadline; the unique key makes the sweep safe to run twice."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "case_id", "kind", "due_date", name="uq_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, 20))
    due_date: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case = relationship("Case", lazy="joined")
