"""A catalogue of bad inputs, each rejected with a precise problem (file, row, column, expected)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from contract_tables import chinese, households_table, valid_id, villages_table

from data_contracts import ContractError, check_villages_exist, validate_frame
from data_contracts.crosschecks import check_survey_households, check_village_survey_villages
from data_contracts.errors import InputError
from workbench.cli import exit_code

Edit = Callable[[pd.DataFrame], pd.DataFrame]


def _set(row: int, name: str, value: object) -> Edit:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[row, name] = value
        return df

    return edit


def _drop(name: str) -> Edit:
    return lambda df: df.drop(columns=[name])


GOOD_ID = valid_id(2)
BAD_ID = GOOD_ID[:17] + ("1" if GOOD_ID[17] != "1" else "2")

# (case id, kind, edit on the canonical table, expected (row, Chinese header, value, expected text))
CATALOGUE = [
    ("missing-required-column", "households", _drop("household_id"),
     (1, "户编号", "", "a column headed 户编号")),
    ("duplicate-household-id", "households", _set(1, "household_id", "H00000"),
     (3, "户编号", "H00000", "unique; the same value is on rows 2, 3")),
    # ID numbers are shown masked (first 4, last 4), never 17 of the 18 real digits
    ("bad-id-check-digit", "households", _set(2, "head_id_number", BAD_ID),
     (4, "证件号码", BAD_ID[:4] + "*" * 10 + BAD_ID[14:], f"check digit {GOOD_ID[17]} (GB 11643)")),
    ("id-too-short", "households", _set(0, "head_id_number", "3713021970"),
     (2, "证件号码", "3713**1970", "18 characters")),
    ("household-size-zero", "households", _set(3, "household_size", "0"),
     (5, "家庭人口数", "0", "between 1 and 50")),
    ("income-abc", "households", _set(0, "income_per_capita", "abc"),
     (2, "人均纯收入", "abc", "an amount in yuan")),
    ("negative-wage", "households", _set(0, "wage_income", "-5"), (2, "工资性收入", "-5", ">= 0")),
    ("notice-end-before-start", "households", _set(1, "notice_end", "2016-08-01"),
     (3, "公示结束日期", "2016-08-01", "a date on or after 公示开始日期")),
    ("impossible-date", "households", _set(0, "appraisal_date", "2016-13-01"),
     (2, "民主评议日期", "2016-13-01", "a date such as 2016-08-02")),
    ("bad-boolean", "households", _set(2, "food_clothing_secure", "也许"),
     (4, "吃穿不愁", "也许", "是 or 否")),
    ("blank-required-cell", "households", _set(1, "township", ""),
     (3, "乡镇（街道）", "", "a value (this column is required)")),
    ("exit-year-out-of-range", "households", _set(0, "exit_year", "2005"),
     (2, "脱贫年度", "2005", "between 2010 and 2035")),
    ("duplicate-village-id", "villages", _set(2, "village_id", "371302000"),
     (4, "村编码", "371302000", "unique; the same value is on rows 2, 4")),
    ("poor-above-population", "villages", _set(1, "poor_population_remaining", "5000"),
     (3, "剩余贫困人口", "5000", "at most 农业户籍人口")),
    ("unknown-visit-status", "survey", _set(0, "visit_status", "外出"),
     (2, "调查状态", "外出", "one of 完成 (completed), 替换户 (replacement)")),
    ("completed-without-income", "survey", _set(1, "surveyed_income_per_capita", ""),
     (3, "核实人均纯收入", "", "completed (完成) and replacement (替换户) rows must carry it")),
    ("completed-without-guarantee", "survey", _set(0, "verified_housing_secure", ""),
     (2, "核实住房安全有保障", "", "must carry it")),
    ("replacement-of-interviewed-household", "survey", _set(3, "replaces_household_id", "H00000"),
     (5, "被替换户编号", "H00000", "a refused (拒访) or not-found (未找到) row")),
    ("duplicate-survey-household", "survey", _set(1, "household_id", "H00000"),
     (3, "户编号", "H00000", "unique")),
    ("village-survey-poor-above-population", "village-survey",
     _set(0, "verified_poor_remaining", "900"),
     (2, "核实剩余贫困人口", "900", "at most 核实农业户籍人口")),
    ("duplicate-line", "poverty-lines", _set(1, "year", "2016"),
     (2, "年度", "2016", "one line per year and 标准类别")),
    ("unknown-line-kind", "poverty-lines", _set(0, "kind", "市定"),
     (2, "标准类别", "市定", "one of 省定 (provincial)")),
    ("line-zero", "poverty-lines", _set(0, "line", "0"), (2, "扶贫标准", "0", "> 0")),
]  # fmt: skip


@pytest.mark.parametrize(("case", "kind", "edit", "want"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_input_is_rejected_precisely(table, case, kind, edit, want) -> None:
    frame = chinese(kind, edit(table(kind)))
    with pytest.raises(ContractError) as info:
        validate_frame(kind, frame, source="input.csv")
    problems = info.value.to_frame()
    row, header, value, expected = want
    hit = problems[(problems["row"] == row) & (problems["column"] == header)]
    assert len(hit) == 1, problems.to_string()
    assert hit["value"].iloc[0] == value
    assert expected in hit["expected"].iloc[0]
    assert (problems["file"] == "input.csv").all()
    assert isinstance(info.value, InputError) and exit_code(info.value) == 1


def test_all_problems_are_collected_at_once() -> None:
    df = households_table(6)
    df.loc[0, "income_per_capita"] = "abc"
    df.loc[2, "household_size"] = "0"
    df.loc[3, "housing_secure"] = "maybe"
    df.loc[5, "household_id"] = "H00004"
    with pytest.raises(ContractError) as info:
        validate_frame("households", chinese("households", df))
    problems = info.value.to_frame()
    assert problems["row"].tolist() == [2, 4, 5, 6, 7]
    assert problems["column"].tolist() == [
        "人均纯收入",
        "家庭人口数",
        "住房安全有保障",
        "户编号",
        "户编号",
    ]
    assert "5 problems" in info.value.message and "人均纯收入" in info.value.message


def test_unparseable_cell_is_reported_once(table) -> None:
    """A completed survey row with income "abc" is one problem, not also "missing income"."""
    df = table("survey")
    df.loc[0, "surveyed_income_per_capita"] = "abc"
    with pytest.raises(ContractError) as info:
        validate_frame("survey", df)
    assert len(info.value.to_frame()) == 1


def test_unknown_village_id() -> None:
    villages = validate_frame("villages", villages_table())
    households = households_table()
    households.loc[2, "village_id"] = "999999"
    with pytest.raises(ContractError) as info:
        check_villages_exist(validate_frame("households", households), villages)
    problems = info.value.to_frame()
    assert problems[["row", "column", "value"]].values.tolist() == [[4, "村编码", "999999"]]
    assert "a village code listed in <villages>" in problems["expected"].iloc[0]


def test_household_in_village_of_another_township() -> None:
    villages = validate_frame("villages", villages_table())
    households = households_table()
    households.loc[0, "township"] = "柳青街道"  # its village 371302000 lies in 城关镇
    with pytest.raises(ContractError) as info:
        check_villages_exist(validate_frame("households", households), villages)
    assert info.value.to_frame()[["row", "column"]].values.tolist() == [[2, "乡镇（街道）"]]


def test_village_survey_and_survey_references(table) -> None:
    villages = validate_frame("villages", villages_table(1))
    with pytest.raises(ContractError, match="371302001"):
        check_village_survey_villages(
            validate_frame("village-survey", table("village-survey")), villages
        )
    survey = validate_frame("survey", table("survey"))
    check_survey_households(survey, pd.Series(["H00000", "H00001", "H00002", "H00003"]))
    with pytest.raises(ContractError) as info:
        check_survey_households(survey, pd.Series(["H00000", "H00001", "H00003"]))
    assert info.value.to_frame()["row"].tolist() == [4, 5]  # the refused row and its replacement


def test_same_column_twice(table) -> None:
    df = chinese("households", table("households"))
    df["household_id"] = df["户编号"]
    with pytest.raises(ContractError) as info:
        validate_frame("households", df)
    problems = info.value.to_frame()
    assert problems[["row", "column"]].values.tolist() == [[1, "household_id"]]
    assert "already given by 户编号" in problems["expected"].iloc[0]


def test_contract_error_message_is_capped_but_keeps_every_problem() -> None:
    df = households_table(250)
    df["household_size"] = "0"
    with pytest.raises(ContractError) as info:
        validate_frame("households", df, source="big.csv")
    error = info.value
    assert len(error.to_frame()) == 250 and error.summary == "250 problems in big.csv"
    assert error.message.splitlines()[-1] == "... and 50 more problems"
    assert repr(error) == "ContractError('250 problems in big.csv')"
