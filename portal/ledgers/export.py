"""A ledger as an Excel workbook (openpyxl): the page's columns and a few more, real dates, a notes sheet. Every
cell goes in through ``portal.exports``, so a petitioner's title is text, never a formula."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.exports import text_cell
from portal.ledgers.queries import Ledger, LedgerRow

MAX_ROWS = 100_000
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


def _placed(cell: Cell, row: int, column: int) -> Cell:
    # A streamed sheet takes ready cells only when they know their place (openpyxl names it in its checks).
    cell.row, cell.column = row, column
    return cell


# Set before the first row (a streamed sheet cannot go back): about what the widest usual value needs.
WIDTHS = [20, MAX_WIDTH, 24, 10, 12, 12, 14, 10, 12, 8, 12]


def workbook(
    ledger: Ledger,
    rows: Iterable[LedgerRow],
    today: dt.date,
    *,
    notes: Callable[[int], list[tuple[str, str]]],
    viewer=None,
) -> tuple[IO[bytes], int]:
    """The workbook of ``rows`` in a temporary file, and how many rows it holds. Streamed (openpyxl's write-only
    mode): each row goes to disk as it comes, so memory stays flat however many rows the ledger exports.
    ``notes(n)`` gives the notes sheet once the rows are counted. ``viewer``: the exporter; a sealed case they may
    not read (条例 art.30) carries no title (``LedgerRow.title`` when the query decided it, else ``title_for``)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(ledger.title)  # ≤ 31 characters, none of []:*?/\
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for i, (title, _) in enumerate(COLUMNS, start=1):
        cell = _placed(text_cell(ws, title), 1, i)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EEF0F3")
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    red = Font(color="B3261E", bold=True)
    date_columns = {i for i, (title, _) in enumerate(COLUMNS) if title in ("期限", "收到日期")}
    days_column = [title for title, _ in COLUMNS].index("剩余天数")
    count = 0
    for row in rows:
        values = [get(row, today) for _, get in COLUMNS]
        if row.title is not None:
            values[1] = row.title
        elif viewer is not None:
            values[1] = row.case.title_for(viewer)
        cells = []
        for i, value in enumerate(values):
            cell = _placed(text_cell(ws, value) if isinstance(value, str) else Cell(ws, value=value), count + 2, i + 1)
            if i in date_columns and value is not None:
                cell.number_format = DATE_FORMAT
            if i == days_column and isinstance(value, int) and value < 0:
                cell.font = red
            cells.append(cell)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"

    info = wb.create_sheet("导出说明")
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 70
    for number, (label, value) in enumerate(notes(count), start=1):
        name = _placed(text_cell(info, label), number, 1)
        name.font = bold
        info.append([name, _placed(text_cell(info, value), number, 2)])

    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    wb.save(out)
    out.seek(0)
    return out, count
