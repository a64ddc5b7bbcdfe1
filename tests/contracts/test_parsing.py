"""Value parsing: booleans, money, dates, integers and enums as users type them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.columns import column
from data_contracts.parsing import parse_column


def _parse(kind: str, name: str, cells: list) -> tuple[list, list]:
    parsed = parse_column(pd.Series(cells, dtype="object"), column(kind, name))
    return parsed.values.tolist(), parsed.bad.tolist()


def test_booleans() -> None:
    values, bad = _parse(
        "households",
        "housing_secure",
        ["是", "否", "Y", "n", "1", "0", "TRUE", "false", "", "也许"],
    )
    assert values[:8] == [True, False, True, False, True, False, True, False]
    assert pd.isna(values[8]) and pd.isna(values[9])
    assert bad == [False] * 9 + [True]


def test_money() -> None:
    values, bad = _parse(
        "households",
        "income_per_capita",
        ["3,500", "3500元", " 4200.5 ", "¥3000", "1.2万", "abc", None],
    )
    assert values[:5] == [3500.0, 3500.0, 4200.5, 3000.0, 12000.0]
    assert bad == [False] * 5 + [True, False]


def test_dates() -> None:
    cells = [
        "2016-08-02",
        "2016/8/2",
        "2016年8月2日",
        "20160802",
        "2016-08-02 00:00:00",
        "2016-02-30",
    ]
    parsed = parse_column(pd.Series(cells), column("households", "notice_start"))
    assert parsed.values.dtype == np.dtype("datetime64[ns]")
    assert (parsed.values[:5] == pd.Timestamp("2016-08-02")).all()
    assert parsed.bad.tolist() == [False] * 5 + [True]


def test_integers() -> None:
    values, bad = _parse("households", "household_size", ["4", "4人", "4.0", "4.5", "四", 3])
    assert values[:3] == [4, 4, 4] and values[5] == 3
    assert bad == [False, False, False, True, True, False]


def test_enum_codes_and_labels() -> None:
    values, bad = _parse(
        "survey", "visit_status", ["完成", "Replacement", "拒访", "未找到", "外出"]
    )
    assert values[:4] == ["completed", "replacement", "refused", "not_found"]
    assert bad == [False] * 4 + [True]


def test_typed_columns_pass_through() -> None:
    ints = parse_column(pd.Series([1, 2, 3]), column("households", "household_size"))
    assert str(ints.values.dtype) == "Int64" and ints.values.tolist() == [1, 2, 3]
    flags = parse_column(pd.Series([True, False]), column("households", "medical_secure"))
    assert str(flags.values.dtype) == "boolean"
    days = parse_column(pd.Series(pd.to_datetime(["2016-08-02"])), column("villages", "notice_end"))
    assert days.values.dtype == np.dtype("datetime64[ns]")
