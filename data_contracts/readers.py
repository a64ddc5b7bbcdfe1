"""Reading input files into text frames with headers as written and Excel row numbers.

A file is first judged by its bytes, not its name (:mod:`data_contracts.sniffing`): an Excel
workbook renamed ``.csv``, a password-protected workbook, an old ``.xls`` or a web page gets a
message saying what to do. Then it is checked against the resource limits
(:mod:`data_contracts.limits`) before any parser sees it, so a zip bomb, a shared-string bomb, a
sheet spanning A1:XFD1048576 or a CSV of 100,000 columns is refused (``RequestError``, exit 2)
in well under a second instead of taking gigabytes.

CSV (also ``.txt``/``.tsv``) is decoded by its byte-order mark (UTF-8, UTF-16, UTF-32), as
UTF-16 without one when its zero bytes say so, else as UTF-8 or GB18030/GBK (what Chinese Excel
writes), then charset-normalizer's guess; its separator (comma, tab, semicolon or bar) is the one
under which the header names the most contract columns. XLSX reads the first visible worksheet
(or a named one) with calamine, fast enough for 20,000-row registry exports; a first sheet that is
empty or names none of the contract's columns (a cover sheet) is refused with the workbook's
sheets and the one to name with ``--sheet``; rows hidden in Excel are read and reported. In both,
title rows above the header (as in exports from the national poverty-alleviation information
system) are skipped by finding the row that names the most contract columns. Parquet is read as
is. Every mistake becomes a ``RequestError`` naming the file.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from data_contracts.columns import Column
from data_contracts.errors import RequestError
from data_contracts.headers import count_matches, number_repeats
from data_contracts.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_TEXT_BYTES,
    MAX_XLSX_BYTES,
    megabytes,
    some,
)
from data_contracts.sniffing import (
    SEPARATORS,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    decode,
    refuse_disguised,
    sniff,
    text_instead_of_binary,
)
from data_contracts.xlsx_scan import SheetExtent, WorkbookScan, scan_workbook

HEADER_SEARCH_ROWS = 30  # title rows above the header are looked for in this many rows
MAX_PROBED_SHEETS = 20  # sheets looked into for the table when the first one is a cover
MAX_HEADER_CHARS = 200  # a longer cell is never a column's header
_BREAK = re.compile(r"\r\n|\r|\n")

__all__ = ["HEADER_SEARCH_ROWS", "RawTable", "decode", "read_raw"]


@dataclass
class RawTable:
    """A file's cells (text for CSV/XLSX) with headers as written and Excel row numbers."""

    frame: pd.DataFrame
    rows: np.ndarray  # Excel row number of each data row (header row counted)
    header_row: int  # Excel row number of the header
    encoding: str | None = None
    sheet: str | None = None
    numbers: pd.DataFrame | None = None  # XLSX: which cells were number cells (like ``frame``)
    separator: str | None = None  # CSV: the separator the table was read with
    hidden_rows: list[int] = field(default_factory=list)  # XLSX: data rows hidden in Excel


def _header_index(rows: list[list[object]], spec: tuple[Column, ...]) -> int:
    """Index of the row naming the most contract columns (0 when none names any)."""
    scores = [count_matches([c for c in row if c is not None and c == c], spec) for row in rows]
    return int(np.argmax(scores)) if scores and max(scores) > 0 else 0


def _check_cell_sizes(data: pd.DataFrame, rows: np.ndarray, path: Path) -> None:
    """Refuse a cell longer than Excel can hold (never a registry value)."""
    for header in data.columns:
        lengths = data[header].astype("str").str.len().where(data[header].notna())
        if lengths.max() > MAX_CELL_CHARS:
            at = int(np.argmax(lengths.fillna(0).to_numpy()))
            raise RequestError(
                f"{path}, row {rows[at]}, column {str(header)[:40]}: a cell of "
                f"{int(lengths.iloc[at]):,} characters; the limit is {MAX_CELL_CHARS:,} (no "
                "Excel cell holds more) — refused. Correct that cell and try again."
            )


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
    for cell in grid.loc[header_label]:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise RequestError(
                f"{path}, row {header_label + 1}: a header of {len(cell):,} characters; the "
                f"limit is {MAX_CELL_CHARS:,} (no Excel cell holds more) — refused."
            )
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
    _check_cell_sizes(data, data.index.to_numpy() + 1, path)
    if numbers is not None:
        numbers = numbers.loc[data.index].set_axis(headers, axis=1)[keep].reset_index(drop=True)
    return RawTable(data.reset_index(drop=True), data.index.to_numpy() + 1, header_label + 1,
                    numbers=numbers)  # fmt: skip


