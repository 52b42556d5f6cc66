"""The auditor's view of the trail: one statement for the page and its export, built from the filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.audit import labels
from portal.audit.models import AuditLog
from portal.cases.codes import normalise_tracking_code
from portal.cases.models import Case
from portal.extensions import db
from portal.localtime import CST

PER_PAGE = 50
MAX_PAGE = 10_000  # a larger number reads as the last allowed: the offset stays a number every database takes


def _utc(day: dt.date) -> dt.datetime | None:
    """Midnight of a day in China, as the naive UTC the rows are stored in; None at the ends of the calendar (the
    first day of year 1 has no UTC midnight before it, the last no day after it): no bound there."""
    try:
        return dt.datetime.combine(day, dt.time(), CST).astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        return None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def statement(filters: dict):
    """The rows the filters select, newest first. ``person`` matches the name or the username (the row keeps
    "name（username）" as it was at the time); ``case`` a tracking code: the case's own rows and every row that names
    it (replies, attachments, reads); ``action`` one action, ``words`` the actions whose Chinese name holds them."""
    stmt = db.select(AuditLog).order_by(AuditLog.id.desc())
    if person := filters.get("person"):
        stmt = stmt.where(AuditLog.actor_name.like(_like(person), escape="\\"))
    if code := filters.get("case"):
        code = normalise_tracking_code(code)
        case_id = db.session.execute(db.select(Case.id).where(Case.tracking_code == code)).scalar()
        names_it = AuditLog.detail["tracking_code"].as_string() == code
        if case_id is not None:
            own = db.and_(AuditLog.object_type == Case.__tablename__, AuditLog.object_id == case_id)
            names_it = db.or_(names_it, own)
        stmt = stmt.where(names_it)
    if action := filters.get("action"):
        stmt = stmt.where(AuditLog.action == action)
    if words := filters.get("words"):
        stmt = stmt.where(AuditLog.action.in_(labels.matching(words)))
    if (success := filters.get("success")) in ("0", "1"):
        stmt = stmt.where(AuditLog.success.is_(success == "1"))
    if (day := filters.get("date_from")) and (start := _utc(day)):
        stmt = stmt.where(AuditLog.at >= start)
    if (day := filters.get("date_to")) and day < dt.date.max and (end := _utc(day + dt.timedelta(days=1))):
        stmt = stmt.where(AuditLog.at < end)
    return stmt


@dataclass(frozen=True)
class Page:
    """One page, with one row more fetched to know whether another follows (no count over the whole trail)."""

    items: list[AuditLog]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def page_number(value) -> int:
    try:
        number = int(str(value or "1").strip()[:12])
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def fetch_page(filters: dict, page: int) -> Page:
    stmt = statement(filters).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    rows = list(db.session.execute(stmt).scalars())
    return Page(rows[:PER_PAGE], page, len(rows) > PER_PAGE)
