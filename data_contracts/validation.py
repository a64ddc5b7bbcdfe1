"""Checking one table against its contract and collecting every problem found.

Steps: match headers to the spec, parse every column to its type (cells that do not parse become
problems), run the pandera model lazily (every failure case becomes a problem), then the row
rules. Problems name the row as the user sees it in Excel and the column as written in the file;
they show a personal value (name, ID number, phone) only masked. Columns the contract does not
know are dropped: they may hold anything (公民身份号码, 家庭成员姓名, …).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data_contracts.columns import Column, spec
from data_contracts.errors import ContractError
from data_contracts.headers import HeaderMatch, match_headers, number_repeats
from data_contracts.parsing import STORED_AS_NUMBER, parse_column, stored_as_number
from data_contracts.privacy import mask_values
from data_contracts.problems import combine, problem_frame
from data_contracts.schemas import MODELS, ROW_RULES

_DTYPES = {"text": "str", "id_number": "str", "enum": "str", "int": "Int64",
           "money": "float64", "bool": "boolean", "date": "datetime64[ns]"}  # fmt: skip
_CHECKS = (
    (r"greater_than_or_equal_to\((.*)\)", ">= {0}"),
    (r"greater_than\((.*)\)", "> {0}"),
    (r"less_than_or_equal_to\((.*)\)", "<= {0}"),
    (r"less_than\((.*)\)", "< {0}"),
    (r"in_range\((.*), (.*)\)", "between {0} and {1}"),
    (r"str_length\((.*), (.*)\)", "{0} characters"),
    (r"not_nullable", "a value (this column is required)"),
)


def empty_column(column: Column, length: int) -> pd.Series:
    """An all-missing column of the spec's dtype."""
    return pd.Series([None] * length, dtype=_DTYPES[column.type])


def _expected_from_check(check: str, column: Column) -> str:
    if check.startswith("isin("):
        return "one of " + ", ".join(f"{label} ({code})" for code, label in column.values)
    for pattern, template in _CHECKS:
        found = re.fullmatch(pattern, check)
        if found:
            return template.format(*(g.removesuffix(" 00:00:00") for g in found.groups()))
    return check


def _missing_column_problems(source: str, header_row: int, match: HeaderMatch) -> list:
    parts = [
        problem_frame(source, header_row, c.header, "",
                      f"a column headed {c.header} or {c.name} ({c.meaning})")
        for c in match.missing
    ]  # fmt: skip
    parts += [
        problem_frame(source, header_row, header, header,
                      f"{name} only once; it is already given by {match.header_map[name]}")
        for header, name in match.duplicates
    ]  # fmt: skip
    return parts


def _cell_problems(
    source: str, raw: pd.DataFrame, bad: np.ndarray, header: str, col: Column, expected: object
) -> pd.DataFrame:
    """Problems for the cells ``bad`` of one column, values as written (personal ones masked)."""
    rows = raw.index[bad]
    return problem_frame(
        source, rows, header, mask_values(col.name, raw.loc[rows, header]), expected
    )


def _uniqueness_expected(frame: pd.DataFrame, name: str, rows: pd.Index) -> pd.Series:
    """For duplicated values: which rows share them."""
    shared = frame.loc[frame[name].duplicated(keep=False) & frame[name].notna(), name]
    together = (
        pd.Series(shared.index, index=shared.index).astype("str").groupby(shared).agg(", ".join)
    )
    return ("unique; the same value is on rows " + frame.loc[rows, name].map(together)).reset_index(
        drop=True
    )


def _written(raw: pd.DataFrame, rows: pd.Index, header: str, name: str) -> pd.Series:
    """Cells of column ``name`` as written in the file (dates without a midnight time), personal
    values masked."""
    return mask_values(name, raw.loc[rows, header].astype("str").str.removesuffix(" 00:00:00"))


