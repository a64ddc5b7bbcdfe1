"""Response resolution and wrong-exit (错退) classification: every reason, borderline, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import make_sample, make_survey, replace, set_rows

from data_contracts.errors import ExitcheckError
from data_contracts.messages import text
from evaluation.classify import classify_exits, resolve_units, sensitivity_flags


@pytest.fixture
def sample() -> pd.DataFrame:
    return make_sample()


def test_all_completed_no_wrong_exit(sample):
    units = classify_exits(resolve_units(sample, make_survey(sample)))
    assert len(units) == 10
    assert units["responded"].all()
    assert not units["wrong_exit"].any()
    assert (units["reasons"] == "").all()
    assert (units["outcome"] == "completed").all()
    assert not any(str(c).startswith("key_") for c in units.columns)  # no join leftovers


@pytest.mark.parametrize(
    ("column", "value", "code", "label"),
    [
        ("surveyed_income_per_capita", 2999.0, "income_below_line", "人均纯收入低于当年贫困线"),
        ("verified_food_clothing_secure", False, "food_clothing", "吃穿不愁未保障"),
        ("verified_education_secure", False, "education", "义务教育未保障"),
        ("verified_medical_secure", False, "medical", "基本医疗未保障"),
        ("verified_housing_secure", False, "housing", "住房安全未保障"),
    ],
)
def test_each_reason(sample, column, value, code, label):
    survey = set_rows(make_survey(sample), ["H003"], **{column: value})
    units = classify_exits(resolve_units(sample, survey)).set_index("household_id")
    assert units["wrong_exit"].sum() == 1
    assert units.loc["H003", "wrong_exit"]
    assert units.loc["H003", "reasons"] == code
    assert text(f"township.reason.{code}", "zh") == label  # the catalogue words the code
    assert units.loc["H003", f"reason_{code}"]


def test_income_exactly_on_line_is_not_wrong(sample):
    survey = set_rows(make_survey(sample), ["H001"], surveyed_income_per_capita=3000.0)
    units = classify_exits(resolve_units(sample, survey)).set_index("household_id")
    assert not units.loc["H001", "wrong_exit"]
    assert units.loc["H001", "borderline"]


def test_several_reasons_joined(sample):
    survey = set_rows(
        make_survey(sample),
        ["H002"],
        surveyed_income_per_capita=1000.0,
        verified_housing_secure=False,
    )
    row = classify_exits(resolve_units(sample, survey)).set_index("household_id").loc["H002"]
    assert row["reasons"] == "income_below_line;housing"
    assert not row["wrong_only_income"]


def test_borderline_and_sensitivity(sample):
    survey = set_rows(make_survey(sample), ["H001"], surveyed_income_per_capita=2900.0)
    survey = set_rows(survey, ["H002"], surveyed_income_per_capita=3100.0)
    survey = set_rows(survey, ["H003"], surveyed_income_per_capita=2900.0)
    survey = set_rows(survey, ["H003"], verified_medical_secure=False)
    units = classify_exits(resolve_units(sample, survey), tolerance=0.05)
    u = units.set_index("household_id")
    assert u.loc["H001", "borderline"] and u.loc["H001", "wrong_exit"]
    assert u.loc["H002", "borderline"] and not u.loc["H002", "wrong_exit"]
    assert u.loc["H001", "income_margin"] == pytest.approx(2900 / 3000 - 1)
    s = sensitivity_flags(units).set_index(units["household_id"])
    assert set(s.index[s["wrong_if_borderline_wrong"]]) == {"H001", "H002", "H003"}
    # H003 stays wrong: medical care fails whatever its income
    assert set(s.index[s["wrong_if_borderline_correct"]]) == {"H003"}
    units_tight = classify_exits(resolve_units(sample, survey), tolerance=0.01)
    assert not units_tight["borderline"].any()


def test_replacement_takes_design_row_but_own_frame_values(sample):
    sample.loc[sample["household_id"] == "H000", "weight"] = 33.0
    survey = replace(make_survey(sample), sample, "H000", "H010")
    units = resolve_units(sample, survey)
    row = units.set_index("sampled_household_id").loc["H000"]
    assert row["household_id"] == "H010"
    assert row["outcome"] == "replacement"
    assert row["responded"]
    assert row["weight"] == 33.0
    assert row["household_size"] == sample.set_index("household_id").loc["H010", "household_size"]
    assert len(units) == 10


@pytest.mark.parametrize("status", ["refused", "not_found"])
def test_nonrespondents_never_correct(sample, status):
    survey = set_rows(make_survey(sample), ["H004"], visit_status=status)
    units = classify_exits(resolve_units(sample, survey)).set_index("household_id")
    assert not units.loc["H004", "responded"]
    assert units.loc["H004", "outcome"] == status
    assert pd.isna(units.loc["H004", "surveyed_income_per_capita"])
    assert np.isnan(units.loc["H004", "income_margin"])
    assert units["responded"].sum() == 9


def test_missing_return_is_nonrespondent(sample):
    survey = make_survey(sample)
    survey = survey.loc[survey["household_id"] != "H005"]
    units = resolve_units(sample, survey).set_index("household_id")
    assert units.loc["H005", "outcome"] == "missing"
    assert not units.loc["H005", "responded"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s, smp: pd.concat([s, s.iloc[[0]]]), "duplicate"),
        (lambda s, smp: set_rows(s, ["H001"], household_id="X999"), "not in the sample"),
        (lambda s, smp: set_rows(s, ["H001"], visit_status="replacement"), "reserve"),
        (
            lambda s, smp: replace(s, smp, "H001", "H010", status="completed"),
            "refused or not found",
        ),
        (
            lambda s, smp: replace(replace(s, smp, "H001", "H010"), smp, "H001", "H011"),
            "more than once",
        ),
        (lambda s, smp: replace(s, smp, "H001", "H011"), "another reserve list"),
        (
            lambda s, smp: set_rows(s, ["H002"], surveyed_income_per_capita=np.nan),
            "surveyed_income_per_capita",
        ),
    ],
)
def test_bad_returns_raise_user_error(sample, mutate, message):
    if message == "another reserve list":
        sample.loc[sample["household_id"] == "H011", "reserve_group"] = "other"
    with pytest.raises(ExitcheckError, match=message):
        resolve_units(sample, mutate(make_survey(sample), sample))


def test_missing_line_raises(sample):
    sample["poverty_line"] = np.nan
    with pytest.raises(ExitcheckError, match="poverty line"):
        classify_exits(resolve_units(sample, make_survey(sample)))
