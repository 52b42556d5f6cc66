"""Written notices (文书): one row per numbered document, frozen when it is issued, and the record of each delivery.

A document is never edited: its HTML is sealed and hashed when the decision is recorded, its PDF is rendered from
that HTML once and hashed, and a correction is a new numbered document that names the one it replaces. Both blobs
are sealed with the data key (they name the petitioner and their address)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role, User

# 送达方式 and their rules belong to the case workflow (a reply is delivered there too); re-exported for this area.
from portal.cases.delivery import DELIVERY_LABELS, DeliveryMethod  # noqa: F401
from portal.cases.models import Case, CaseEvent
from portal.extensions import db, enum_column
from portal.localtime import utcnow
from portal.org.models import Department


def can_see_documents(case: Case, user: User) -> bool:
    """Staff who may read the case and see who the petitioner is may read its documents (a 交办单 included)."""
    return case.can_read(user) and case.can_see_identity(user)


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        # One sequence per issuing organ, kind and year (portal.numbering scope "document:<organ>:<kind>").
        UniqueConstraint("issuer_id", "kind", "year", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)  # a key of portal.documents.kinds.KINDS
    title: Mapped[str] = mapped_column(String(50))  # 受理告知书 …, as printed
    issuer_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    issuer_name: Mapped[str] = mapped_column(String(100))  # the organ's name as printed (a later rename stays out)
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(60))  # X信受〔2026〕12号, from the pattern set when it was issued
    issued_on: Mapped[dt.date]
    public: Mapped[bool] = mapped_column(default=True)  # the petitioner sees and downloads it
    to_petitioner: Mapped[bool] = mapped_column(default=True)  # addressed to the petitioner (else to an organ)
    addressee: Mapped[str] = mapped_column(String(100), default="")  # the department of a 交办单
    html: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed; rendered once from ``html``
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    rendered_at: Mapped[dt.datetime | None]
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(backref=db.backref("documents", order_by="Document.id", viewonly=True))
    issuer: Mapped[Department] = relationship()
    event: Mapped[CaseEvent | None] = relationship()
    replaces: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[replaces_id])
    replaced_by: Mapped[list[Document]] = relationship(
        foreign_keys=[replaces_id], viewonly=True, order_by="Document.id"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="document", order_by="Delivery.id", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

    @property
    def kind_spec(self):
        from portal.documents.kinds import KINDS

        return KINDS[self.kind]

    @property
    def delivery(self) -> Delivery | None:
        """The delivery that counts: the latest recorded (an earlier record corrected stays in the history)."""
        return self.deliveries[-1] if self.deliveries else None

    @property
    def superseded(self) -> bool:
        return bool(self.replaced_by)

    @property
    def filename(self) -> str:
        return f"{self.case.tracking_code}-{self.title}-{self.year}-{self.sequence}.pdf"

    # --- who may do what ----------------------------------------------------------------------------------
    def can_view(self, user: User) -> bool:
        return can_see_documents(self.case, user)

    def can_record_delivery(self, user: User) -> bool:
        """The petition office records deliveries (it sends the notices out and keeps the 送达回证)."""
        return self.can_view(user) and user.has_role(Role.CLERK) and not self.superseded

    def can_correct(self, user: User) -> bool:
        """A correction is issued by the organ that issued the document: the petition office for its notices, the
        head of the issuing department for the others."""
        if not self.can_view(user) or self.superseded:
            return False
        if self.issuer.is_petition_office:
            return user.has_role(Role.CLERK)
        return user.has_role(Role.DEPT_HEAD) and user.department_id == self.issuer_id


class Delivery(db.Model):
    """送达: how, when and to whom a document was delivered, and who recorded it."""

    __tablename__ = "document_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod))
    delivered_on: Mapped[dt.date]
    tracking_number: Mapped[str] = mapped_column(String(40), default="")  # 邮寄: the 挂号信 / EMS number
    recipient: Mapped[str] = mapped_column(String(50), default="")  # 签收人 (the petitioner or whoever signed)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="deliveries")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def summary(self) -> str:
        text = f"{self.delivered_on:%Y年%m月%d日}{self.method.label}"
        if self.tracking_number:
            text += f"（邮件号 {self.tracking_number}）"
        if self.recipient:
            text += f"，签收人{self.recipient}"
        return text
