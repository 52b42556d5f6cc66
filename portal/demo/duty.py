"""The demo county's reception duty: county and township leaders' slots from two weeks ago to four weeks ahead."""

from __future__ import annotations

import datetime as dt
import random

from portal.accounts.models import User
from portal.deadlines.services import work_calendar
from portal.demo.county import COUNTY_LEADERS, RECEPTION_CENTRE, TOWNSHIP_LEADERS, TOWNSHIPS
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import as_of
from portal.localtime import now as local_now


# =============================================================================================================
# Reception duty
# =============================================================================================================
def make_duty_slots(rng: random.Random) -> None:
    """Every working day from two weeks ago to four weeks ahead: one county leader at the reception centre (or on
    a field visit), and each township leader once a week at the township's 群众工作站. Slots up to three weeks
    ahead are published (well over the two days the roster rule asks); the last week is still a draft."""
    calendar, today = work_calendar(), local_now().date()
    leaders = {
        u.username: u
        for u in db.session.execute(
            db.select(User).where(User.username.in_([*COUNTY_LEADERS, *TOWNSHIP_LEADERS.values()]))
        ).scalars()
    }
    first, last = today - dt.timedelta(days=14), today + dt.timedelta(days=28)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    workdays = [d for d in days if calendar.is_workday(d)]
    rota = [name for name in COUNTY_LEADERS if name in leaders]
    with as_of(first - dt.timedelta(days=5)):
        for i, day in enumerate(workdays):
            if rota:
                _county_slot(rng, leaders[rota[i % len(rota)]], day, today)
        for town_key, username in TOWNSHIP_LEADERS.items():
            if username in leaders:
                _township_slots(rng, leaders[username], town_key, workdays, today)
        db.session.flush()


def _published(day: dt.date, today: dt.date) -> bool:
    return day <= today + dt.timedelta(days=21)


def _county_slot(rng: random.Random, leader: User, day: dt.date, today: dt.date) -> None:
    topics = COUNTY_LEADERS[leader.username][0]
    if day.weekday() == 3:  # Thursdays: 带案下访 to a township
        town = rng.choice([name for name, _ in TOWNSHIPS.values()])
        place, form, period = f"{town}群众工作站", Form.FIELD, Period.DAY
    elif rng.random() < 0.2:
        place, form, period = RECEPTION_CENTRE, Form.APPOINTMENT, rng.choice([Period.MORNING, Period.AFTERNOON])
    else:
        place, form, period = RECEPTION_CENTRE, Form.FIXED, Period.DAY
    db.session.add(
        DutySlot(
            day=day,
            period=period,
            leader=leader,
            place=place,
            form=form,
            topics=topics,
            published=_published(day, today),
        )
    )


def _township_slots(rng: random.Random, leader: User, town_key: str, workdays: list[dt.date], today: dt.date) -> None:
    town = TOWNSHIPS[town_key][0]
    weekday = {"cg": 0, "qs": 1, "lh": 2}[town_key]
    by_week: dict[tuple[int, int], list[dt.date]] = {}
    for day in workdays:
        by_week.setdefault(day.isocalendar()[:2], []).append(day)
    for week_days in by_week.values():
        day = next((d for d in week_days if d.weekday() == weekday), None)
        if day is None and len(week_days) >= 3:  # the usual day is a holiday: take the week's first working day
            day = week_days[0]
        if day is None:
            continue
        db.session.add(
            DutySlot(
                day=day,
                period=Period.MORNING,
                leader=leader,
                place=f"{town}群众工作站",
                form=Form.FIXED,
                topics=f"{town}信访稳定、矛盾纠纷排查化解",
                published=_published(day, today),
            )
        )
