"""The legal clocks of 信访: every rule with its length, unit and source, and the calendar they count on.

Pure functions and value objects only (no Flask, no database): callers pass the admin's calendar overrides in.
Counting follows 民法典 art.201/203: a period of days starts the day after the event, and a last day that is a
rest day moves to the first working day after it. Working-day periods count only working days. A year the official
data (chinese_calendar) does not know yet counts the statutory holidays of 《全国年节及纪念日放假办法》 and their
补假; only the State Council's 调休 is unknown there, so such deadlines are provisional.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import chinese_calendar
from lunar_python import Lunar


class Unit(enum.StrEnum):
    DAYS = "days"
    WORKING_DAYS = "working_days"

    @property
    def label(self) -> str:
        return {"days": "日", "working_days": "个工作日"}[self.value]


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    length: int
    unit: Unit
    starts: str
    source: str
    petitioner_window: bool = False  # a period the petitioner may use, not a duty of staff: never "overdue"


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("accept", "受理告知", 15, Unit.DAYS, "收到信访事项之日", "《信访工作条例》第二十二条、第二十三条"),
        Rule("handle", "办理答复", 60, Unit.DAYS, "受理之日", "《信访工作条例》第三十四条"),
        Rule(
            "extend",
            "延期办理",
            30,
            Unit.DAYS,
            "原办理期限届满之日",
            "《信访工作条例》第三十四条（延长不超过三十日，限一次）",
        ),
        Rule("objection", "交办异议", 5, Unit.WORKING_DAYS, "收到交办之日", "《信访工作条例》第二十三条"),
        Rule("simple_accept", "简易受理", 3, Unit.WORKING_DAYS, "收到信访事项之日", "简易办理规定"),
        Rule("simple_handle", "简易办理答复", 10, Unit.WORKING_DAYS, "受理之日", "简易办理规定"),
        Rule(
            "review_request",
            "申请复查期限",
            30,
            Unit.DAYS,
            "收到处理意见书之日",
            "《信访工作条例》第三十五条",
            petitioner_window=True,
        ),
        Rule("review", "复查意见", 30, Unit.DAYS, "收到复查请求之日", "《信访工作条例》第三十五条"),
        Rule(
            "rereview_request",
            "申请复核期限",
            30,
            Unit.DAYS,
            "收到复查意见书之日",
            "《信访工作条例》第三十六条",
            petitioner_window=True,
        ),
        Rule(
            "rereview",
            "复核意见",
            30,
            Unit.DAYS,
            "收到复核请求之日（听证所需时间不计入）",
            "《信访工作条例》第三十六条",
        ),
        # 督办 (DESIGN §9): the department's answer to a 督办单, a 催办 notice or a 约谈; the supervisor may set
        # another number of working days on the notice.
        Rule(
            "supervision_reply",
            "督办答复",
            5,
            Unit.WORKING_DAYS,
            "督办单（催办通知、约谈）下发之日",
            "本地督查督办工作规定（督办单载明答复期限）",
        ),
        # A 不满意 case the supervisor orders handled again (衡阳市意见第16条：对评价不满意的事项逐一督查督办).
        Rule(
            "rehandle",
            "重新办理",
            30,
            Unit.DAYS,
            "督查责令重新办理之日",
            "本地督查督办工作规定（督查可另定期限）",
        ),
        Rule(
            "evaluate",
            "满意度评价期限",
            30,
            Unit.DAYS,
            "收到处理意见书之日",
            "本地工作规定（可在设置中调整）",
            petitioner_window=True,
        ),
    )
}

# chinese_calendar names its holidays in English; people read them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


# 《全国年节及纪念日放假办法》 as revised on 2024-11-10, in force from 2025-01-01: art.2 lists the holidays of the
# whole population, art.6 makes one that falls on a Saturday or Sunday up on a working day (补假). Only the State
# Council's yearly notice (调休: bridging rest days and make-up working days, art.7) cannot be computed.
STATUTORY_ACT = "《全国年节及纪念日放假办法》"
STATUTORY_SINCE = 2025  # the revision in force; earlier years are all in the official data
PROVISIONAL_NOTE = "国务院放假调休安排尚未公布"


def _lunar(year: int, month: int, day: int) -> dt.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The rest days the 办法 itself fixes for ``year``: art.2's holidays and art.6's 补假, by date, with a name.

    Empty before the revision in force (those years come from the official data). A 补假 is the first working day
    after the holiday that is neither a weekend day, a holiday, nor already another holiday's 补假. A holiday that
    falls on another one (中秋 on a 国庆 day, as in 2028) is made up the same way, as the State Council's notices
    did in 2001 and 2020, so the year keeps every holiday day the 办法 grants.
    """
    if year < STATUTORY_SINCE:
        return {}
    spring = _lunar(year, 1, 1)
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    granted = [(dt.date(year, 1, 1), "元旦")]
    granted += [(spring + dt.timedelta(days=i), "春节") for i in range(-1, 3)]  # 除夕, 正月初一至初三
    granted.append((dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay()), "清明节"))
    granted += [(dt.date(year, 5, 1), "劳动节"), (dt.date(year, 5, 2), "劳动节")]
    granted.append((_lunar(year, 5, 5), "端午节"))
    granted += [(dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    granted.append((_lunar(year, 8, 15), "中秋节"))
    days: dict[dt.date, str] = {}
    owed: list[tuple[dt.date, str]] = []
    for day, name in sorted(granted, key=lambda g: g[0]):
        if day in days:
            owed.append((day, f"{name}补假（与{days[day]}同日）"))
            continue
        days[day] = name
        if day.weekday() >= 5:
            owed.append((day, f"{name}补假"))
    for day, name in owed:
        candidate = day + dt.timedelta(days=1)
        while candidate.weekday() >= 5 or candidate in days:
            candidate += dt.timedelta(days=1)
        days[candidate] = name
    return dict(sorted(days.items()))


WINDOW_RULES = frozenset(name for name, rule in RULES.items() if rule.petitioner_window)


class UnknownRule(ValueError):
    pass


@dataclass(frozen=True)
class Day:
    """What the calendar says of one day, and why."""

    date: dt.date
    workday: bool
    reason: str  # 周末 / 国庆节 / 调休上班 / 管理员设置：… / 工作日 / 元旦（法定节假日） / 元旦补假
    source: str  # official / override / statutory (a rest day of the 办法, year without data) / weekend_only

    def __str__(self) -> str:
        return f"{self.date.isoformat()}（{self.reason}）"


@lru_cache(maxsize=64)
def official_year_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday–Friday, minus statutory holidays, plus make-up days; the admin's overrides win.

    ``overrides`` maps a date to (is_workday, note).
    """

    overrides: Mapping[dt.date, tuple[bool, str]] = field(default_factory=dict)

    def day(self, date: dt.date) -> Day:
        if date in self.overrides:
            workday, note = self.overrides[date]
            return Day(date, workday, f"管理员设置：{note or ('工作日' if workday else '休息日')}", "override")
        weekend = date.weekday() >= 5
        if not official_year_known(date.year):
            name = statutory_holidays(date.year).get(date)
            if name is not None:
                return Day(date, False, name, "statutory")
            return Day(date, not weekend, "周末" if weekend else "工作日", "weekend_only")
        on_holiday, name = chinese_calendar.get_holiday_detail(date)
        chinese = HOLIDAY_NAMES.get(name, name) if name else None
        if on_holiday:
            return Day(date, False, chinese or "周末", "official")
        if weekend:
            return Day(date, True, f"调休上班（{chinese}）" if chinese else "调休上班", "official")
        return Day(date, True, "工作日", "official")

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).workday


@dataclass(frozen=True)
class Deadline:
    """A due date that can explain itself."""

    rule: Rule
    start: dt.date  # the day of the event (receipt, acceptance, delivery …)
    length: int
    due: dt.date
    counted: list[dt.date]  # the days that counted towards the period
    skipped: list[Day]  # rest days passed over
    missing_years: list[int]  # years the official calendar does not know
    statutory: list[Day] = field(default_factory=list)  # rest days of the 办法 counted in such a year, in the span
    recomputed: dt.date | None = None  # set by keep(): today's calendar gives this earlier date

    def keep(self, told: dt.date | None) -> Deadline:
        """A petitioner's window is never shortened: a date already told that is later than this one stands."""
        if told is None or told <= self.due:
            return self
        return replace(self, due=told, recomputed=self.due)

    @property
    def first_day(self) -> dt.date:
        return self.start + dt.timedelta(days=1)

    @property
    def calendar_complete(self) -> bool:
        return not self.missing_years

    def explanation(self, *, warn: bool = True) -> str:
        unit = self.rule.unit
        text = (
            f"自{self.start.isoformat()}（{self.rule.starts}）的次日 {self.first_day.isoformat()} 起算，"
            f"期限{self.length}{unit.label}"
        )
        if unit is Unit.WORKING_DAYS:
            text += f"，只计工作日，跳过休息日{len(self.skipped)}天"
        elif self.skipped:
            text += f"；期限最后一日 {self.skipped[0].date.isoformat()} 为休息日，顺延至其后第一个工作日"
        if self.recomputed is not None:
            text += (
                f"，按更正后的日历截止 {self.recomputed.isoformat()}；已告知的期限不缩短，"
                f"仍截止 {self.due.isoformat()}。依据：{self.rule.source}。"
            )
        else:
            text += f"，截止 {self.due.isoformat()}。依据：{self.rule.source}。"
        if self.statutory:
            days = "、".join(str(d) for d in self.statutory)
            text += f"期间按{STATUTORY_ACT}第二条、第六条计为休息日的法定节假日及补假：{days}。"
        if warn and self.missing_years:
            text += self.warning()
        return text

    def warning(self) -> str:
        """What is provisional about this due date (empty when the official data covers every year it touches)."""
        if not self.missing_years:
            return ""
        years = "、".join(str(y) for y in self.missing_years)
        if all(y >= STATUTORY_SINCE for y in self.missing_years):
            return (
                f"注意：{years}年的{PROVISIONAL_NOTE}，本期限已计入{STATUTORY_ACT}规定的法定节假日及补假，"
                "尚未计入调休，为暂定期限；安排公布或管理员录入后将重新计算。"
            )
        return f"注意：{years}年的官方节假日安排尚未收录，仅按周末计算，请管理员核对。"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule.name,
            "label": self.rule.label,
            "start": self.start.isoformat(),
            "first_day": self.first_day.isoformat(),
            "length": self.length,
            "unit": self.rule.unit.value,
            "due": self.due.isoformat(),
            "skipped": [{"date": d.date.isoformat(), "reason": d.reason} for d in self.skipped],
            "source": self.rule.source,
            "calendar_complete": self.calendar_complete,
            "missing_years": self.missing_years,
            "statutory_days": [{"date": d.date.isoformat(), "reason": d.reason} for d in self.statutory],
            "explanation": self.explanation(),
        }


def get_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise UnknownRule(f"未知的期限规则“{name}”，可选：{'、'.join(RULES)}") from None


def compute(
    rule_name: str,
    start: dt.date,
    calendar: WorkCalendar | None = None,
    *,
    length: int | None = None,
    paused_days: int = 0,
) -> Deadline:
    """The due date of ``rule_name`` for an event on ``start``.

    ``length`` overrides the rule's length (an extension shorter than 30 days, a configured evaluation window);
    ``paused_days`` are calendar days that do not count (a re-review hearing).
    """
    rule = get_rule(rule_name)
    calendar = calendar or WorkCalendar()
    n = rule.length if length is None else length
    if n < 0:
        raise ValueError("期限长度不能为负数")
    if rule.unit is Unit.DAYS:
        counted, skipped, due = _count_days(start, n + paused_days, calendar)
    else:
        counted, skipped, due = _count_working_days(start, n, calendar)
    years = sorted({d.year for d in [start, due]} | {d.year for d in counted})
    missing = [y for y in years if not official_year_known(y)]
    span = (calendar.day(start + dt.timedelta(days=i)) for i in range(1, (due - start).days + 1)) if missing else ()
    statutory = [day for day in span if day.source == "statutory"]
    return Deadline(rule, start, n, due, counted, skipped, missing, statutory)


def _count_days(start: dt.date, n: int, calendar: WorkCalendar):
    counted = [start + dt.timedelta(days=i) for i in range(1, n + 1)]
    last = counted[-1] if counted else start
    skipped: list[Day] = []
    due = last
    while not (day := calendar.day(due)).workday:
        skipped.append(day)
        due += dt.timedelta(days=1)
    return counted, skipped, due


def _count_working_days(start: dt.date, n: int, calendar: WorkCalendar):
    counted: list[dt.date] = []
    skipped: list[Day] = []
    current = start
    while len(counted) < n:
        current += dt.timedelta(days=1)
        day = calendar.day(current)
        if day.workday:
            counted.append(current)
        else:
            skipped.append(day)
    return counted, skipped, current


def add_working_days(start: dt.date, n: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself when ``n`` is 0)."""
    return _count_working_days(start, n, calendar or WorkCalendar())[2] if n else start


def working_days_between(start: dt.date, end: dt.date, calendar: WorkCalendar | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``)."""
    calendar = calendar or WorkCalendar()
    sign = 1 if end >= start else -1
    lo, hi = (start, end) if sign == 1 else (end, start)
    days = sum(1 for i in range(1, (hi - lo).days + 1) if calendar.is_workday(lo + dt.timedelta(days=i)))
    return sign * days