# --- CSV and other delimited text -----------------------------------------------------------


def _first_lines(text: str, path: Path) -> list[str]:
    """The lines searched for the header row; refuses one longer than ``MAX_LINE_CHARS``
    before it is split into cells."""
    lines: list[str] = []
    start, breaks = 0, _BREAK.finditer(text)
    while len(lines) < HEADER_SEARCH_ROWS and start < len(text):
        found = next(breaks, None)
        end = found.start() if found else len(text)
        if end - start > MAX_LINE_CHARS:
            raise RequestError(
                f"{path}, line {len(lines) + 1}: {end - start:,} characters without a line "
                f"break; the limit is {MAX_LINE_CHARS:,} — refused before reading (not a "
                "table export). Save the table again as CSV UTF-8 from Excel."
            )
        lines.append(text[start:end])
        start = found.end() if found else len(text)
    return lines


@dataclass
class _Split:
    """The first lines split by one separator."""

    separator: str
    rows: list[list[str]]  # at most MAX_COLUMNS + 1 cells each
    widest: int = 0  # cells of the widest row
    widest_at: int = 0  # its index
    score: int = 0  # contract columns named by the best header row (when not too wide)
    error: tuple[int, str] | None = None  # (line, csv error) when not readable


def _score_row(row: list[str], spec: tuple[Column, ...]) -> int:
    """Contract columns a row names; cells longer than any header are not looked at."""
    return count_matches([c for c in row if len(c) <= MAX_HEADER_CHARS], spec)


def _split(lines: list[str], separator: str, spec: tuple[Column, ...]) -> _Split:
    split = _Split(separator, [])
    reader = csv.reader(lines, delimiter=separator)
    try:
        for row in reader:
            if len(row) > split.widest:
                split.widest, split.widest_at = len(row), len(split.rows)
            split.rows.append(row[: MAX_COLUMNS + 1])
    except csv.Error as exc:  # e.g. a cell over 131,072 characters: never a registry value
        split.error = (reader.line_num, str(exc))
        return split
    if split.widest <= MAX_COLUMNS:
        split.score = max((_score_row(row, spec) for row in split.rows), default=0)
    return split


def _choose_separator(lines: list[str], spec: tuple[Column, ...], path: Path) -> _Split:
    """The separator under which a header row names the most contract columns; when none names
    any, the one giving the widest row (comma on a tie). A table wider than ``MAX_COLUMNS``
    is refused before its cells are matched or parsed."""
    splits = [_split(lines, sep, spec) for sep in SEPARATORS]
    readable = [s for s in splits if s.error is None]
    if not readable:
        line, error = splits[0].error  # type: ignore[misc]
        raise RequestError(f"{path}, row {line}: not a readable CSV table ({error}).")
    best = max(readable, key=lambda s: s.score)
    if best.score == 0:
        best = max(readable, key=lambda s: s.widest)
    if best.widest > MAX_COLUMNS:
        cells = best.rows[best.widest_at]
        raise RequestError(
            f"{path}, row {best.widest_at + 1}: {best.widest:,} columns "
            f"({some([c[:40] for c in cells], total=best.widest)}); the limit is {MAX_COLUMNS} "
            "— refused before reading. Is this the table? Keep only its columns and try again."
        )
    return best


