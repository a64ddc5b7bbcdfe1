"""Vectorised parsing of cell values into typed columns, marking cells that do not parse.

Registry exports and survey returns come as text typed by people: 是/否 or Y/N for booleans,
``"3,500"`` or ``"3500元"`` for incomes, ``2016/8/2`` or ``2016年8月2日`` for dates. Each parser
takes a column (text, or already typed when the frame comes from Parquet or memory) and returns
the typed values plus a mask of cells that were filled but could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from data_contracts.columns import Column
from data_contracts.idcard import problems as id_problems
from data_contracts.normalise import normalise_keys
from data_contracts.privacy import mask_in_text

BLANKS = ("", "nan", "none", "nat", "<na>", "null")
STORED_AS_NUMBER = (
    "text: Excel stored this ID as a number (it keeps 15 digits, the rest are lost); "
    "format the column as text and type the IDs again"
)
_EXPONENT = r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+"  # 3.71302E+17: how Excel shows a long number
TRUE_WORDS = ("是", "y", "yes", "1", "1.0", "true", "t", "有", "√", "✓", "对")
FALSE_WORDS = ("否", "n", "no", "0", "0.0", "false", "f", "无", "×", "✗", "不是")


@dataclass(frozen=True)
class Parsed:
    """Typed values of one column and the mask of filled cells that could not be parsed."""

    values: pd.Series
    bad: np.ndarray
    expected: str | pd.Series  # a Series gives a row-specific expectation


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped ``str`` text, blanks missing; integral floats lose their ``.0``."""
    if ptypes.is_float_dtype(values.dtype):
        text = values.astype("str").str.replace(r"\.0$", "", regex=True)
    else:
        text = values.astype("str")
    text = text.str.strip()
    return text.mask(text.str.lower().isin(BLANKS))


