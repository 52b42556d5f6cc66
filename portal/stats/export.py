"""Indicator tables as Excel workbooks (openpyxl): the staff dashboard's export, and the sheets the reports reuse.
Every cell goes in through ``portal.exports``; rates are real numbers formatted as percentages."""

from __future__ import annotations

import unicodedata
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal.exports import append_row
from portal.stats.indicators import INDICATORS

PERCENT = "0.0%"
MAX_WIDTH = 40


def _width(value) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value if value is not None else ""))


def table(ws: Worksheet, headers: list[str], rows: list[list], *, percent_columns: tuple[int, ...] = ()) -> None:
    """A header row in bold and the rows below; ``percent_columns`` (0-based) hold rates (None stays empty)."""
    append_row(ws, headers)
    bold = Font(bold=True)
    for cell in ws[ws.max_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
    first = ws.max_row + 1
    widths = [_width(h) for h in headers]
    for row in rows:
        append_row(ws, row)
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value) if not isinstance(value, float) else 6)
    for column in percent_columns:
        for number in range(first, first + len(rows)):
            ws.cell(row=number, column=column + 1).number_format = PERCENT
    for i, width in enumerate(widths, start=1):
        current = ws.column_dimensions[get_column_letter(i)].width or 0
        ws.column_dimensions[get_column_letter(i)].width = max(current, min(width, MAX_WIDTH) + 2)


def notes_sheet(wb: Workbook, notes: list[tuple[str, str]], title: str = "导出说明") -> None:
    info = wb.create_sheet(title)
    for label, value in notes:
        append_row(info, [label, value])
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 80


def save(wb: Workbook) -> BytesIO:
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def indicator_rows(rows, indicators) -> list[list]:
    """[label, received, rate, numerator, denominator, …] per row of (label, Counts)."""
    out = []
    for label, counts in rows:
        values = [label, counts.received]
        for i in indicators:
            values += [counts.rate(i), getattr(counts, i.numerator), getattr(counts, i.denominator)]
        out.append(values)
    return out


def indicator_headers(first: str, indicators) -> tuple[list[str], tuple[int, ...]]:
    headers, percent = [first, "登记件数"], []
    for i in indicators:
        percent.append(len(headers))
        headers += [i.label, f"{i.label}·分子", f"{i.label}·分母"]
    return headers, tuple(percent)


def dashboard_workbook(board, notes: list[tuple[str, str]]) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = f"按{board.dimension.label}"
    headers, percent = indicator_headers(board.dimension.label, board.indicators)
    rows = [(r.label, r.counts) for r in board.rows] + [("合计", board.overall)]
    table(ws, headers, indicator_rows(rows, board.indicators), percent_columns=percent)
    ws.freeze_panes = "B2"
    months = wb.create_sheet("按月趋势")
    headers, percent = indicator_headers("月份", INDICATORS)
    table(
        months,
        headers,
        indicator_rows([(f"{m:%Y-%m}", c) for m, c in board.months], INDICATORS),
        percent_columns=percent,
    )
    notes_sheet(wb, notes)
    return save(wb)
