"""A published report: a frozen, numbered snapshot. What it said when it was published is what it says for ever —
its content is written once and a listener refuses any later change (a correction is a new report)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.errors import DomainError
from portal.extensions import db, enum_column
from portal.localtime import utcnow


class ReportKind(enum.StrEnum):
    WEEKLY = "weekly"  # 每周一汇总
    HALF_MONTHLY = "half_monthly"  # 半月一督办
    BI_MONTHLY = "bi_monthly"  # 两月一通报

    @property
    def label(self) -> str:
        return {"weekly": "每周汇总", "half_monthly": "半月督办通报", "bi_monthly": "两月通报"}[self.value]

    @property
    def title(self) -> str:
        """The heading printed on the report."""
        return {
            "weekly": "信访工作每周汇总",
            "half_monthly": "信访事项半月督办通报",
            "bi_monthly": "信访工作情况通报",
        }[self.value]

    @property
    def prefix(self) -> str:
        """The document number's prefix: 信周〔2026〕12号."""
        return {"weekly": "信周", "half_monthly": "信督", "bi_monthly": "信通"}[self.value]


class PublishedReport(db.Model):
    __tablename__ = "published_reports"
    __table_args__ = (UniqueConstraint("kind", "period_start", "period_end", name="uq_published_reports_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind, 20), index=True)
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date] = mapped_column(index=True)
    year: Mapped[int]  # the numbering year: the year the period ends in
    serial: Mapped[int]  # 1, 2, 3 … per kind and year (portal.numbering)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    as_of: Mapped[dt.date]  # the day the numbers were taken (clocks judged on it)
    # Aggregates and, for the supervision circular, case codes with sealed titles masked: never a petitioner.
    content: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: produced on schedule

    published_by: Mapped[User | None] = relationship()

    @property
    def period_label(self) -> str:
        end = f"{self.period_end.month}月{self.period_end.day}日"
        if self.period_end.year != self.period_start.year:
            end = f"{self.period_end.year}年{end}"
        return f"{self.period_start.year}年{self.period_start.month}月{self.period_start.day}日至{end}"

    @property
    def heading(self) -> str:
        return f"{self.kind.title}（{self.number}）"

    def can_view(self, user) -> bool:
        return user.is_authenticated and user.can_read_reports


FROZEN = ("kind", "period_start", "period_end", "year", "serial", "number", "as_of", "content", "published_at")


@event.listens_for(PublishedReport, "before_update")
def _refuse_changes(mapper, connection, report: PublishedReport) -> None:
    state = db.inspect(report)
    if any(state.attrs[name].history.has_changes() for name in FROZEN):
        raise DomainError("已发布的通报不能修改；如需更正，请另行发布。")
