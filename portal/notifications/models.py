"""What the notices keep besides the outbox: the administrator's texts that replace a kind's default, and the
cases whose petitioner asked for no SMS (退订)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.localtime import utcnow


class MessageText(db.Model):
    """The text a kind of portal.notifications.catalogue is sent with instead of its default."""

    __tablename__ = "message_texts"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    text: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SmsOptOut(db.Model):
    """The petitioner of this case asked for no SMS: on the progress page (``by_id`` None) or through a clerk.
    Opting in again deletes the row; the audit trail keeps both."""

    __tablename__ = "sms_opt_outs"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
