"""Reading input files into text frames with headers as written and Excel row numbers.

CSV is decoded as UTF-8 (with or without BOM) or GB18030/GBK (what Chinese Excel writes), tried
strictly in that order, then charset-normalizer's guess. XLSX reads the first visible worksheet
(or a named one) with calamine, fast enough for 20,000-row registry exports. In both, title rows
above the header (as in exports from the national poverty-alleviation information system) are
skipped by finding the row that names the most contract columns. Parquet is read as is. Every
mistake becomes a ``RequestError`` naming the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from data_contracts.columns import Column
from data_contracts.errors import RequestError
from data_contracts.headers import count_matches, number_repeats

HEADER_SEARCH_ROWS = 30  # title rows above the header are looked for in this many rows


@dataclass
class RawTable:
    """A file's cells (text for CSV/XLSX) with headers as written and Excel row numbers."""

    frame: pd.DataFrame
    rows: np.ndarray  # Excel row number of each data row (header row counted)
    header_row: int  # Excel row number of the header
    encoding: str | None = None
    sheet: str | None = None
    numbers: pd.DataFrame | None = None  # XLSX: which cells were number cells (like ``frame``)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding name of a CSV file's bytes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise RequestError(
            f"{path}: cannot tell the text encoding; save it as UTF-8 or GB18030 CSV."
        )
    return str(best), best.encoding


def _header_index(rows: list[list[object]], spec: tuple[Column, ...]) -> int:
    """Index of the row naming the most contract columns (0 when none names any)."""
    scores = [count_matches([c for c in row if c is not None and c == c], spec) for row in rows]
    return int(np.argmax(scores)) if scores and max(scores) > 0 else 0


def _frame_from_grid(
    grid: pd.DataFrame, spec: tuple[Column, ...], path: Path, numbers: pd.DataFrame | None = None
) -> RawTable:
    """Cut the header and title rows off a header-less grid whose index is Excel row - 1
    (and the same cells off ``numbers``, the grid's number-cell mask)."""
    grid = grid.dropna(how="all")
    if grid.empty:
        raise RequestError(f"{path} is empty: no header and no data rows.")
    head = grid.head(HEADER_SEARCH_ROWS)
    at = _header_index(head.to_numpy().tolist(), spec)
    header_label = head.index[at]
    headers = number_repeats([str(h).strip() if h == h and h is not None else f"column {i + 1}"
                              for i, h in enumerate(grid.loc[header_label])])  # fmt: skip
    data = grid.loc[grid.index > header_label]
    data.columns = headers
    keep = [h for h in headers if not h.startswith("column ") or data[h].notna().any()]
    data = data[keep]
    if data.empty:
        raise RequestError(
            f"{path} has a header (row {header_label + 1}) but no data rows below it."
        )
    if numbers is not None:
        numbers = numbers.loc[data.index].set_axis(headers, axis=1)[keep].reset_index(drop=True)
    return RawTable(data.reset_index(drop=True), data.index.to_numpy() + 1, header_label + 1,
                    numbers=numbers)  # fmt: skip


def read_csv(path: Path, spec: tuple[Column, ...]) -> RawTable:
    """Read a CSV file, detecting its encoding and header row."""
    data = path.read_bytes()
    if not data.strip():
        raise RequestError(f"{path} is empty: no header and no data rows.")
    text, encoding = decode(data, path)
    reader = csv.reader(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        at = _header_index(list(reader), spec)
    except csv.Error as exc:  # e.g. a cell over 131,072 characters: never a registry value
        raise RequestError(
            f"{path}, row {reader.line_num}: not a readable CSV table ({exc})."
        ) from None
    try:
        body = pd.read_csv(
            io.StringIO(text), header=None, skiprows=at, dtype=str,
            keep_default_na=False, na_values=[""], skip_blank_lines=False,
        )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RequestError(f"{path}: not a readable CSV table ({exc}).") from None
    body.index = body.index + at
    table = _frame_from_grid(body, spec, path)
    table.encoding = encoding
    return table


def _first_visible(book: pd.ExcelFile, path: Path) -> str:
    """Name of the first visible worksheet: hidden sheets (old data, lookups) are never read
    unless named with ``--sheet``."""
    visible = [
        str(m.name)
        for m in book.book.sheets_metadata
        if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")
    ]
    if not visible:
        raise RequestError(f"{path} has no visible worksheet; name one with --sheet.")
    return visible[0]


def read_xlsx(path: Path, spec: tuple[Column, ...], sheet: str | None) -> RawTable:
    """Read the first (or the named) sheet of an XLSX workbook, finding the header row."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise RequestError(f"{path}: not a readable XLSX workbook ({exc}).") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise RequestError(
                f"{path} has no sheet named {sheet!r}; its sheets are: {', '.join(names)}."
            )
        chosen = sheet if sheet is not None else _first_visible(book, path)
        cells = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    # number cells are remembered: an ID Excel stored as a number has lost digits
    numbers = cells.map(lambda v: type(v) in (int, float), na_action="ignore")
    grid = cells.astype("str").where(cells.notna())
    table = _frame_from_grid(grid, spec, path, numbers.fillna(False).astype(bool))
    table.sheet = chosen
    return table


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; its column names are the headers, data starts on row 2."""
    try:
        frame = pd.read_parquet(path).reset_index(drop=True)
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise RequestError(f"{path}: not a readable Parquet file ({exc}).") from None
    if frame.empty:
        raise RequestError(f"{path} has no data rows.")
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame, np.arange(2, len(frame) + 2), 1)


def read_raw(path: str | Path, spec: tuple[Column, ...], sheet: str | None = None) -> RawTable:
    """Read any supported input file (by extension: .csv, .xlsx/.xlsm, .parquet)."""
    path = Path(path)
    if not path.is_file():
        raise RequestError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise RequestError(f"--sheet applies to XLSX workbooks only, not {path.name}.")
    if suffix == ".csv":
        return read_csv(path, spec)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, spec, sheet)
    if suffix in (".parquet", ".pq"):
        return read_parquet(path)
    if suffix == ".xls":
        raise RequestError(
            f"{path}: old .xls workbooks are not supported; save it as .xlsx in Excel."
        )
    raise RequestError(f"{path}: unsupported file type {suffix!r}; use .csv, .xlsx or .parquet.")
