"""A ledger as an Excel workbook (openpyxl): the page's columns and a few more, real dates, a notes sheet. Every
cell goes in through ``portal.exports``, so a petitioner's title is text, never a formula."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.exports import append_row
from portal.ledgers.queries import Ledger, LedgerRow

MAX_ROWS = 10_000
DATE_FORMAT = "yyyy-mm-dd"


def _days_left(row: LedgerRow, today: dt.date):
    left = row.days_left(today)
    if left is not None:
        return left
    if row.case.due_date is not None and row.case.clock_is_window:
        return "信访人申请期"  # the petitioner's window: not a staff deadline, never overdue
    return None


# header → value of a row; the first eight are the page's columns, in the page's order.
COLUMNS: list[tuple[str, Callable[[LedgerRow, dt.date], object]]] = [
    ("编号", lambda r, t: r.case.tracking_code),
    ("标题", lambda r, t: r.case.title),
    ("责任单位", lambda r, t: r.case.department.name if r.case.department else None),
    ("包案领导", lambda r, t: r.case.owner_leader.name if r.case.owner_leader else None),
    ("阶段", lambda r, t: r.case.status.label),
    ("期限", lambda r, t: r.case.due_date),
    ("剩余天数", _days_left),
    ("清单进度", lambda r, t: r.progress if r.required else None),
    ("收到日期", lambda r, t: r.case.received_on),
    ("渠道", lambda r, t: r.case.channel.label),
    ("信访类型", lambda r, t: r.case.case_type.label),
]
MAX_WIDTH = 48


def _width(value) -> int:
    """Display width: a Chinese character takes two columns."""
    if isinstance(value, dt.date):
        return 10
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def workbook(
    ledger: Ledger, rows: list[LedgerRow], today: dt.date, *, notes: list[tuple[str, str]], viewer=None
) -> BytesIO:
    """``viewer``: the exporter; a sealed case they may not read (条例 art.30) carries no title."""
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.title  # ≤ 31 characters, none of []:*?/\
    append_row(ws, [header for header, _ in COLUMNS])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
        cell.alignment = Alignment(vertical="center")
    widths = [_width(header) for header, _ in COLUMNS]
    red = Font(color="B3261E", bold=True)
    date_columns = [i for i, (header, _) in enumerate(COLUMNS, start=1) if header in ("期限", "收到日期")]
    days_column = [header for header, _ in COLUMNS].index("剩余天数") + 1
    for number, row in enumerate(rows, start=2):
        values = [get(row, today) for _, get in COLUMNS]
        if viewer is not None:
            values[1] = row.case.title_for(viewer)
        append_row(ws, values)
        for i, value in enumerate(values):
            if value is not None:
                widths[i] = max(widths[i], _width(value))
        # ws.cell(), not ws.max_row: max_row scans every cell, which made 10,000 rows take minutes.
        for column in date_columns:
            ws.cell(row=number, column=column).number_format = DATE_FORMAT
        left = ws.cell(row=number, column=days_column)
        if isinstance(left.value, int) and left.value < 0:
            left.font = red
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH) + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"

    info = wb.create_sheet("导出说明")
    for label, value in notes:
        append_row(info, [label, value])
    for cell in info["A"]:
        cell.font = bold
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 70

    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out
