"""What the staff roster pages show: a month's days with their slots and coverage, the leaders' quotas, pending
swaps. Read-only queries; the changes are in ``portal.duty.roster``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from portal.accounts.models import Role, User
from portal.deadlines.clock import Day, WorkCalendar
from portal.deadlines.services import work_calendar
from portal.duty import quotas
from portal.duty.models import DutySlot, SpecialPeriod, SwapRequest, SwapState
from portal.duty.roster import rest_reason
from portal.extensions import db
from portal.localtime import today
from portal.settings.models import get_setting

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None, default: dt.date | None = None) -> Month:
        """``2026-12`` → Month; None or "" → the month of ``default`` (today). Raises ValueError otherwise."""
        if not text:
            day = default or today()
            return cls(day.year, day.month)
        year, sep, month = text.partition("-")
        if not (sep and len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
            raise ValueError(text)
        value = cls(int(year), int(month))
        if not (1 <= value.month <= 12 and 1900 <= value.year <= 9998):
            raise ValueError(text)
        return value

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.next.first - ONE_DAY

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def grid_start(self) -> dt.date:
        """The Monday on or before the first."""
        return self.first - dt.timedelta(days=self.first.weekday())

    @property
    def grid_end(self) -> dt.date:
        """The Sunday on or after the last."""
        return self.last + dt.timedelta(days=6 - self.last.weekday())


# --- days --------------------------------------------------------------------------------------------------------
@dataclass
class DayView:
    """One day as the roster shows it."""

    date: dt.date
    info: Day  # working day or not, and why
    in_month: bool
    slots: list[DutySlot] = field(default_factory=list)  # cancelled ones too, in roster order
    uncovered: quotas.UncoveredDay | None = None
    specials: tuple[str, ...] = ()  # special periods that include the day

    @property
    def rest(self) -> bool:
        return not self.info.workday

    @property
    def is_today(self) -> bool:
        return self.date == today()

    @property
    def past(self) -> bool:
        return self.date < today()

    @property
    def dom_id(self) -> str:
        return f"day-{self.date.isoformat()}"

    @property
    def tag(self) -> str | None:
        """What marks the day besides its weekday: 国庆节 / 调休上班 / an admin's note; None for an ordinary
        weekday or weekend (the column, and the grey of a rest day, say that already)."""
        if self.info.workday:
            return (
                "调休上班"
                if self.date.weekday() >= 5
                else (rest_reason(self.info) if self.info.source == "override" else None)
            )
        return None if self.info.reason == "周末" else rest_reason(self.info)


def slots_between(
    start: dt.date, end: dt.date, *, leader_id: int | None = None, include_cancelled: bool = True
) -> list[DutySlot]:
    """Every slot (drafts too) from ``start`` to ``end`` in roster order, with leader, department and the first
    leader of a swap loaded in the same query, and the swap requests with their substitutes in one more (the marks
    and ``can_ask_swap`` read them)."""
    original = db.aliased(User)
    query = (
        db.select(DutySlot)
        .join(DutySlot.leader)
        .join(User.department)
        .outerjoin(original, DutySlot.original_leader)
        .options(
            contains_eager(DutySlot.leader).contains_eager(User.department),
            contains_eager(DutySlot.original_leader.of_type(original)),
            lazyload(DutySlot.leader, User.role_rows),
            lazyload(DutySlot.original_leader.of_type(original), original.role_rows),
            selectinload(DutySlot.swaps).selectinload(SwapRequest.substitute),
        )
        .where(DutySlot.day >= start, DutySlot.day <= end)
        .order_by(DutySlot.day, DutySlot.period_rank(), User.name, DutySlot.id)
    )
    if leader_id is not None:
        query = query.where(DutySlot.leader_id == leader_id)
    if not include_cancelled:
        query = query.where(DutySlot.cancelled.is_(False))
    return list(db.session.scalars(query).unique())


def special_periods_between(start: dt.date, end: dt.date) -> list[SpecialPeriod]:
    return list(
        db.session.scalars(
            db.select(SpecialPeriod)
            .where(SpecialPeriod.starts_on <= end, SpecialPeriod.ends_on >= start)
            .order_by(SpecialPeriod.starts_on, SpecialPeriod.id)
        )
    )


def day_views(
    start: dt.date, end: dt.date, *, month: Month | None = None, calendar: WorkCalendar | None = None
) -> list[DayView]:
    calendar = calendar or work_calendar()
    slots = slots_between(start, end)
    specials = special_periods_between(start, end)
    by_day: dict[dt.date, list[DutySlot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.day].append(slot)
    uncovered = {u.day: u for u in quotas.uncovered_days(slots, start, end, calendar=calendar, specials=specials)}
    views = []
    day = start
    while day <= end:
        views.append(
            DayView(
                date=day,
                info=calendar.day(day),
                in_month=month is None or Month.of(day) == month,
                slots=by_day.get(day, []),
                uncovered=uncovered.get(day),
                specials=tuple(s.name for s in specials if s.starts_on <= day <= s.ends_on),
            )
        )
        day += ONE_DAY
    return views


def one_day(day: dt.date, month: Month | None = None) -> DayView:
    return day_views(day, day, month=month or Month.of(day))[0]


def weeks(month: Month, calendar: WorkCalendar | None = None) -> list[list[DayView]]:
    """The month as Monday-to-Sunday rows, with the neighbouring months' days that fill the first and last row."""
    days = day_views(month.grid_start, month.grid_end, month=month, calendar=calendar)
    return [days[i : i + 7] for i in range(0, len(days), 7)]


