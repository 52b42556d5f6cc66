"""Dispute screening (矛盾纠纷排查, DESIGN §9): each township and village files a daily report — the disputes found
that day or an explicit zero report (零报告) — and a weekly resolution report; a screened dispute is mediated locally
or becomes a case."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.accounts.models import Role, User
from portal.cases.models import Case
from portal.extensions import db, enum_column
from portal.localtime import local, utcnow
from portal.masking import mask_name
from portal.org.models import Department, Kind, Level, township_of
from portal.protection import EncryptedString

# A day's report is on time when filed on that day by this local time (日报告: before the end of the working day).
DAILY_DEADLINE = dt.time(17, 30)
REPORTING_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)
# The earliest day a page of the network is asked about; an earlier one in an address is a typing error.
EARLIEST = dt.date(2000, 1, 1)


class Risk(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return {"low": "一般", "medium": "较大", "high": "重大"}[self.value]


class DisputeKind(enum.StrEnum):
    LAND = "land"
    FAMILY = "family"
    NEIGHBOUR = "neighbour"
    WAGES = "wages"
    DEMOLITION = "demolition"
    ENVIRONMENT = "environment"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "land": "土地山林",
            "family": "婚姻家庭",
            "neighbour": "邻里纠纷",
            "wages": "劳资纠纷",
            "demolition": "征地拆迁",
            "environment": "环境污染",
            "other": "其他",
        }[self.value]


class DisputeState(enum.StrEnum):
    OPEN = "open"
    MEDIATED = "mediated"
    CASE = "case"

    @property
    def label(self) -> str:
        return {"open": "化解中", "mediated": "已调解化解", "case": "已转信访件"}[self.value]


def reporting_areas():
    """The townships and villages that must report every day, in tree order."""
    return (
        db.select(Department)
        .where(Department.active, Department.kind == Kind.LOCAL, Department.level.in_(REPORTING_LEVELS))
        .order_by(Department.level, Department.name)
    )


def reports_for(user: User, area: Department) -> bool:
    """A screening cadre files for their own township or village."""
    return getattr(user, "is_authenticated", False) and user.files_screening and user.department_id == area.id


def board_scope(user: User) -> Department | bool | None:
    """Whose reports ``user`` sees on the board: False for nobody, None for the whole county (the petition office,
    supervisors, county leaders), or the township (its own cadres and staff)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.CLERK, Role.SUPERVISOR) or (
        user.has_role(Role.LEADER) and user.department.level in (Level.COUNTY, Level.CITY)
    ):
        return None
    if user.files_screening or user.works_cases:
        township = township_of(user.department)
        return township if township is not None else False
    return False


class DailyReport(db.Model):
    __tablename__ = "screening_daily_reports"
    __table_args__ = (UniqueConstraint("area_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    zero: Mapped[bool] = mapped_column(default=False)  # 零报告: nothing new that day
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    area: Mapped[Department] = relationship(lazy="joined")
    filed_by: Mapped[User] = relationship()
    disputes: Mapped[list[Dispute]] = relationship(back_populates="report", order_by="Dispute.id")

    @property
    def on_time(self) -> bool:
        filed = local(self.filed_at)
        return filed.date() < self.day or (filed.date() == self.day and filed.time() <= DAILY_DEADLINE)


class Dispute(db.Model):
    """One screened dispute (排查出的矛盾纠纷)."""

    __tablename__ = "screening_disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("screening_daily_reports.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    party: Mapped[str] = mapped_column(EncryptedString(100))  # 当事人, encrypted at rest and masked on lists
    party_phone: Mapped[str | None] = mapped_column(EncryptedString(20))
    kind: Mapped[DisputeKind] = mapped_column(enum_column(DisputeKind))
    place: Mapped[str] = mapped_column(String(200), default="")
    risk: Mapped[Risk] = mapped_column(enum_column(Risk))
    action_taken: Mapped[str] = mapped_column(Text, default="")  # 已采取的措施
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[DisputeState] = mapped_column(enum_column(DisputeState), default=DisputeState.OPEN, index=True)
    resolved_on: Mapped[dt.date | None]
    resolution: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    report: Mapped[DailyReport] = relationship(back_populates="disputes")
    area: Mapped[Department] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship(backref=backref("screened_dispute", uselist=False))

    @property
    def masked_party(self) -> str:
        return mask_name(self.party)

    def can_view(self, user: User) -> bool:
        """The area's own cadres, and whoever sees the area on the board."""
        if reports_for(user, self.area):
            return True
        scope = board_scope(user)
        if scope is False:
            return False
        if scope is None:
            return True
        return scope.id in (self.area_id, self.area.parent_id)

    def can_settle(self, user: User) -> bool:
        """Mediate it or turn it into a case: the area's cadres, while it is open."""
        return self.state is DisputeState.OPEN and reports_for(user, self.area)


class WeeklyReport(db.Model):
    """化解工作周报告: the week's numbers frozen when filed, and the cadre's note."""

    __tablename__ = "screening_weekly_reports"
    __table_args__ = (UniqueConstraint("area_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    week_start: Mapped[dt.date]  # the Monday
    new_count: Mapped[int] = mapped_column(default=0)
    resolved_count: Mapped[int] = mapped_column(default=0)
    case_count: Mapped[int] = mapped_column(default=0)
    open_count: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    area: Mapped[Department] = relationship(lazy="joined")
    filed_by: Mapped[User] = relationship()


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