def read_csv(path: Path, spec: tuple[Column, ...]) -> RawTable:
    """Read a delimited text file, detecting its encoding, separator and header row."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise RequestError(
            f"{path} is {megabytes(size)}; the limit for a text table is "
            f"{megabytes(MAX_TEXT_BYTES)} (a county's registry is about 10 MB) — refused before "
            "reading. Give one township's or county's table."
        )
    data = path.read_bytes()
    if not data.strip():
        raise RequestError(f"{path} is empty: no header and no data rows.")
    text, encoding = decode(data, path)
    del data
    if not text.strip("\ufeff \t\r\n\x00"):
        raise RequestError(f"{path} is empty: no header and no data rows.")
    split = _choose_separator(_first_lines(text, path), spec, path)
    at = _header_index(split.rows, spec)  # type: ignore[arg-type]
    try:
        body = pd.read_csv(
            io.StringIO(text), sep=split.separator, header=None, skiprows=at, dtype=str,
            keep_default_na=False, na_values=[""], skip_blank_lines=False,
        )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RequestError(f"{path}: not a readable CSV table ({exc}).") from None
    if body.shape[1] > MAX_COLUMNS:  # a later line wider than the first ones
        raise RequestError(
            f"{path}: {body.shape[1]:,} columns; the limit is {MAX_COLUMNS} — refused."
        )
    body.index = body.index + at
    table = _frame_from_grid(body, spec, path)
    table.encoding = encoding
    table.separator = split.separator
    return table


# --- XLSX ------------------------------------------------------------------------------------


def _visible(book: pd.ExcelFile) -> list[str]:
    """Names of the visible worksheets, in workbook order."""
    return [
        str(m.name)
        for m in book.book.sheets_metadata
        if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")
    ]


def _first_visible(book: pd.ExcelFile, path: Path) -> str:
    """Name of the first visible worksheet: hidden sheets (old data, lookups) are never read
    unless named with ``--sheet``."""
    visible = _visible(book)
    if not visible:
        raise RequestError(f"{path} has no visible worksheet; name one with --sheet.")
    return visible[0]


def _unreadable_sheet(path: Path, sheet: str, exc: BaseException) -> RequestError:
    return RequestError(
        f"{path}, sheet {sheet!r}: not a readable worksheet ({exc}); open the workbook in "
        "Excel, save it again (File → Save As → Excel Workbook) and try again."
    )


def _cells(book: pd.ExcelFile, scan: WorkbookScan, sheet: str, path: Path,
           nrows: int | None = None) -> tuple[pd.DataFrame, SheetExtent]:  # fmt: skip
    """A sheet's cells as calamine reads them, once the sheet has passed the limits."""
    extent = scan.sheet(sheet)
    try:
        cells = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, nrows=nrows)
    except (CalamineError, ValueError, KeyError, IndexError, OverflowError) as exc:
        raise _unreadable_sheet(path, sheet, exc) from None  # XmlError, ZipError … too
    except BaseException as exc:  # a Rust panic inside calamine (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        raise _unreadable_sheet(path, sheet, exc) from None
    return cells, extent


def _score(cells: pd.DataFrame, spec: tuple[Column, ...]) -> int:
    """Contract columns named by the best of a grid's first rows (0 for an empty grid)."""
    rows = cells.dropna(how="all").head(HEADER_SEARCH_ROWS).to_numpy().tolist()
    return max((count_matches([c for c in r if c is not None and c == c], spec) for r in rows),
               default=0)  # fmt: skip


def _refuse_cover_sheet(book: pd.ExcelFile, scan: WorkbookScan, first: str,
                        empty: bool, spec: tuple[Column, ...], path: Path) -> None:  # fmt: skip
    """The first sheet is empty or names none of the contract's columns (a cover sheet, notes):
    refuse, naming the workbook's sheets and the one whose header names the most columns —
    when the workbook has other sheets and, for a sheet that is not empty, one of them names
    some (else the contract check lists the columns it misses)."""
    names = [str(n) for n in book.sheet_names]
    others = [n for n in names if n != first]
    if not others:
        return
    best, best_score = None, 0
    for name in others[:MAX_PROBED_SHEETS]:
        try:
            cells, _ = _cells(book, scan, name, path, nrows=HEADER_SEARCH_ROWS)
        except RequestError:
            continue
        score = _score(cells, spec)
        if score > best_score:
            best, best_score = name, score
    if best is None and not empty:
        return
    what = "is empty" if empty else (
        "names none of the table's columns (" + ", ".join(c.header for c in spec[:3]) + " …)"
    )  # fmt: skip
    option = best if best is None or re.fullmatch(r"[\w.-]+", best) else shlex.quote(best)
    if best is not None:
        hint = (f"the table seems to be on sheet {best!r}: name it with --sheet {option} (or "
                "move that sheet to the front of the workbook)")  # fmt: skip
    else:
        hint = "name the sheet holding the table with --sheet NAME (or move it to the front)"
    raise RequestError(
        f"{path}: its first sheet {first!r} {what}; the workbook's sheets are: "
        f"{some(names)} — {hint}."
    )


