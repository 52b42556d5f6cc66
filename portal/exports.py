"""What every spreadsheet export shares (ledgers, the audit trail, reports): petitioners' and staff's text goes
into a workbook as text, never as a formula, and without the characters XML cannot carry — so no input can arm a
workbook (``=HYPERLINK(…)``) or break it (a vertical tab made openpyxl refuse the whole export)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# XML 1.0 ``Char``: tab, newline, carriage return, and U+0020 … U+10FFFF without the surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What spreadsheet programs take as the start of a formula (OWASP "CSV injection"), also after a paste or an edit.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def clean_text(value: str) -> str:
    """``value`` without the characters an XML document cannot hold (control characters other than tab, newline
    and carriage return; lone surrogates; U+FFFE and U+FFFF)."""
    return _NOT_XML.sub("", value)


def text_cell(ws: Worksheet, value: str) -> Cell:
    """A string cell holding ``value`` for ``ws``. A value that a spreadsheet would read as a formula also gets the
    quote prefix (what a typed leading apostrophe does), so it stays text after the cell is edited."""
    cell = Cell(ws, value=clean_text(value))
    cell.data_type = "s"  # openpyxl makes a string starting with "=" a formula; this one never is
    if cell.value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet, values: Iterable[object]) -> None:
    """``ws.append(values)`` where every string is a ``text_cell``; numbers, dates and None go in as they are."""
    ws.append([text_cell(ws, v) if isinstance(v, str) else v for v in values])
