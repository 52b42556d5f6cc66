"""The SMS outbox: every notice is queued here first, then delivered by ``flask sms send``."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.protection import EncryptedString


class SmsState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "待发送", "sent": "已发送", "failed": "发送失败"}[self.value]


class SmsMessage(db.Model):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    # Encrypted at rest (portal.protection): the number, and the notice that ties it to a case.
    phone: Mapped[str] = mapped_column(EncryptedString(20))
    text: Mapped[str] = mapped_column(EncryptedString())
    state: Mapped[SmsState] = mapped_column(enum_column(SmsState), default=SmsState.QUEUED, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(200), default="")
