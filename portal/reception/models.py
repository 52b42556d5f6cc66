"""A duty slot's reception log and its entries (one visitor or group each, numbered JF<year>-<4 digits>)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.cases.models import Case, Rating
from portal.duty.models import DutySlot
from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.masking import MaskedContact, mask_name
from portal.org.models import Department
from portal.protection import EncryptedString


class Handling(enum.StrEnum):
    ANSWERED = "answered"  # 当场答复
    TRANSFERRED = "transferred"  # 批示转办

    @property
    def label(self) -> str:
        return {"answered": "当场答复", "transferred": "批示转办"}[self.value]


def may_keep(slot: DutySlot, user) -> bool:
    """Who keeps a slot's log: the leader on duty (after swaps), or a clerk writing it on the leader's behalf."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_role(Role.CLERK) or (user.id == slot.leader_id and user.has_role(Role.LEADER))


class ReceptionLog(db.Model):
    __tablename__ = "reception_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("duty_slots.id"), unique=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # who received (after swaps)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]  # set once: the log is then locked
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # No backref: duty, below reception, knows of a log only through DutySlot.logged_at, which open_log sets.
    slot: Mapped[DutySlot] = relationship()
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    entries: Mapped[list[ReceptionEntry]] = relationship(
        back_populates="log", order_by="ReceptionEntry.id", cascade="all, delete-orphan"
    )
    corrections: Mapped[list[ReceptionCorrection]] = relationship(
        back_populates="log", order_by="ReceptionCorrection.id", cascade="all, delete-orphan"
    )

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @property
    def locked(self) -> bool:
        return self.submitted_at is not None

    def can_view(self, user) -> bool:
        return may_keep(self.slot, user)

    def can_write(self, user) -> bool:
        """Entries are added and edited, and the log submitted, only until it is locked."""
        return not self.locked and may_keep(self.slot, user)

    def can_correct(self, user) -> bool:
        """After the lock a mistake is put right by a separate correction, never by editing the entry."""
        return self.locked and may_keep(self.slot, user)


class ReceptionEntry(MaskedContact, db.Model):
    """One visitor or group received, and what the leader did."""

    __tablename__ = "reception_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("reception_logs.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)  # JF2026-0001
    name: Mapped[str] = mapped_column(String(50))
    # Encrypted at rest (portal.protection): read on the log, never searched.
    phone: Mapped[str | None] = mapped_column(EncryptedString(20))
    id_number: Mapped[str | None] = mapped_column(EncryptedString(18))
    address: Mapped[str] = mapped_column(EncryptedString(200), default="")
    matter: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200), default="")  # 问题发生地
    people_count: Mapped[int] = mapped_column(default=1)
    representatives: Mapped[list] = mapped_column(JSON, default=list)
    handling: Mapped[Handling] = mapped_column(enum_column(Handling))
    answer: Mapped[str] = mapped_column(Text, default="")  # the on-the-spot answer, or the leader's instruction
    satisfaction: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    log: Mapped[ReceptionLog] = relationship(back_populates="entries")
    department: Mapped[Department | None] = relationship()
    case: Mapped[Case | None] = relationship(backref=db.backref("reception_entry", uselist=False))
    created_by: Mapped[User] = relationship()

    @property
    def transferred(self) -> bool:
        return self.handling is Handling.TRANSFERRED

    def can_edit(self, user) -> bool:
        """Only an on-the-spot answer is edited in place: a transfer has become a case, which keeps its own record."""
        return self.handling is Handling.ANSWERED and self.log.can_write(user)

    def sealed_for(self, user) -> bool:
        """The entry became a case ``user`` may not read (an accusation naming them or their unit, 条例 art.30): the
        log then shows that a visit happened, never who came or what they said."""
        return self.case is not None and not self.case.can_read(user)

    def _identity_hidden_for(self, user) -> bool:
        return self.case is not None and not self.case.can_see_identity(user)

    def shown_name(self, user) -> str:
        return mask_name(self.name) if self._identity_hidden_for(user) else self.name

    def shown_representatives(self, user) -> list[str]:
        """A group's representatives, masked like the visitor when the case hides who came."""
        names = self.representatives or []
        return [mask_name(n) for n in names] if self._identity_hidden_for(user) else names


class ReceptionCorrection(db.Model):
    """After a log is locked, a correction is a separate, audited entry; the original stays as it was."""

    __tablename__ = "reception_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("reception_logs.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("reception_entries.id"))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    log: Mapped[ReceptionLog] = relationship(back_populates="corrections")
    created_by: Mapped[User] = relationship()