def _pandera_problems(
    kind: str,
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    source: str,
    headers: dict[str, str],
    skip: pd.DataFrame,
) -> list:
    try:
        MODELS[kind].validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["column"].isin(headers) & cases["index"].notna()]
    rows = skip.index.get_indexer(cases["index"].astype(int))
    cols = skip.columns.get_indexer(cases["column"])
    cases = cases[~skip.to_numpy()[rows, cols]]
    by_column = {c.name: c for c in spec(kind)}
    parts = []
    for (name, check), group in cases.groupby(["column", "check"], sort=False):
        rows = pd.Index(group["index"].astype(int))
        if check == "field_uniqueness":
            expected: str | pd.Series = _uniqueness_expected(frame, name, rows)
        else:
            expected = _expected_from_check(str(check), by_column[name])
        values = _written(raw, rows, headers[name], name)
        parts.append(problem_frame(source, rows, headers[name], values, expected))
    return parts


def _rule_problems(
    kind: str,
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    source: str,
    headers: dict[str, str],
    skip: pd.DataFrame,
) -> list:
    parts = []
    names = {c.name: headers.get(c.name, c.header) for c in spec(kind)}
    for rule in ROW_RULES[kind]:
        broken = rule.broken(frame).fillna(False).astype(bool) & ~skip[rule.column]
        if broken.any():
            rows = frame.index[broken]
            header = headers.get(rule.column)
            values = "" if header is None else _written(raw, rows, header, rule.column)
            expected = rule.expected.format(**names)
            parts.append(problem_frame(source, rows, names[rule.column], values, expected))
    return parts


def check_table(
    kind: str,
    raw: pd.DataFrame,
    source: str,
    rows: np.ndarray | None = None,
    header_row: int = 1,
    numbers: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Parse and validate ``raw`` (headers as written); return (frame, header_map, extras).

    ``frame`` holds the contract's columns only; ``extras`` names the columns dropped. ``rows``
    are the Excel row numbers of the data rows (default: header on row 1, data from 2);
    ``numbers`` marks the cells that were number cells in an XLSX file (same shape as ``raw``).
    Raises ``ContractError`` with every problem found.
    """
    columns = spec(kind)
    n = len(raw)
    rows = np.arange(2, n + 2) if rows is None else np.asarray(rows)
    raw = raw.set_axis(pd.Index(rows, name="row"), axis=0)
    raw = raw.set_axis(number_repeats(raw.columns), axis=1)
    if numbers is not None:
        numbers = numbers.set_axis(raw.index, axis=0).set_axis(raw.columns, axis=1)
    match = match_headers(list(raw.columns), columns)
    parts = _missing_column_problems(source, header_row, match)
    typed: dict[str, pd.Series] = {}
    skip = pd.DataFrame(False, index=raw.index, columns=[c.name for c in columns])
    skip[[c.name for c in match.missing]] = True  # no cell-level problems in missing columns
    for col in columns:
        header = match.header_map.get(col.name)
        if header is None:
            typed[col.name] = empty_column(col, n).set_axis(raw.index)
            continue
        parsed = parse_column(raw[header], col)
        typed[col.name] = parsed.values
        bad = parsed.bad
        if col.key or col.type == "id_number":
            cells = None if numbers is None else numbers[header].to_numpy(dtype=bool)
            number = stored_as_number(raw[header], cells, col)
            if number.any():  # said instead of a misleading check-digit or lookup problem
                parts.append(_cell_problems(source, raw, number, header, col, STORED_AS_NUMBER))
                bad = bad & ~number
            skip[col.name] = number
        if bad.any():
            expected = parsed.expected
            if isinstance(expected, pd.Series):
                expected = expected[bad]
            parts.append(_cell_problems(source, raw, bad, header, col, expected))
            skip[col.name] |= bad
    frame = pd.DataFrame(typed, index=raw.index)
    parts += _pandera_problems(kind, frame, raw, source, match.header_map, skip)
    parts += _rule_problems(kind, frame, raw, source, match.header_map, skip)
    problems = combine(parts)
    if len(problems):
        raise ContractError(problems)
    return frame.reset_index(drop=True), match.header_map, match.extras


def validate_frame(kind: str, df: pd.DataFrame, source: str = "<memory>") -> pd.DataFrame:
    """Check an in-memory table (canonical or Chinese headers) and return it parsed and typed.

    Row numbers in problems count as if the frame were written with its header on row 1.
    """
    frame, _, _ = check_table(kind, df.reset_index(drop=True), source)
    return frame
