"""SurveyDesign: closed forms, the sample-table rules, domains, result objects and user errors."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data_contracts.errors import DesignError, RequestError
from evaluation import Estimate, SurveyDesign, design_from_sample

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


def srs(n: int = 149, events: int = 0, population: int | None = 1490) -> pd.DataFrame:
    flag = np.zeros(n, dtype=bool)
    flag[:events] = True
    frame = pd.DataFrame({"household_id": [f"H{i:03d}" for i in range(n)], "wrong": flag})
    frame["income"] = np.linspace(3000, 6000, n)
    frame["weight"] = (population or 10 * n) / n
    frame["N"] = population if population is not None else np.nan
    return frame


# ---------------------------------------------------------------- closed forms
def test_srs_proportion_with_fpc_matches_textbook() -> None:
    """SRS without replacement: var(p̂) = (1 − n/N)·p(1−p)/(n − 1); deff = 1; df = n − 1."""
    n, N, events = 149, 1490, 12
    d = SurveyDesign(srs(n, events, N), fpc="N")
    est = d.proportion("wrong", method="mean")
    p = events / n
    assert est.estimate == pytest.approx(p, rel=1e-12)
    assert est.se == pytest.approx(math.sqrt((1 - n / N) * p * (1 - p) / (n - 1)), rel=1e-12)
    assert est.df == n - 1
    assert est.n == n
    assert est.deff == pytest.approx(1.0, rel=1e-12)
    half = stats.t.ppf(0.975, n - 1) * est.se
    assert est.ci == pytest.approx((p - half, p + half), rel=1e-12)


def test_srs_total_and_mean_textbook() -> None:
    frame = srs(40, 0, 400)
    d = SurveyDesign(frame, fpc="N")
    y = frame["income"].to_numpy()
    var_mean = (1 - 40 / 400) * y.var(ddof=1) / 40
    assert d.mean("income").se == pytest.approx(math.sqrt(var_mean), rel=1e-12)
    assert d.total("income").estimate == pytest.approx(400 * y.mean(), rel=1e-12)
    assert d.total("income").se == pytest.approx(400 * math.sqrt(var_mean), rel=1e-12)


def test_zero_events_upper_bound_srs_149() -> None:
    """0 wrong exits in an SRS of 149: positive one-sided 95 % bound just under 2 %."""
    est = SurveyDesign(srs(149, 0), strata=None, weights="weight", fpc="N").proportion("wrong")
    assert est.estimate == 0.0 and est.se == 0.0
    assert est.upper_bound(0.95) == pytest.approx(1 - 0.05 ** (1 / 149), rel=1e-10)
    assert 0.0198 < est.upper_bound() < 0.02
    assert est.ci[0] == 0.0 and est.ci[1] == pytest.approx(1 - 0.025 ** (1 / 149), rel=1e-10)
    assert est.lower_bound(0.95) == 0.0


def test_census_stratum_has_no_variance() -> None:
    frame = srs(20, 3, 20)
    assert SurveyDesign(frame, fpc="N").total("income").se == 0.0


def test_weights_derived_from_fpc_as_r() -> None:
    twostage = pd.read_csv(DATA / "twostage.csv")
    d = SurveyDesign(
        twostage, strata="stratum", psu="village_id", ssu="household_id", fpc=("N1", "M2")
    )
    np.testing.assert_allclose(d.weights, twostage["weight"], rtol=1e-12)


# ---------------------------------------------------------------- the sample table's rules
def mixed_as_sample_table() -> pd.DataFrame:
    """The R reference's mixed design in the sample table's columns (NaN rules of interfaces.md)."""
    mixed = pd.read_csv(DATA / "mixed.csv")
    certainty = mixed["stratum"].str.startswith("certainty:")
    return mixed.assign(
        fpc_stage1=mixed["N1"].where(np.isfinite(mixed["N1"])),
        fpc_stage2=mixed["M2"].where(~certainty),
    )


def test_nan_fpc_rules_equal_r_infinite_and_census_encoding() -> None:
    table = mixed_as_sample_table()
    assert table["fpc_stage1"].isna().any() and table["fpc_stage2"].isna().any()
    r_encoded = SurveyDesign(
        table, strata="stratum", psu="psu", ssu="household_id", weights="weight", fpc=("N1", "M2")
    )
    nan_encoded = SurveyDesign(
        table,
        strata="stratum",
        psu="psu",
        ssu="household_id",
        weights="weight",
        fpc=("fpc_stage1", "fpc_stage2"),
    )
    for variable in ("income", "size"):
        a, b = r_encoded.total(variable), nan_encoded.total(variable)
        assert (a.estimate, a.se, a.df) == pytest.approx((b.estimate, b.se, b.df), rel=1e-12)


def test_design_from_sample_matches_r_reference() -> None:
    table = mixed_as_sample_table()
    d = design_from_sample(table, {"design": "two-stage"})
    reference = SurveyDesign(
        table, strata="stratum", psu="psu", ssu="household_id", weights="weight", fpc=("N1", "M2")
    )
    assert d.proportion("wrong").se == pytest.approx(reference.proportion("wrong").se, rel=1e-12)
    assert d.df == reference.df


def test_design_from_sample_stratified_is_one_stage() -> None:
    frame = pd.read_csv(DATA / "stratified.csv").assign(
        psu=lambda f: f["household_id"], fpc_stage1=lambda f: f["N"], fpc_stage2=np.nan
    )
    d = design_from_sample(frame, {"design": "stratified"})
    want = SurveyDesign(frame, strata="stratum", weights="weight", fpc="N").mean("income")
    assert d.mean("income").se == pytest.approx(want.se, rel=1e-12)
    assert d.columns["ssu"] is None


def test_design_from_sample_errors() -> None:
    frame = pd.read_csv(DATA / "stratified.csv")
    with pytest.raises(RequestError, match="design must be one of"):
        design_from_sample(frame, {"design": "quota"})
    with pytest.raises(RequestError, match="lacks design column"):
        design_from_sample(frame, {"design": "stratified"})


# ---------------------------------------------------------------- domains
def test_subset_equals_by_row() -> None:
    d = SurveyDesign(
        pd.read_csv(DATA / "twostage.csv"),
        strata="stratum",
        psu="village_id",
        ssu="household_id",
        fpc=("N1", "M2"),
    )
    table = d.by("township").proportion("wrong", method="logit")
    hill = d.subset(d.data["township"] == "hill").proportion("wrong", method="logit")
    row = table.set_index("township").loc["hill"]
    got = (row["estimate"], row["se"], row["ci_low"], row["ci_high"], row["df"], row["n"])
    want = (hill.estimate, hill.se, *hill.ci, hill.df, hill.n)
    assert got == pytest.approx(want, rel=1e-12)
    assert list(table.columns[:5]) == ["township", "estimate", "se", "ci_low", "ci_high"]


def test_by_two_columns_and_na_rm_as_domain() -> None:
    frame = pd.read_csv(DATA / "stratified.csv")
    frame.loc[[0, 5], "income"] = np.nan
    d = SurveyDesign(frame, strata="stratum", fpc="N")
    table = d.by(["stratum", "township"]).mean("income", na_rm=True)
    assert len(table) == frame.groupby(["stratum", "township"]).ngroups
    with pytest.raises(DesignError, match="missing value"):
        d.mean("income")
    dropped = d.mean("income", na_rm=True)
    masked = d.subset(frame["income"].notna()).mean("income")
    assert (dropped.estimate, dropped.se, dropped.n) == pytest.approx(
        (masked.estimate, masked.se, masked.n), rel=1e-12
    )


def test_boolean_and_nullable_columns() -> None:
    frame = srs(50, 5, 500)
    frame["wrong_nullable"] = frame["wrong"].astype("boolean")
    frame["wrong_object"] = frame["wrong"].astype(object)
    frame["wrong_int"] = frame["wrong"].astype("Int64")
    d = SurveyDesign(frame, fpc="N")
    estimates = {d.proportion(c).estimate for c in frame.columns if c.startswith("wrong")}
    assert estimates == {0.1}


# ---------------------------------------------------------------- result object
def test_estimate_is_immutable_with_frame_and_repr() -> None:
    est = SurveyDesign(srs(149, 3), fpc="N").proportion("wrong", method="beta")
    assert isinstance(est, Estimate)
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.estimate = 0.5  # type: ignore[misc]
    frame = est.to_frame()
    assert frame.shape == (1, 11)
    assert frame.loc[0, "ci_high"] == est.ci[1] and frame.loc[0, "method"] == "beta"
    text = repr(est)
    assert "proportion of wrong" in text and "95% CI" in text and "beta" in text
    assert "df=148" in text and "n=149" in text
    assert est.upper_bound(0.95) < est.ci[1]


def test_design_repr() -> None:
    d = SurveyDesign(srs(10, 1, 100), fpc="N")
    assert repr(d) == (
        "SurveyDesign(n=10, strata=1, psu=rows, weights=from fpc, fpc=N, df=9, lonely_psu='fail')"
    )


# ---------------------------------------------------------------- user errors
@pytest.mark.parametrize(
    ("kwargs", "message", "error"),
    [
        ({"strata": "county"}, "strata column 'county' is not in the table", ValueError),
        ({"fpc": None}, "give weights=", ValueError),
        ({"fpc": "N", "lonely_psu": "drop"}, "lonely_psu must be one of", ValueError),
        ({"fpc": ("N", "N")}, "needs ssu=", ValueError),
        ({"fpc": "N", "ssu": "household_id"}, "needs psu", ValueError),
        ({"fpc": "weight"}, "population count 2 but 3 sampled", DesignError),
        ({"weights": "income", "fpc": "N", "strata": "household_id"}, "only one PSU", DesignError),
    ],
)
def test_bad_design_arguments(kwargs: dict, message: str, error: type[Exception]) -> None:
    """Misuse of the API is a ValueError; data the design cannot use is a DesignError."""
    frame = srs(3, 1, 30).assign(weight=2.0)
    with pytest.raises(error, match=message):
        SurveyDesign(frame, **kwargs)


def test_psu_not_nested_and_varying_fpc() -> None:
    frame = pd.DataFrame(
        {"s": ["a", "a", "b", "b"], "p": [1, 2, 2, 3], "w": 1.0, "N": [5, 5, 6, 7], "y": 1.0}
    )
    with pytest.raises(
        DesignError, match=r"PSU 2 \(row 1\) of column 'p' appears in more than one stratum"
    ):
        SurveyDesign(frame, strata="s", psu="p", weights="w")
    with pytest.raises(DesignError, match="fpc column 'N' varies within stratum 'b'"):
        SurveyDesign(frame.assign(p=[1, 2, 3, 4]), strata="s", psu="p", weights="w", fpc="N")
    with pytest.raises(DesignError, match="weights column 'w' must be positive"):
        SurveyDesign(frame.assign(w=[1.0, 0.0, 1.0, 1.0]), weights="w")
    with pytest.raises(DesignError, match="weights cannot be derived"):
        SurveyDesign(frame.assign(N=np.nan), fpc="N")


def test_bad_estimation_arguments() -> None:
    d = SurveyDesign(srs(20, 2, 200).assign(label="x"), fpc="N")
    with pytest.raises(ValueError, match="analysis variable column 'wrongs' is not in the table"):
        d.mean("wrongs")
    with pytest.raises(DesignError, match="must be 0/1 or boolean"):
        d.proportion("income")
    with pytest.raises(DesignError, match="must be numeric or boolean"):
        d.mean("label")
    with pytest.raises(RequestError, match="unknown interval method"):
        d.proportion("wrong", method="wilson")
    with pytest.raises(RequestError, match="between 0 and 1"):
        d.mean("income", level=95)
    with pytest.raises(ValueError, match="domain column"):
        d.by("village")
    with pytest.raises(DesignError, match="no rows"):
        d.subset(np.zeros(20, dtype=bool))
