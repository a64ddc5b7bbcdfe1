"""Pandera models of the input tables (types, ranges, uniqueness) and the row rules across columns.

Units: money in yuan (per person per year for ``*_per_capita``, per household per year for income
components); populations in persons; years are calendar years. The models check one column at a
time; ``ROW_RULES`` check relations between columns of the same row (公示 end after start, a
completed survey row carries its verified data, ...). Frames reach the models already parsed to
their dtypes by ``data_contracts.parsing``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from data_contracts.columns import INTERVIEWED_STATUSES, LINE_KINDS, VISIT_STATUS

FIRST_YEAR, LAST_YEAR = 2010, 2035  # 建档立卡 registration began in 2014; lines from 2010
FIRST_DAY, LAST_DAY = pd.Timestamp(f"{FIRST_YEAR}-01-01"), pd.Timestamp(f"{LAST_YEAR}-12-31")
MAX_INCOME = 1_000_000.0  # yuan per person per year: larger values are typing mistakes
MAX_HOUSEHOLD = 50

Text = Series[str]
Int = Series[pd.Int64Dtype]
Money = Series[float]
Bool = Series[pd.BooleanDtype]
Date = Series[pd.Timestamp]


def _between(low: object, high: object, **kw) -> object:
    return pa.Field(in_range={"min_value": low, "max_value": high}, **kw)


def _year(**kw) -> object:
    return _between(FIRST_YEAR, LAST_YEAR, **kw)


def _date() -> object:
    return _between(FIRST_DAY, LAST_DAY, nullable=True)


def _opt(**kw) -> object:
    return pa.Field(nullable=True, **kw)


class _Base(pa.DataFrameModel):
    class Config:
        strict = False  # extra columns (序号, 备注, ...) are kept
        coerce = False


class Households(_Base):
    """脱贫户 registry: one row per exited household."""

    household_id: Text = pa.Field(unique=True)
    county: Text = _opt()
    township: Text
    village_id: Text
    village: Text
    head_name: Text = _opt()
    head_id_number: Text = _opt(str_length={"min_value": 18, "max_value": 18})
    phone: Text = _opt()
    household_size: Int = _between(1, MAX_HOUSEHOLD)
    income_per_capita: Money = _between(0, MAX_INCOME)
    wage_income: Money = _opt(ge=0)
    business_income: Money = _opt()
    property_income: Money = _opt(ge=0)
    transfer_income: Money = _opt(ge=0)
    exit_year: Int = _year()
    food_clothing_secure: Bool
    education_secure: Bool
    medical_secure: Bool
    housing_secure: Bool
    appraisal_date: Date = _date()
    notice_start: Date = _date()
    notice_end: Date = _date()
    township_review_date: Date = _date()
    announce_start: Date = _date()
    announce_end: Date = _date()
    household_acknowledged: Bool = _opt()


class Villages(_Base):
    """Village registry: one row per administrative village, key villages flagged."""

    village_id: Text = pa.Field(unique=True)
    township: Text
    village: Text
    key_village: Bool
    registered_population: Int = pa.Field(ge=1)
    poor_population_remaining: Int = pa.Field(ge=0)
    exited: Bool
    exit_year: Int = _year(nullable=True)
    collective_income: Money = _opt(ge=0)
    notice_start: Date = _date()
    notice_end: Date = _date()
    announce_start: Date = _date()
    announce_end: Date = _date()
    roads: Bool = _opt()
    drinking_water: Bool = _opt()
    electricity: Bool = _opt()
    clinic: Bool = _opt()
    school_access: Bool = _opt()


class Survey(_Base):
    """Household field-survey returns: one row per visited household."""

    household_id: Text = pa.Field(unique=True)
    visit_status: Text = pa.Field(isin=[code for code, _ in VISIT_STATUS])
    replaces_household_id: Text = _opt()
    surveyed_household_size: Int = _between(1, MAX_HOUSEHOLD, nullable=True)
    surveyed_income_per_capita: Money = _between(0, MAX_INCOME, nullable=True)
    surveyed_wage_income: Money = _opt(ge=0)
    surveyed_business_income: Money = _opt()
    surveyed_property_income: Money = _opt(ge=0)
    surveyed_transfer_income: Money = _opt(ge=0)
    verified_food_clothing_secure: Bool = _opt()
    verified_education_secure: Bool = _opt()
    verified_medical_secure: Bool = _opt()
    verified_housing_secure: Bool = _opt()
    acknowledges_exit: Bool = _opt()
    approves_result: Bool = _opt()
    knew_of_notice: Bool = _opt()
    enumerator: Text = _opt()
    survey_date: Date = _date()
    notes: Text = _opt()


class VillageSurvey(_Base):
    """Village verification returns: one row per assessed village."""

    village_id: Text = pa.Field(unique=True)
    verified_registered_population: Int = pa.Field(ge=1)
    verified_poor_remaining: Int = pa.Field(ge=0)
    verified_roads: Bool = _opt()
    verified_drinking_water: Bool = _opt()
    verified_electricity: Bool = _opt()
    verified_clinic: Bool = _opt()
    verified_school_access: Bool = _opt()
    assessor_notes: Text = _opt()


class PovertyLines(_Base):
    """Poverty lines (扶贫标准) by year and kind, yuan per person per year."""

    year: Int = _year()
    line: Money = pa.Field(gt=0, le=MAX_INCOME)
    kind: Text = pa.Field(isin=[code for code, _ in LINE_KINDS])
    source: Text


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "households": Households,
    "villages": Villages,
    "survey": Survey,
    "village-survey": VillageSurvey,
    "poverty-lines": PovertyLines,
}


@dataclass(frozen=True)
class RowRule:
    """A relation between columns of one row; ``broken`` marks the rows that break it."""

    column: str  # the column blamed in the problem table
    expected: str  # may name other columns as {canonical} placeholders, filled with their headers
    broken: Callable[[pd.DataFrame], pd.Series]


def _ends_before(start: str, end: str) -> RowRule:
    return RowRule(end, f"a date on or after {{{start}}}", lambda df: df[end] < df[start])


def _needed_on_interview(column: str) -> RowRule:
    return RowRule(
        column,
        "a value: completed (完成) and replacement (替换户) rows must carry it",
        lambda df: df["visit_status"].isin(INTERVIEWED_STATUSES) & df[column].isna(),
    )


def _replacement_target(df: pd.DataFrame) -> pd.Series:
    unreached = df.loc[df["visit_status"].isin(["refused", "not_found"]), "household_id"]
    return (df["visit_status"] == "replacement") & ~df["replaces_household_id"].isin(unreached)


ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "households": (
        _ends_before("notice_start", "notice_end"),
        _ends_before("announce_start", "announce_end"),
    ),
    "villages": (
        RowRule(
            "poor_population_remaining",
            "at most {registered_population}",
            lambda df: df["poor_population_remaining"] > df["registered_population"],
        ),
        _ends_before("notice_start", "notice_end"),
        _ends_before("announce_start", "announce_end"),
    ),
    "survey": (
        *(
            _needed_on_interview(c)
            for c in (
                "surveyed_household_size",
                "surveyed_income_per_capita",
                "verified_food_clothing_secure",
                "verified_education_secure",
                "verified_medical_secure",
                "verified_housing_secure",
            )
        ),
        RowRule(
            "replaces_household_id",
            "on a replacement (替换户) row: the {household_id} of a refused (拒访) or"
            " not-found (未找到) row of this file",
            _replacement_target,
        ),
        RowRule(
            "replaces_household_id",
            "blank unless the row is a replacement (替换户)",
            lambda df: (df["visit_status"] != "replacement") & df["replaces_household_id"].notna(),
        ),
    ),
    "village-survey": (
        RowRule(
            "verified_poor_remaining",
            "at most {verified_registered_population}",
            lambda df: df["verified_poor_remaining"] > df["verified_registered_population"],
        ),
    ),
    "poverty-lines": (
        RowRule(
            "year",
            "one line per year and {kind}; this year and kind appear more than once",
            lambda df: df.duplicated(["year", "kind"], keep=False) & df["year"].notna(),
        ),
    ),
}
