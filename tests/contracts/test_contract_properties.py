"""Property tests: tables generated from the contracts, written as users write them, validate
and parse back to the generated values."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_contracts import validate_frame
from data_contracts.columns import INTERVIEWED_STATUSES, SPECS, Column
from data_contracts.idcard import check_digit, is_valid
from data_contracts.parsing import FALSE_WORDS, TRUE_WORDS
from data_contracts.privacy import mask_id
from data_contracts.schemas import FIRST_YEAR, LAST_YEAR, MAX_HOUSEHOLD

pytestmark = pytest.mark.slow

TEXT = st.text(st.sampled_from("城关镇柳青街道第一二三村张王李赵ABC123-"), min_size=1, max_size=8)
DAYS = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
DATE_FORMATS = ("{:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日")


@st.composite
def id_numbers(draw) -> str:
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    first17 = f"{draw(st.integers(110000, 659999))}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return first17 + check_digit(first17)


@st.composite
def cell(draw, col: Column) -> tuple[object, str]:
    """A (typed value, text as a user writes it) pair for one cell of the column."""
    if col.type in ("text",):
        value = draw(TEXT)
        return value, value
    if col.type == "id_number":
        value = draw(id_numbers())
        return value, value
    if col.type == "int":
        low, high = (FIRST_YEAR, LAST_YEAR) if "year" in col.name else (1, MAX_HOUSEHOLD)
        value = draw(st.integers(low, high))
        return value, draw(st.sampled_from([str(value), f"{value}.0"]))
    if col.type == "money":
        value = draw(st.integers(1, 9_000_000)) / 10  # exact: the float nearest n/10
        text = draw(st.sampled_from(["{:.1f}", "{:,.1f}", "{:.1f}元", "¥{:.1f}"])).format(value)
        return value, text
    if col.type == "bool":
        value = draw(st.booleans())
        return value, draw(st.sampled_from(TRUE_WORDS if value else FALSE_WORDS))
    if col.type == "date":
        day = draw(DAYS)
        return pd.Timestamp(day), draw(st.sampled_from(DATE_FORMATS)).format(day, d=day)
    code, label = draw(st.sampled_from(col.values))
    return code, draw(st.sampled_from([code, label]))


@st.composite
def tables(draw, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(expected typed values, the same table as text) for a valid table of ``kind``."""
    n = draw(st.integers(1, 6))
    typed, text = {}, {}
    for col in SPECS[kind]:
        pairs = [draw(cell(col)) for _ in range(n)]
        if not col.required:
            pairs = [p if draw(st.booleans()) else (None, "") for p in pairs]
        typed[col.name] = [p[0] for p in pairs]
        text[col.name] = [p[1] for p in pairs]
    typed, text = pd.DataFrame(typed), pd.DataFrame(text)
    key = SPECS[kind][0].name
    typed[key] = text[key] = [f"K{i:03d}" for i in range(n)]  # unique keys
    _fix_rules(kind, typed, text)
    return typed, text


def _fix_rules(kind: str, typed: pd.DataFrame, text: pd.DataFrame) -> None:
    """Make rows obey the rules across columns (end dates after start dates, ...)."""
    for start, end in (("notice_start", "notice_end"), ("announce_start", "announce_end")):
        if start in typed:
            text[end] = text[start].where(text[end] != "", "")
            typed[end] = typed[start].where(text[end] != "")
    part = {"villages": "poor_population_remaining", "village-survey": "verified_poor_remaining"}
    if kind in part:  # 0 remaining poor never exceeds the population
        typed[part[kind]] = 0
        text[part[kind]] = "0"
    if kind == "survey":
        interviewed = typed["visit_status"].isin(INTERVIEWED_STATUSES)
        typed.loc[typed["visit_status"] == "replacement", "visit_status"] = "completed"
        text["visit_status"] = text["visit_status"].where(
            ~text["visit_status"].isin(["replacement", "替换户"]), "完成"
        )
        typed["replaces_household_id"], text["replaces_household_id"] = None, ""
        for col in SPECS["survey"]:
            if col.required and col.name not in ("household_id", "visit_status"):
                text[col.name] = text[col.name].where(interviewed, "")
                typed[col.name] = typed[col.name].where(interviewed)
    if kind == "poverty-lines":
        typed["year"] = [FIRST_YEAR + i for i in range(len(typed))]
        text["year"] = typed["year"].astype(str)


def _check(kind: str, pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    typed, text = pair
    parsed = validate_frame(kind, text)
    for name in typed.columns:
        got = parsed[name].astype(object).where(parsed[name].notna(), None).tolist()
        want = typed[name].astype(object).where(typed[name].notna(), None).tolist()
        assert got == want, name


FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tables("households"))
def test_generated_households_validate(pair) -> None:
    _check("households", pair)


@FAST
@given(tables("villages"))
def test_generated_villages_validate(pair) -> None:
    _check("villages", pair)


@FAST
@given(tables("survey"))
def test_generated_survey_validates(pair) -> None:
    _check("survey", pair)


@FAST
@given(tables("village-survey"))
def test_generated_village_survey_validates(pair) -> None:
    _check("village-survey", pair)


@FAST
@given(tables("poverty-lines"))
def test_generated_poverty_lines_validate(pair) -> None:
    _check("poverty-lines", pair)


@FAST
@given(id_numbers(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_error_in_an_id_is_caught(number: str, position: int, shift: int) -> None:
    """MOD 11-2 detects every single-digit substitution (weights are non-zero mod 11)."""
    assert is_valid(number)
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert not is_valid(wrong)


@FAST
@given(id_numbers())
def test_masked_id_hides_the_middle(number: str) -> None:
    masked = mask_id(number)
    assert len(masked) == 18 and masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert set(masked[4:14]) == {"*"}
