"""Audit rows: append-only, hash-chained. A row is written unsealed (``seq``, ``prev_hash`` and ``hash`` empty) in
the writer's own transaction; ``portal.audit.chain`` seals it afterwards."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.localtime import utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))  # kept even if the user is renamed
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")
    # False for refusals and failures (a 403, a wrong password): the auditor filters on it.
    success: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The chain: the row's place in it, the hash of the row before and its own ("sm3:<hex>"), set once by the sealer.
    seq: Mapped[int | None] = mapped_column(unique=True, index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(80))
    hash: Mapped[str | None] = mapped_column(String(80))

    @property
    def sealed(self) -> bool:
        return self.hash is not None
