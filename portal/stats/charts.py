"""Chart geometry for the statistics page: plain numbers the template writes into inline SVG.

Charts are drawn on the server (no JavaScript, nothing from another host). The viewBox is narrow so that text stays
legible when a phone scales the chart down; CSS lets it grow to the width of its card.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from portal.cases.models import CaseType, Channel
from portal.stats.indicators import Report

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
CHANNEL_COLOURS = {
    "letter": "#0072B2",
    "visit": "#D55E00",
    "phone": "#009E73",
    "online": "#E69F00",
    "email": "#CC79A7",
    "fax": "#56B4E9",
}
CASE_TYPE_COLOURS = {"claim": "#0072B2", "suggestion": "#009E73", "accusation": "#D55E00"}

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 42  # margins around the plot: room for the axis labels


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    values: list[int]  # one per column

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str  # the tooltip and the accessible name of this piece


@dataclass(frozen=True)
class Column:
    name: str  # 2026年3月: for the data table
    label: str  # 3: under the column (the month's number alone, so that 12 of them fit a phone at a readable size)
    sublabel: str  # 2026年 under January and under the first month
    x: float  # centre
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class StackedBars:
    heading: str  # above the chart, where the period is already shown
    title: str  # the chart's accessible name, with the period
    desc: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float  # y of the baseline
    columns: list[Column]
    ticks: list[Tick]
    series: list[Series]

    @property
    def empty(self) -> bool:
        return not any(c.total for c in self.columns)

    @property
    def label_y(self) -> float:
        return self.bottom + 17


def nice_scale(maximum: int, ticks: int = 4) -> tuple[int, int]:
    """The top of the axis and the step between gridlines: a step of 1, 2 or 5 × 10ⁿ, whole numbers only."""
    if maximum <= 0:
        return ticks, 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.ceil(maximum / step) * step, step


def monthly_stacked(
    months: list[dt.date], series: list[Series], *, heading: str, title: str, unit: str = "件"
) -> StackedBars:
    """A stacked column per month; ``series`` are drawn bottom-up in the order given."""
    plot_width, baseline = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM
    plot_height = baseline - TOP
    totals = [sum(s.values[i] for s in series) for i in range(len(months))]
    top, step = nice_scale(max(totals, default=0))
    scale = plot_height / top
    slot = plot_width / max(len(months), 1)
    bar = min(slot * 0.68, 28)

    columns = []
    for i, month in enumerate(months):
        x = LEFT + slot * i + slot / 2
        y, segments = baseline, []
        for s in series:
            value = s.values[i]
            if not value:
                continue
            height = value * scale
            y -= height
            segments.append(
                Segment(
                    round(x - bar / 2, 2),
                    round(y, 2),
                    round(bar, 2),
                    round(height, 2),
                    s.colour,
                    f"{month.year}年{month.month}月 {s.label}：{value}{unit}",
                )
            )
        # The year under January, and under the first month unless January comes right after it (two years side by
        # side would overlap at a size a phone can read; the December before a January is that year's).
        year_shown = month.month == 1 or (i == 0 and not (month.month == 12 and len(months) > 1))
        columns.append(
            Column(
                name=f"{month.year}年{month.month}月",
                label=f"{month.month}",
                sublabel=f"{month.year}年" if year_shown else "",
                x=round(x, 2),
                total=totals[i],
                segments=segments,
            )
        )

    ticks = [Tick(round(baseline - v * scale, 2), str(v)) for v in range(0, top + 1, step)]
    return StackedBars(
        heading=heading,
        title=title,
        desc=_describe(months, series, totals, unit),
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=baseline,
        columns=columns,
        ticks=ticks,
        series=series,
    )


def _describe(months: list[dt.date], series: list[Series], totals: list[int], unit: str) -> str:
    """The chart in one sentence for screen readers; the data table next to it has every number."""
    if not months:
        return "没有数据。"
    span = f"{months[0].year}年{months[0].month}月至{months[-1].year}年{months[-1].month}月"
    total = sum(totals)
    if not total:
        return f"{span}没有收到信访件。"
    parts = "、".join(f"{s.label}{s.total}{unit}" for s in series if s.total)
    peak = max(range(len(months)), key=lambda i: totals[i])
    return (
        f"{span}共{total}{unit}，其中{parts}。"
        f"最多的是{months[peak].year}年{months[peak].month}月，{totals[peak]}{unit}。"
    )


def channel_chart(report: Report) -> StackedBars:
    series = [
        Series(c.value, c.label, CHANNEL_COLOURS[c.value], [m.by_channel[c] for m in report.monthly]) for c in Channel
    ]
    heading = "各月信访量（按渠道）"
    return monthly_stacked(report.period.months, series, heading=heading, title=report.period.label + heading)


def case_type_chart(report: Report) -> StackedBars:
    series = [
        Series(t.value, t.label, CASE_TYPE_COLOURS[t.value], [m.by_case_type[t] for m in report.monthly])
        for t in CaseType
    ]
    heading = "各月信访量（按信访类型）"
    return monthly_stacked(report.period.months, series, heading=heading, title=report.period.label + heading)