def read_xlsx(path: Path, spec: tuple[Column, ...], sheet: str | None) -> RawTable:
    """Read the first (or the named) sheet of an XLSX workbook, finding the header row."""
    scan = scan_workbook(path)
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise RequestError(f"{path}: not a readable XLSX workbook ({exc}).") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise RequestError(
                f"{path} has no sheet named {sheet!r}; its sheets are: {some(names)}."
            )
        chosen = sheet if sheet is not None else _first_visible(book, path)
        cells, extent = _cells(book, scan, chosen, path)
        if sheet is None and _score(cells, spec) == 0:
            _refuse_cover_sheet(book, scan, chosen, cells.dropna(how="all").empty, spec, path)
    # number cells are remembered: an ID Excel stored as a number has lost digits
    numbers = cells.map(lambda v: type(v) in (int, float), na_action="ignore")
    grid = cells.astype("str").where(cells.notna())
    table = _frame_from_grid(grid, spec, path, numbers.fillna(False).astype(bool))
    table.sheet = chosen
    table.hidden_rows = sorted(set(table.rows.tolist()) & extent.hidden_rows)
    return table


# --- Parquet and dispatch --------------------------------------------------------------------


def _check_parquet(path: Path) -> None:
    """Refuse a Parquet file beyond the limits by its footer, before any page is unpacked (a
    megabyte of run-length encoded pages can hold billions of values)."""
    import pyarrow.parquet as pq

    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise RequestError(
            f"{path} is {megabytes(size)}; the limit for a Parquet file is "
            f"{megabytes(MAX_XLSX_BYTES)} — refused before reading."
        )
    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise RequestError(f"{path}: not a readable Parquet file ({exc}).") from None
    rows, columns, groups = meta.num_rows, meta.num_columns, meta.num_row_groups
    if columns > MAX_COLUMNS:
        raise RequestError(
            f"{path}: {columns:,} columns; the limit is {MAX_COLUMNS} — refused before reading."
        )
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(min(groups, 10_000)))
    if rows * columns > MAX_CELLS or unpacked > MAX_XLSX_BYTES or groups > 10_000:
        raise RequestError(
            f"{path}: {rows:,} rows of {columns} column{'s' if columns != 1 else ''} "
            f"({rows * columns:,} cells, "
            f"{megabytes(unpacked)} unpacked, {groups:,} row groups); the limits are "
            f"{MAX_CELLS:,} cells, {megabytes(MAX_XLSX_BYTES)} and 10,000 row groups — refused "
            "before reading."
        )


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file; its column names are the headers, data starts on row 2."""
    _check_parquet(path)
    try:
        frame = pd.read_parquet(path).reset_index(drop=True)
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise RequestError(f"{path}: not a readable Parquet file ({exc}).") from None
    if frame.empty:
        raise RequestError(f"{path} has no data rows.")
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame, np.arange(2, len(frame) + 2), 1)


def read_raw(path: str | Path, spec: tuple[Column, ...], sheet: str | None = None) -> RawTable:
    """Read any supported input file (by extension: .csv/.txt/.tsv, .xlsx/.xlsm, .parquet),
    after checking that its bytes are what the extension says."""
    path = Path(path)
    if not path.is_file():
        raise RequestError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in XLSX_SUFFIXES:
        raise RequestError(f"--sheet applies to XLSX workbooks only, not {path.name}.")
    try:
        actual = sniff(path)
    except OSError as exc:
        raise RequestError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    refuse_disguised(path, suffix, actual)
    if actual is None and suffix in (*XLSX_SUFFIXES, ".parquet", ".pq"):
        text_instead_of_binary(path, suffix)
    if suffix in TEXT_SUFFIXES:
        return read_csv(path, spec)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, spec, sheet)
    if suffix in (".parquet", ".pq"):
        return read_parquet(path)
    if suffix == ".xls":
        raise RequestError(
            f"{path}: old .xls workbooks are not supported; save it as .xlsx in Excel."
        )
    raise RequestError(f"{path}: unsupported file type {suffix!r}; use .csv, .xlsx or .parquet.")
