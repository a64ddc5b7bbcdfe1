"""``load``: read an input file, map its headers, parse and validate it against its contract."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.columns import Column, spec
from data_contracts.headers import match_headers
from data_contracts.limits import some
from data_contracts.readers import RawTable, read_raw
from data_contracts.sniffing import SEPARATORS
from data_contracts.validation import check_table


@dataclass
class LoadedTable:
    """A validated input table.

    ``frame`` has the contract's columns only, with proper dtypes: columns the contract does not
    know are dropped (named in ``notes``), so no unknown personal column (公民身份号码, 手机号码,
    家庭成员姓名 …) reaches a stored table; ``rows`` holds each row's Excel row number (for
    later messages); ``header_map`` maps canonical names to the headers as written; ``notes``
    says what was dropped, ignored or assumed.
    """

    kind: str
    path: Path
    frame: pd.DataFrame
    sha256: str
    header_map: dict[str, str]
    rows: np.ndarray
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    sheet: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The typed table (a copy)."""
        return self.frame.copy()

    def __repr__(self) -> str:
        return f"LoadedTable({self.kind!r}, {str(self.path)!r}, rows={len(self.frame)})"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (recorded so a run can prove which input it used)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _set_aside_unvisited(raw: RawTable, columns: tuple[Column, ...]) -> tuple[RawTable, int]:
    """Drop survey-form rows not filled in yet: blank 调查状态 and every other field blank.

    A returned form may hold households the field team has not visited yet (partial returns are
    normal; later returns add them). Such rows are set aside with a note, never guessed at. A row
    with any data but no status is kept, so validation reports it.
    """
    match = match_headers(list(raw.frame.columns), columns)
    filled = [h for name, h in match.header_map.items() if name != "household_id"]
    if "visit_status" not in match.header_map or not filled:
        return raw, 0
    cells = raw.frame[filled].astype("string").apply(lambda col: col.str.strip())
    unvisited = (cells.isna() | cells.eq("")).all(axis=1).to_numpy()
    if not unvisited.any():
        return raw, 0
    numbers = None if raw.numbers is None else raw.numbers.loc[~unvisited]
    kept = dataclasses.replace(raw, frame=raw.frame.loc[~unvisited], rows=raw.rows[~unvisited],
                               numbers=numbers)  # fmt: skip
    return kept, int(unvisited.sum())


def _some(names: list[str], limit: int = 20) -> str:
    """The first ``limit`` names, then how many more."""
    more = f" … and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


_LOADED: OrderedDict[tuple[str, str, str | None, str], LoadedTable] = OrderedDict()
_KEEP = 8  # tables kept per process: the registry exports of a township run and its returns


def load(kind: str, path: str | Path, sheet: str | None = None) -> LoadedTable:
    """Read and validate one input table; raises ``ContractError`` listing every problem.

    Unreadable, missing or empty files raise ``RequestError``. A file whose bytes were already
    loaded in this process (the registry export, then its copy in the run folder, then again by
    ``assess`` in the demo's workers) is not parsed again: the table is keyed by its kind, its
    SHA-256, the sheet and the file suffix, so any change to the file is a new table.
    """
    path = Path(path)
    try:
        key = (kind, sha256_of(path), sheet, path.suffix.lower())  # the suffix picks the reader
    except OSError:
        key = None  # unreadable: _load says why
    if key is not None and key in _LOADED:
        _LOADED.move_to_end(key)
        hit = _LOADED[key]
        return replace(hit, path=path, frame=hit.frame.copy(), notes=list(hit.notes))
    table = _load(kind, path, sheet)
    if key is not None and table.sha256 == key[1]:
        _LOADED[key] = replace(table, frame=table.frame.copy())
        while len(_LOADED) > _KEEP:
            _LOADED.popitem(last=False)
    return table


def _load(kind: str, path: Path, sheet: str | None) -> LoadedTable:
    """Read, map, parse and validate (see :func:`load`)."""
    columns = spec(kind)
    path = Path(path)
    raw = read_raw(path, columns, sheet)
    unvisited = 0
    if kind == "survey":
        raw, unvisited = _set_aside_unvisited(raw, columns)
    frame, header_map, extras = check_table(
        kind, raw.frame, str(path), raw.rows, raw.header_row, raw.numbers
    )
    notes = []
    if raw.header_row > 1:
        notes.append(f"skipped {raw.header_row - 1} title row(s) above the header on row "
                     f"{raw.header_row}")  # fmt: skip
    if unvisited:
        notes.append(f"{unvisited} row(s) with no 调查状态 and no survey data set aside "
                     "as not yet visited")  # fmt: skip
    if extras:
        notes.append(f"{len(extras)} column(s) not in the {kind} contract dropped: {_some(extras)}")
    if raw.encoding and raw.encoding not in ("utf-8-sig", "utf-8"):
        notes.append(f"read as {raw.encoding.upper()} text")
    if raw.separator and raw.separator != ",":
        notes.append(f"read as {SEPARATORS[raw.separator]}-separated text")
    if raw.hidden_rows:
        notes.append(f"{len(raw.hidden_rows)} row(s) hidden in Excel read as data: rows "
                     f"{some(raw.hidden_rows)} (unhide them to check that they belong to the "
                     "table)")  # fmt: skip
    return LoadedTable(kind, path, frame, sha256_of(path), header_map, raw.rows, notes,
                       raw.encoding, raw.sheet)  # fmt: skip
