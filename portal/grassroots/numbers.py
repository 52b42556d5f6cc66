"""Numbers of the grassroots network, per township and village, for a period (one implementation; the staff page
and the 形象测评 table read these).

Definitions (a matter counts in the period of its 收到日期; a village's numbers include its groups; a township's
row is its own plus its villages'):
- 代理受理: matters registered by agents of the area.
- 村级化解 / 乡级化解: of those, settled by local mediation (本级调处) at a village or group / at the township.
- 代言代访: of those, carried up as a case.
- 越级信访: cases received in the period marked 越级 whose 问题属地 is the village (or one of its groups) or the
  township; a case registered before 问题属地 was recorded is placed by its 问题发生地 text.
- 日报告及时率: daily screening reports filed on time ÷ report days due (portal.screening.queries.punctuality).
- 代理员评议满意率: (满意 + 基本满意) ÷ villagers' ratings given at 反馈结果.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import load_only

from portal.agents.models import AgentMatter, DepartmentRating, period_label, period_of
from portal.cases.models import Case, Rating
from portal.extensions import db
from portal.org.models import Department, Kind, Level
from portal.screening.models import board_scope
from portal.screening.queries import punctuality


@dataclass
class AreaNumbers:
    area: Department
    township: bool
    received: int = 0
    settled_village: int = 0
    settled_township: int = 0
    carried_up: int = 0
    skipped_level: int = 0
    reports_on_time: int = 0
    reports_due: int = 0
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意
    villages: list[AreaNumbers] = field(default_factory=list)

    @property
    def punctuality(self) -> float | None:
        return self.reports_on_time / self.reports_due if self.reports_due else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    def add(self, other: AreaNumbers) -> None:
        for name in (
            "received",
            "settled_village",
            "settled_township",
            "carried_up",
            "skipped_level",
            "reports_on_time",
            "reports_due",
            "rated",
            "satisfied",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def short_name(area: Department) -> str:
    """青石村村民委员会 → 青石村, 青石镇人民政府 → 青石镇: how a place is written in a case's 问题发生地."""
    for suffix in ("村民委员会", "居民委员会", "人民政府"):
        if area.name.endswith(suffix):
            return area.name[: -len(suffix)]
    return area.name


