"""The SMS outbox: every notice is queued here first, then delivered by ``flask sms send``."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.masking import mask_phone, mask_query_code
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
    # The message kind of portal.notifications.catalogue ("" for a message queued outside it).
    kind: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # A message that carries a query code stores its text with the code masked; the code itself waits here,
    # encrypted, until the gateway has taken the message, and is then wiped: no row keeps a query code after sending.
    carries_code: Mapped[bool] = mapped_column(default=False, server_default=false())
    secret: Mapped[str | None] = mapped_column(EncryptedString(20))
    resent_from_id: Mapped[int | None] = mapped_column(ForeignKey("sms_messages.id", ondelete="SET NULL"))

    case = relationship("Case")  # not joined: send_one locks the row FOR UPDATE, which an outer join forbids

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def text_to_send(self) -> str:
        """The text the gateway gets: the stored text with the waiting query code in place of its mask."""
        if not self.secret:
            return self.text
        return self.text.replace(mask_query_code(self.secret), self.secret)
