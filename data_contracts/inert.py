"""Inert cells (防公式注入): values from the data never become live formulas in a spreadsheet.

Registry exports and survey returns come from many hands; a head's name ``=HYPERLINK(…)`` or a
备注 ``=WEBSERVICE(…)`` must reach the field teams' Excel as the text it is. Every writer of a
workbook or CSV file goes through this module:

- XLSX: every string is written as a text cell (never a formula or error cell), with Excel's
  quote prefix so that editing the cell keeps it text; characters a worksheet cannot hold
  (control characters, U+FFFF …) are dropped.
- CSV: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (the usual convention, OWASP "CSV injection"); numeric columns stay numbers, so a
  negative income is still a number. Lines end in CRLF, so a cell holding a carriage return is
  quoted and cannot split its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl.cell.cell import Cell
from pandas.api import types as ptypes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: characters an XLSX file (XML 1.0) cannot hold: control characters, U+FFFE, U+FFFF, surrogates
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def inert_text(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def inert_csv(table: pd.DataFrame) -> bytes:
    """``table`` as UTF-8 CSV with a BOM (what Excel expects): text cells and headers
    neutralised, numbers untouched."""
    out = table.rename(columns=inert_text)
    for i in range(out.shape[1]):
        values = out.iloc[:, i]
        if ptypes.is_object_dtype(values.dtype) or ptypes.is_string_dtype(values.dtype):
            out.isetitem(i, values.map(inert_text, na_action="ignore"))
    return ("\ufeff" + out.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append one row to ``sheet``: strings as text cells (never formula ``f`` or error ``e``)."""
    cells = []
    for value in values:
        if isinstance(value, str):
            value = NOT_IN_XML.sub("", value)
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a formula ("=…") or error code ("#N/A") stays text
            if value.startswith(FORMULA_START):
                cell.quotePrefix = True  # editing the cell in Excel keeps it text
        cells.append(cell)
    sheet.append(cells)
