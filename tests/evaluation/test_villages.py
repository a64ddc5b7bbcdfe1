"""Exited key villages: selection, re-estimated incidence (closed form), infrastructure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import make_villages

from data_contracts.errors import ExitcheckError
from evaluation.villages import (
    exited_key_villages,
    infrastructure_check,
    rate_threshold,
    reestimate_incidence,
    verified_incidence,
)

RATES = pd.DataFrame(
    {
        "estimate": [0.05],
        "se": [0.02],
        "ci_low": [0.01],
        "ci_high": [0.12],
        "bound_low": [0.02],
        "bound_high": [0.10],
        "n": [20],
    },
    index=pd.Index(["V1"], name="village_id"),
)
TOWN = pd.Series(
    {
        "estimate": 0.01,
        "se": 0.005,
        "ci_low": 0.0,
        "ci_high": 0.03,
        "bound_low": 0.001,
        "bound_high": 0.025,
        "n": 60,
    }
)


def villages() -> pd.DataFrame:
    v = make_villages(("V1", "V2", "V3", "V4"))
    v.loc[2, "key_village"] = False
    v.loc[3, "exited"] = False
    v.loc[0, "poor_population_remaining"] = 12
    return pd.concat([v, make_villages(("W1",), township="T2")], ignore_index=True)


def test_selection_and_registry_incidence():
    key = exited_key_villages(villages(), "T1")
    assert list(key["village_id"]) == ["V1", "V2"]
    assert list(key["registry_incidence"]) == [0.012, 0.010]


def test_reestimated_incidence_closed_form():
    key = exited_key_villages(villages(), "T1")
    persons = pd.Series({"V1": 200.0, "V2": 150.0})
    out = reestimate_incidence(key, persons, RATES, TOWN, min_n=20).set_index("village_id")
    # V1: its own rate (20 interviewed ≥ min_n); (12 + 200·r) / 1000
    assert out.loc["V1", "estimate"] == pytest.approx((12 + 200 * 0.05) / 1000)
    assert out.loc["V1", "ci_high"] == pytest.approx((12 + 200 * 0.12) / 1000)
    assert out.loc["V1", "bound_high"] == pytest.approx((12 + 200 * 0.10) / 1000)
    assert out.loc["V1", "se"] == pytest.approx(200 * 0.02 / 1000)
    assert out.loc["V1", "wrong_exit_persons"] == pytest.approx(10.0)
    assert out.loc["V1", "rate_source"] == "village" and out.loc["V1", "n"] == 20
    # V2 had no interviewed household: township rate
    assert out.loc["V2", "rate_source"] == "township"
    assert out.loc["V2", "estimate"] == pytest.approx((10 + 150 * 0.01) / 1000)
    # the rate at which V1 reaches 2%: (0.02·1000 − 12) / 200 = 0.04
    assert rate_threshold(out.reset_index(), 0.02)[0] == pytest.approx(0.04)


def test_small_village_sample_borrows_township_rate_and_survey_counts_replace_registry():
    key = exited_key_villages(villages(), "T1")
    persons = pd.Series({"V1": 200.0, "V2": 150.0})
    survey = pd.DataFrame(
        {
            "village_id": ["V1"],
            "verified_registered_population": [1200],
            "verified_poor_remaining": [30],
        }
    )
    out = reestimate_incidence(key, persons, RATES, TOWN, survey, min_n=21).set_index("village_id")
    assert out.loc["V1", "rate_source"] == "township"
    assert out.loc["V1", "base_source"] == "village_survey"
    assert out.loc["V1", "estimate"] == pytest.approx((30 + 200 * 0.01) / 1200)
    assert out.loc["V1", "bound_high"] == pytest.approx((30 + 200 * 0.025) / 1200)
    assert out.loc["V1", "registry_incidence"] == pytest.approx(0.012)
    assert out.loc["V2", "base_source"] == "registry"
    assert rate_threshold(out.reset_index(), 0.02)[0] == pytest.approx((24 - 30) / 200)


def test_village_without_exited_persons_keeps_registry_incidence():
    key = exited_key_villages(villages(), "T1")
    out = reestimate_incidence(key, pd.Series(dtype=float), RATES, TOWN)
    assert np.allclose(out["estimate"], out["registry_incidence"])


def test_bad_population_raises():
    v = villages()
    v.loc[0, "registered_population"] = 0
    with pytest.raises(ExitcheckError, match="registered_population"):
        exited_key_villages(v, "T1")


def test_infrastructure():
    key = exited_key_villages(villages(), "T1")
    survey = pd.DataFrame(
        {
            "village_id": ["V1", "V2"],
            "verified_registered_population": [1000, 1000],
            "verified_poor_remaining": [34, 10],
            "verified_roads": pd.array([True, True], dtype="boolean"),
            "verified_drinking_water": pd.array([True, True], dtype="boolean"),
            "verified_electricity": pd.array([True, True], dtype="boolean"),
            "verified_clinic": pd.array([False, True], dtype="boolean"),
            "verified_school_access": pd.array([True, None], dtype="boolean"),
        }
    )
    table = infrastructure_check(key, survey)
    assert len(table) == 10
    bad = table[table["agrees"].eq(False)]
    assert list(zip(bad["village_id"], bad["item"], strict=True)) == [("V1", "clinic")]
    assert table["agrees"].isna().sum() == 1
    assert verified_incidence(survey)["V1"] == pytest.approx(0.034)
    assert infrastructure_check(key, None)["verified"].isna().all()
