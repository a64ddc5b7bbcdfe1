"""Per-household income comparison, Bland–Altman on the log scale, signed-rank test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from assessment_fixtures import make_sample, make_survey, set_rows
from scipy import stats

from evaluation.classify import resolve_units
from evaluation.income import bland_altman_log, income_differences, signed_rank_inflation


def test_differences_and_over_reporting():
    sample = make_sample()
    survey = set_rows(make_survey(sample), ["H001"], surveyed_income_per_capita=1000.0)
    survey = set_rows(survey, ["H002"], surveyed_household_size=9)
    survey = set_rows(survey, ["H003"], visit_status="refused")
    diff = income_differences(resolve_units(sample, survey)).set_index("household_id")
    assert len(diff) == 9 and "H003" not in diff.index
    reported = sample.set_index("household_id").loc["H001", "income_per_capita"]
    assert diff.loc["H001", "difference"] == pytest.approx(1000 - reported)
    assert diff.loc["H001", "ratio"] == pytest.approx(1000 / reported)
    assert diff.loc["H001", "over_reported"]
    assert diff["over_reported"].sum() == 1
    assert diff.loc["H002", "surveyed_total"] == pytest.approx(9 * diff.loc["H002", "surveyed"])


def test_over_report_threshold_is_strict():
    sample = make_sample()
    reported = sample.set_index("household_id").loc["H001", "income_per_capita"]
    survey = set_rows(make_survey(sample), ["H001"], surveyed_income_per_capita=reported / 1.2)
    assert not income_differences(resolve_units(sample, survey))["over_reported"].any()


def test_bland_altman_closed_form():
    d = np.array([0.1, -0.2, 0.05, 0.0, np.nan])
    ba = bland_altman_log(d)
    ok = d[:4]
    z = stats.norm.ppf(0.975)
    assert ba.bias == pytest.approx(ok.mean())
    assert ba.upper == pytest.approx(ok.mean() + z * ok.std(ddof=1))
    assert ba.n == 4 and ba.excluded == 1
    assert ba.ratio_limits[0] == pytest.approx(math.exp(ba.lower))
    assert ba.to_dict()["ratio_bias"] == pytest.approx(math.exp(ok.mean()))


def test_signed_rank_detects_inflation():
    rng = np.random.default_rng(1)
    surveyed = rng.uniform(3000, 6000, 40)
    inflated = signed_rank_inflation(surveyed * 1.15, surveyed)
    assert inflated.p_value < 1e-6 and inflated.n == 40
    honest = signed_rank_inflation(surveyed * rng.lognormal(0, 0.05, 40), surveyed)
    assert honest.p_value > 0.01
    assert math.isnan(signed_rank_inflation(surveyed, surveyed).p_value)