def area_numbers(start: dt.date, end: dt.date, now: dt.datetime) -> list[AreaNumbers]:
    """One row per township (totals) with its villages, for matters and cases received from ``start`` to ``end``."""
    local = db.session.execute(
        db.select(Department).where(Department.kind == Kind.LOCAL, Department.active).order_by(Department.name)
    ).scalars()
    local = list(local)
    townships = [d for d in local if d.level is Level.TOWNSHIP]
    villages = [d for d in local if d.level is Level.VILLAGE]
    own: dict[int, AreaNumbers] = {d.id: AreaNumbers(d, d.level is Level.TOWNSHIP) for d in townships + villages}
    # A group's matters count for its village.
    home = {d.id: d.id for d in townships + villages}
    home.update({d.id: d.parent_id for d in local if d.level is Level.GROUP and d.parent_id in own})

    # Only the columns counted: the matters' personal data (encrypted) is neither decrypted nor read.
    counted = (AgentMatter.area_id, AgentMatter.mediated_on, AgentMatter.case_id, AgentMatter.villager_rating)
    matters = db.session.execute(
        db.select(AgentMatter)
        .options(load_only(*counted))
        .where(AgentMatter.received_on >= start, AgentMatter.received_on <= end)
    ).scalars()
    for m in matters:
        row = own.get(home.get(m.area_id))
        if row is None:
            continue
        row.received += 1
        if m.settled_level == "village":
            row.settled_village += 1
        elif m.settled_level == "township":
            row.settled_township += 1
        if m.case_id is not None:
            row.carried_up += 1
        if m.villager_rating is not None:
            row.rated += 1
            row.satisfied += m.villager_rating in (Rating.SATISFIED, Rating.BASICALLY)

    # 越级: by the case's 问题属地 (the area chosen at registration, a group counting for its village); a case
    # registered before the area was recorded is placed by its 问题发生地 text instead.
    # Counted in SQL by area and text: a year's 越级 cases share a few of each, and fetching every case's place to
    # match it against every area in Python cost the dashboard most of its ~65 ms at a million cases.
    skipped = db.session.execute(
        db.select(Case.place_area_id, Case.place, db.func.count())
        .where(Case.skipped_level, Case.received_on >= start, Case.received_on <= end)
        .group_by(Case.place_area_id, Case.place)
    ).all()
    by_text: Counter[str] = Counter()
    for area_id, place, n in skipped:
        if area_id is None:
            by_text[place or ""] += n
        elif (row := own.get(home.get(area_id))) is not None:
            row.skipped_level += n
    names = {d.id: short_name(d) for d in townships + villages}
    for row in own.values():
        name = names[row.area.id]
        if row.township:
            # Counted at the village when the place names one; the township's own count is the rest.
            mine = [names[v.id] for v in villages if v.parent_id == row.area.id]
            row.skipped_level += sum(n for p, n in by_text.items() if name in p and not any(v in p for v in mine))
        else:
            row.skipped_level += sum(n for p, n in by_text.items() if name and name in p)

    for area_id, (on_time, due) in punctuality(list(own), start, end, now).items():
        own[area_id].reports_on_time, own[area_id].reports_due = on_time, due

    result = []
    for township in townships:
        total = AreaNumbers(township, True)
        total.add(own[township.id])
        for village in villages:
            if village.parent_id == township.id:
                total.villages.append(own[village.id])
                total.add(own[village.id])
        result.append(total)
    return result


def can_see_numbers(user) -> bool:
    """Staff who work cases at the county (the whole county) or in a township (its own villages)."""
    return bool(getattr(user, "works_cases", False)) and board_scope(user) is not False


def numbers_in_scope(scope: Department | None, start: dt.date, end: dt.date, now: dt.datetime) -> list[AreaNumbers]:
    """``area_numbers`` as a viewer sees them: the whole county (``scope`` None) or their own township."""
    rows = area_numbers(start, end, now)
    return rows if scope is None else [r for r in rows if r.area.id == scope.id]


def half_years(start: dt.date, end: dt.date) -> list[str]:
    """The rating periods (half-years, ``period_of``) a span of days touches, in order."""
    periods, day = [], start
    while day <= end:
        periods.append(period_of(day))
        day = dt.date(day.year, 7, 1) if day.month <= 6 else dt.date(day.year + 1, 1, 1)
    return periods


@dataclass(frozen=True)
class ImageRow:
    """形象测评: one department in one half-year."""

    department: Department
    period: str
    satisfied: int
    basically: int
    unsatisfied: int

    @property
    def count(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def rate(self) -> float:
        return (self.satisfied + self.basically) / self.count

    @property
    def period_label(self) -> str:
        return period_label(self.period)


def image_ratings(period: str | None = None) -> list[ImageRow]:
    """部门单位信访工作形象测评: agents' ratings per department and half-year, best 满意率 first."""
    stmt = db.select(DepartmentRating)
    if period:
        stmt = stmt.filter_by(period=period)
    tally: dict[tuple[int, str], dict] = {}
    for r in db.session.execute(stmt).scalars():
        entry = tally.setdefault(
            (r.department_id, r.period),
            {"department": r.department, Rating.SATISFIED: 0, Rating.BASICALLY: 0, Rating.UNSATISFIED: 0},
        )
        entry[r.rating] += 1
    rows = [
        ImageRow(e["department"], p, e[Rating.SATISFIED], e[Rating.BASICALLY], e[Rating.UNSATISFIED])
        for (_, p), e in tally.items()
    ]
    return sorted(rows, key=lambda r: (r.period, r.rate, r.count), reverse=True)