def _numbers(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_money(values: pd.Series) -> Parsed:
    """Amounts in yuan: ``3500``, ``"3,500"``, ``"3500元"``, ``"¥3500"``, ``"1.2万"``."""
    expected = "an amount in yuan, e.g. 3500, 3,500 or 3500元"
    if ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        return Parsed(values.astype("float64"), np.zeros(len(values), bool), expected)
    text = as_text(values)
    cleaned = text.str.replace(r"[,，\s¥￥]|元$|元/人$|元/年$", "", regex=True)
    wan = cleaned.str.endswith("万").fillna(False).astype(bool)
    number = _numbers(cleaned.str.removesuffix("万"))
    number = number.where(~wan.to_numpy(), number * 10_000)
    return Parsed(number, (text.notna() & number.isna()).to_numpy(), expected)


def parse_int(values: pd.Series) -> Parsed:
    """Whole numbers (``5``, ``"5人"``, ``5.0``) as nullable ``Int64``."""
    expected = "a whole number, e.g. 4"
    if ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        number = values.astype("float64")
        text = values
    else:
        text = as_text(values)
        number = _numbers(text.str.replace(r"[,，\s]|[人户年个]$", "", regex=True))
    whole = number.notna() & (number == np.round(number)) & (number.abs() < 2**53)
    bad = (text.notna() & ~whole).to_numpy()
    return Parsed(number.where(whole).astype("Int64"), bad, expected)


def parse_bool(values: pd.Series) -> Parsed:
    """是/否, Y/N, 1/0, true/false (any case) as nullable ``boolean``."""
    expected = "是 or 否 (also Y/N, 1/0, true/false)"
    if ptypes.is_bool_dtype(values.dtype):
        return Parsed(values.astype("boolean"), np.zeros(len(values), bool), expected)
    text = as_text(values).str.lower()
    is_true, is_false = text.isin(TRUE_WORDS), text.isin(FALSE_WORDS)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out = out.mask(is_true, True).mask(is_false, False)
    return Parsed(out, (text.notna() & ~is_true & ~is_false).to_numpy(), expected)


def parse_date(values: pd.Series) -> Parsed:
    """Dates: ``2016-08-02``, ``2016/8/2``, ``2016年8月2日``, ``20160802`` or date cells."""
    expected = "a date such as 2016-08-02, 2016/8/2 or 2016年8月2日"
    if ptypes.is_datetime64_any_dtype(values.dtype):
        out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return Parsed(out.astype("datetime64[ns]"), np.zeros(len(values), bool), expected)
    text = as_text(values)
    day = text.str.replace(r"[ T].*$", "", regex=True)
    day = day.str.replace(r"[年月/.]", "-", regex=True).str.removesuffix("日")
    parsed = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    compact = pd.to_datetime(day.where(day.str.fullmatch(r"\d{8}").fillna(False).astype(bool)),
                             format="%Y%m%d", errors="coerce")  # fmt: skip
    out = parsed.fillna(compact).astype("datetime64[ns]")
    return Parsed(out, (text.notna() & out.isna()).to_numpy(), expected)


def parse_text(values: pd.Series) -> Parsed:
    """Text, stripped, blanks missing."""
    return Parsed(as_text(values), np.zeros(len(values), bool), "text")


def parse_free_text(values: pd.Series) -> Parsed:
    """Free text typed by hand (备注): as ``parse_text``, ID- and mobile-shaped numbers masked."""
    return Parsed(mask_in_text(as_text(values)), np.zeros(len(values), bool), "text")


def as_key(values: pd.Series) -> pd.Series:
    r"""Codes and place names in their comparable form (``data_contracts.normalise``), blanks
    missing: ``ＨＨ001``, ``HH\u200b001`` and ``HH001`` are one household."""
    text = normalise_keys(as_text(values))
    return text.mask(text.eq(""))


def parse_key(values: pd.Series) -> Parsed:
    """A code or place name matched across tables (户编号, 村编码, 乡镇, 行政村)."""
    return Parsed(as_key(values), np.zeros(len(values), bool), "text")


def stored_as_number(values: pd.Series, numbers: np.ndarray | None, column: Column) -> np.ndarray:
    """Cells of an ID column that Excel stored as a number, so digits after the 15th are lost.

    ``numbers`` marks the cells that were number cells in an XLSX file (None for text files):
    any such cell of an ID number column, or one with 16 or more digits in a code column; and in
    any file, a cell written with an exponent (``3.71302E+17``).
    """
    text = as_text(values)
    found = text.str.fullmatch(_EXPONENT).fillna(False).to_numpy(dtype=bool)
    if numbers is None:
        return found
    if column.type != "id_number":
        numbers = numbers & (pd.to_numeric(text, errors="coerce").abs() >= 1e15).to_numpy()
    return found | numbers


def parse_id_number(values: pd.Series) -> Parsed:
    """Resident ID numbers (normalised as codes are, upper-cased); invalid ones marked with the
    precise reason."""
    text = as_key(values).str.upper()
    reasons = id_problems(text)
    return Parsed(text, reasons.notna().to_numpy(), "a valid resident ID number: " + reasons)


def parse_enum(values: pd.Series, column: Column) -> Parsed:
    """Codes given either as the code (any case) or as the Chinese label, returned as codes."""
    text = as_text(values)
    lookup = {code: code for code in column.codes} | {label: code for code, label in column.values}
    out = text.str.lower().map(lookup).fillna(text.map(lookup)).astype("str")
    expected = "one of " + ", ".join(f"{label} ({code})" for code, label in column.values)
    return Parsed(out, (text.notna() & out.isna()).to_numpy(), expected)


def _parse(values: pd.Series, column: Column) -> Parsed:
    if column.type == "enum":
        return parse_enum(values, column)
    if column.free_text:
        return parse_free_text(values)
    if column.key:
        return parse_key(values)
    parser = {
        "text": parse_text,
        "int": parse_int,
        "money": parse_money,
        "bool": parse_bool,
        "date": parse_date,
        "id_number": parse_id_number,
    }[column.type]
    return parser(values)


def parse_column(values: pd.Series, column: Column) -> Parsed:
    """Parse one column according to its spec type.

    Text cells repeat a lot (dates, 是/否, village names), so each distinct value is parsed once
    and the results are spread back to the rows.
    """
    if not (ptypes.is_object_dtype(values.dtype) or ptypes.is_string_dtype(values.dtype)):
        return _parse(values, column)
    codes, uniques = pd.factorize(values)
    codes = np.where(codes < 0, len(uniques), codes)  # missing cells → the appended None
    distinct = pd.Series([*uniques, None], dtype=values.dtype)
    once = _parse(distinct, column)
    expected = once.expected
    if isinstance(expected, pd.Series):
        expected = expected.iloc[codes].set_axis(values.index)
    return Parsed(once.values.iloc[codes].set_axis(values.index), once.bad[codes], expected)