# --- quotas ------------------------------------------------------------------------------------------------------
def active_leaders() -> list[User]:
    """Active leaders by name, with their departments (for the level)."""
    return list(
        db.session.scalars(
            db.select(User)
            .options(joinedload(User.department))
            .where(User.active, User.role_rows.any(role=Role.LEADER))
            .order_by(User.name, User.id)
        )
    )


def quota_settings() -> quotas.Quotas:
    return quotas.Quotas(
        city_days_per_quarter=get_setting("quota_city_days_per_quarter"),
        county_days_per_month=get_setting("quota_county_days_per_month"),
        township_days_per_week=get_setting("quota_township_days_per_week"),
    )


@dataclass(frozen=True)
class QuotaRow:
    user: User
    quota: quotas.LeaderQuota


def quota_board(month: Month, calendar: WorkCalendar | None = None) -> list[QuotaRow]:
    """Each active leader's quota periods overlapping ``month``: days on duty vs quota."""
    calendar = calendar or work_calendar()
    leaders = active_leaders()
    span = quotas.quota_span(month.first, month.last)
    # Rows carry .leader_id and .day, all the counting reads.
    duties = db.session.execute(
        db.select(DutySlot.leader_id, DutySlot.day).where(
            DutySlot.cancelled.is_(False), DutySlot.day >= span[0], DutySlot.day <= span[1]
        )
    ).all()
    plain = [quotas.Leader(u.id, u.name, u.department.level) for u in leaders]
    results = quotas.leader_quotas(plain, duties, month.first, month.last, quotas=quota_settings(), calendar=calendar)
    return [QuotaRow(user, result) for user, result in zip(leaders, results, strict=True)]


# --- swaps -------------------------------------------------------------------------------------------------------
def pending_swaps_for(user: User, *, all_of_them: bool = False) -> list[SwapRequest]:
    """Swap requests waiting for ``user`` to answer (as the substitute); a clerk's view passes ``all_of_them``."""
    query = (
        db.select(SwapRequest)
        .join(SwapRequest.slot)
        .options(
            contains_eager(SwapRequest.slot).joinedload(DutySlot.leader),
            joinedload(SwapRequest.requested_by),
            joinedload(SwapRequest.substitute),
        )
        .where(SwapRequest.state == SwapState.REQUESTED, DutySlot.cancelled.is_(False), DutySlot.day >= today())
        .order_by(DutySlot.day, SwapRequest.id)
    )
    if not all_of_them:
        query = query.where(SwapRequest.substitute_id == user.id)
    return list(db.session.scalars(query).unique())


def swaps_asked_by(user: User, *, since: dt.date | None = None) -> list[SwapRequest]:
    """The user's own requests for slots from ``since`` (default today), newest first."""
    since = since or today()
    return list(
        db.session.scalars(
            db.select(SwapRequest)
            .join(SwapRequest.slot)
            .options(contains_eager(SwapRequest.slot), joinedload(SwapRequest.substitute))
            .where(SwapRequest.requested_by_id == user.id, DutySlot.day >= since)
            .order_by(SwapRequest.created_at.desc(), SwapRequest.id.desc())
        ).unique()
    )


def recent_places(limit: int = 12) -> list[str]:
    """Places used lately, most recent first: offered while typing a slot's place."""
    latest = db.func.max(DutySlot.id)
    rows = db.session.execute(
        db.select(DutySlot.place, latest).group_by(DutySlot.place).order_by(latest.desc()).limit(limit)
    )
    return [place for place, _ in rows]
