"""Exited key villages: each judged on its own evidence (closed form, R-validated design,
simulation with known truth), not-assessable reasons, infrastructure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import make_villages
from hypothesis import given, settings
from hypothesis import strategies as st

from data_contracts.errors import ExitcheckError
from evaluation.bounds import count_bounds, count_interval
from evaluation.survey_design import SurveyDesign
from evaluation.verdict import Thresholds
from evaluation.villages import (
    exited_key_villages,
    infrastructure_check,
    judge_villages,
    key_village_incidence,
    own_rates,
    village_frame,
)

LEVEL = 0.95


def villages() -> pd.DataFrame:
    v = make_villages(("V1", "V2", "V3", "V4"))
    v.loc[2, "key_village"] = False
    v.loc[3, "exited"] = False
    v.loc[0, "poor_population_remaining"] = 12
    return pd.concat([v, make_villages(("W1",), township="T2")], ignore_index=True)


def frame_of(sizes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Exited households of the frame: village_id and registered household size."""
    return pd.DataFrame(
        {
            "village_id": np.concatenate([[v] * len(s) for v, s in sizes.items()]),
            "household_size": np.concatenate(list(sizes.values())),
        }
    )


def survey_of(ids, population, poor) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": list(ids),
            "verified_registered_population": population,
            "verified_poor_remaining": poor,
        }
    )


# V1: 50 exited households (sizes 1–5 in turn), the first 10 interviewed with equal weights,
# households 0 and 3 wrong exits (k = 2). V2: fully enumerated (8 of 8), one wrong exit.
SIZES_V1 = 1 + np.arange(50) % 5
SIZES_V2 = np.array([2, 3, 1, 4, 2, 5, 3, 2])
WRONG_V1 = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
WRONG_V2 = np.array([0, 0, 1, 0, 0, 0, 0, 0])


def interviewed_v1_v2() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": ["V1"] * 10 + ["V2"] * 8,
            "weight": [5.0] * 10 + [1.0] * 8,
            "size": np.concatenate([SIZES_V1[:10], SIZES_V2]),
            "wrong": np.concatenate([WRONG_V1, WRONG_V2]),
        }
    )


def test_selection_and_registry_incidence():
    key = exited_key_villages(villages(), "T1")
    assert list(key["village_id"]) == ["V1", "V2"]
    assert list(key["registry_incidence"]) == [0.012, 0.010]


def test_own_rate_is_the_srswor_ratio_within_the_village():
    frame = frame_of({"V1": SIZES_V1, "V2": SIZES_V2, "V9": np.array([3, 3])})
    rates = own_rates(interviewed_v1_v2(), village_frame(frame, ["V1", "V2"]), LEVEL)
    v1 = rates.loc["V1"]
    # closed form, SRS without replacement of n = 10 of N = 50 households (f = 0.2):
    # r = Σ m y / Σ m, se² = (1 − f) / (n x̄²) · Σ (m_i y_i − r m_i)² / (n − 1)
    m, y = SIZES_V1[:10].astype(float), WRONG_V1
    r = (m * y).sum() / m.sum()
    se = np.sqrt((1 - 0.2) / (10 * m.mean() ** 2) * ((m * y - r * m) ** 2).sum() / 9)
    assert v1["rate"] == pytest.approx(r, rel=1e-14) and r == pytest.approx(5 / 30)
    assert v1["rate_se"] == pytest.approx(se, rel=1e-12)
    assert (v1["interviewed"], v1["frame_households"], v1["wrong_households"]) == (10, 50, 2)
    assert v1["rate_df"] == 9 and v1["fraction"] == pytest.approx(0.2)
    # equivalent households: Kish size 10 (equal weights) × (Σ M)² / (N Σ M²) of the frame
    factor = SIZES_V1.sum() ** 2 / (50 * (SIZES_V1.astype(float) ** 2).sum())
    assert factor == pytest.approx(150**2 / (50 * 550))
    assert v1["equivalent"] == pytest.approx(10 * factor)
    hand = (r, se, 9, 10 * factor, 0.2, 2, 9, LEVEL)
    low, high = (float(b) for b in count_bounds(*hand))
    ci = tuple(float(b) for b in count_interval(*hand))
    assert (v1["rate_bound_low"], v1["rate_bound_high"]) == pytest.approx((low, high), rel=1e-12)
    assert (v1["rate_ci_low"], v1["rate_ci_high"]) == pytest.approx(ci, rel=1e-12)
    assert v1["rate_bound_low"] < r < v1["rate_bound_high"]
    zero = float(count_bounds(0.0, 0.0, 9, 10 * factor, 0.2, 0, 9, LEVEL)[1])
    assert v1["zero_bound"] == pytest.approx(zero) and 0 < zero < v1["rate_bound_high"]
    # V2 fully enumerated: its rate is known exactly — se 0, bounds equal it, no NaN
    v2 = rates.loc["V2"]
    exact = 1 / SIZES_V2.sum()
    assert v2["census"] and v2["rate"] == pytest.approx(exact) and v2["rate_se"] == 0
    for end in ("rate_ci_low", "rate_ci_high", "rate_bound_low", "rate_bound_high"):
        assert v2[end] == pytest.approx(exact)
    assert v2["zero_bound"] == 0


def test_unequal_weights_match_the_r_validated_survey_design():
    """Design weights within the village (a risk-stratified township sample): the ratio and
    its linearised SE equal SurveyDesign's (R ``svyratio``) with one stratum and fpc N_v."""
    rng = np.random.default_rng(11)
    n, big_n = 14, 90
    data = pd.DataFrame(
        {
            "village_id": "V1",
            "weight": rng.choice([4.0, 7.5, 12.0], n),
            "size": rng.integers(1, 7, n).astype(float),
            "wrong": (rng.random(n) < 0.3).astype(float),
            "fpc": float(big_n),
        }
    )
    data["wrong_persons"] = data["size"] * data["wrong"]
    frame = frame_of({"V1": rng.integers(1, 7, big_n)})
    rates = own_rates(data, village_frame(frame, ["V1"]), LEVEL).loc["V1"]
    design = SurveyDesign(data, weights="weight", fpc="fpc")
    reference = design.ratio("wrong_persons", "size")
    assert rates["rate"] == pytest.approx(reference.estimate, rel=1e-12)
    assert rates["rate_se"] == pytest.approx(reference.se, rel=1e-10)
    w = data["weight"].to_numpy()
    assert rates["equivalent"] < n * w.sum() ** 2 / (n * (w**2).sum()) + 1e-9  # Kish × factor


def test_comprehensive_incidence_closed_form_and_census():
    key = exited_key_villages(villages(), "T1")
    frame = frame_of({"V1": SIZES_V1, "V2": SIZES_V2})
    rates = own_rates(interviewed_v1_v2(), village_frame(frame, key["village_id"]), LEVEL)
    survey = survey_of(["V1", "V2"], [1200, 400], [6, 2])
    out = key_village_incidence(key, rates, survey, 0.02).set_index("village_id")
    v1, x1 = out.loc["V1"], SIZES_V1.sum()
    assert v1["exited_persons"] == x1 == 150
    # (P + X·r) / Pop with the village survey's counts, bounds mapped through the same line
    assert v1["estimate"] == pytest.approx((6 + x1 * v1["rate"]) / 1200)
    assert v1["bound_high"] == pytest.approx((6 + x1 * v1["rate_bound_high"]) / 1200)
    assert v1["ci_low"] == pytest.approx((6 + x1 * v1["rate_ci_low"]) / 1200)
    assert v1["se"] == pytest.approx(x1 * v1["rate_se"] / 1200)
    assert v1["wrong_exit_persons"] == pytest.approx(x1 * 5 / 30)
    assert v1["rate_threshold"] == pytest.approx((0.02 * 1200 - 6) / 150)
    assert v1["verified_incidence"] == pytest.approx(6 / 1200) and v1["registry_incidence"] == 0.012
    # the zero-error bound of 10 of 50 households (≈ 20%) is above r* = 12%: not certifiable
    assert v1["zero_bound"] > v1["rate_threshold"] and v1["uncertifiable"] == "too_few_households"
    # V2 fully enumerated: exact incidence (2 + 1·… wrong person) / 400, no NaN anywhere
    v2 = out.loc["V2"]
    assert v2["estimate"] == pytest.approx((2 + 1) / 400) and v2["se"] == 0
    assert v2[["ci_low", "ci_high", "bound_low", "bound_high"]].tolist() == [v2["estimate"]] * 4
    assert v2["uncertifiable"] is None
    judged = judge_villages(out.reset_index(), Thresholds(), {})
    census = judged[("village_incidence", "V2")]
    assert census.verdict == "credible" and census.additional_n is None
    assert judged[("village_incidence", "V1")].verdict == "not_assessable"
    # its own extra sample: at most the 40 households of V1 not yet interviewed
    assert 0 < judged[("village_incidence", "V1")].additional_n <= 40


def test_not_assessable_reasons_and_failing_villages_stay_failing():
    key = exited_key_villages(villages(), "T1")
    frame = frame_of({"V1": SIZES_V1, "V2": SIZES_V2})
    ids = key["village_id"]
    interviewed = interviewed_v1_v2().query("village_id == 'V1'")
    rates = own_rates(interviewed, village_frame(frame, ids), LEVEL)
    t = Thresholds()
    # no village survey: nothing verified, every key village not assessable
    none = key_village_incidence(key, rates, None, 0.02)
    assert none["uncertifiable"].tolist() == ["no_village_survey"] * 2
    assert none["estimate"].isna().all() and none["verified_incidence"].isna().all()
    judged = judge_villages(none, t, {})
    assert [i.verdict for i in judged.values()] == ["not_assessable"] * 2
    # V2 surveyed but none of its 8 households interviewed: r ∈ [0, 1], bounds the extremes
    survey = survey_of(["V1", "V2"], [1200, 400], [6, 2])
    out = key_village_incidence(key, rates, survey, 0.02).set_index("village_id")
    v2 = out.loc["V2"]
    assert v2["uncertifiable"] == "no_sampled_households" and np.isnan(v2["estimate"])
    assert (v2["bound_low"], v2["bound_high"]) == pytest.approx((2 / 400, (2 + 22) / 400))
    # the verified poor alone put V2 at 3%: its data show it failing whatever r is
    failing = survey_of(["V1", "V2"], [1200, 400], [6, 12])
    out = key_village_incidence(key, rates, failing, 0.02)
    judged = judge_villages(out, t, {})
    assert judged[("village_incidence", "V2")].verdict == "not_credible"
    assert judged[("village_incidence", "V1")].verdict == "not_assessable"


def test_village_without_exited_households_is_exact():
    key = exited_key_villages(villages(), "T1")
    rates = own_rates(interviewed_v1_v2(), village_frame(frame_of({"V1": SIZES_V1}), ["V2"]), LEVEL)
    out = key_village_incidence(key.iloc[[1]], rates, survey_of(["V2"], [400], [2]), 0.02)
    row = out.iloc[0]
    assert row["exited_persons"] == 0 and row["census"] and row["uncertifiable"] is None
    assert row["estimate"] == row["bound_high"] == pytest.approx(2 / 400)


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
    assert infrastructure_check(key, None)["verified"].isna().all()


# ---------------------------------------------------------------------------- simulation
def _plant(rng, households: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Household sizes 1–6 and wrong exits planted until their persons reach ``rate``."""
    sizes = rng.integers(1, 7, households)
    order = rng.permutation(households)
    reached = np.cumsum(sizes[order]) <= rate * sizes.sum()
    wrong = np.zeros(households)
    wrong[order[reached]] = 1.0
    return sizes, wrong


def _replicate(sizes, wrong, poor, population, n, reps, seed):
    """``reps`` SRS of ``n`` of the village's households (no loop over households), each
    assessed as a village of its own; returns the village table and the verdict codes."""
    rng = np.random.default_rng(seed)
    big_n = len(sizes)
    take = np.argsort(rng.random((reps, big_n)), axis=1)[:, :n]
    ids = np.array([f"R{i}" for i in range(reps)])
    interviewed = pd.DataFrame(
        {
            "village_id": np.repeat(ids, n),
            "weight": big_n / n,
            "size": sizes[take].ravel(),
            "wrong": wrong[take].ravel(),
        }
    )
    one = village_frame(frame_of({"V": sizes}), ["V"])
    frames = pd.DataFrame(np.repeat(one.to_numpy(), reps, axis=0), columns=one.columns)
    frames.index = pd.Index(ids, name="village_id")
    key = pd.DataFrame(
        {
            "village_id": ids,
            "village": ids,
            "registered_population": population,
            "poor_population_remaining": poor,
            "registry_incidence": poor / population,
        }
    )
    table = key_village_incidence(
        key,
        own_rates(interviewed, frames, LEVEL),
        survey_of(ids, population, poor),
        0.02,
    )
    verdicts = np.array([i.verdict for i in judge_villages(table, Thresholds(), {}).values()])
    return table, verdicts


@pytest.mark.parametrize("n", [15, 40])
def test_village_intervals_cover_the_truth_with_clustered_wrong_exits(n):
    """Known truth: a village whose wrong exits cluster (35% of exited persons wrong, true
    comprehensive incidence ≈ 10%) and one at ≈ 1.3%. Over 400 within-village SRS of n
    households the 95% interval covers the true incidence ≥ 93% of the time (or the village is
    reported not assessable), and the 1.3% village is not judged not credible in more than
    5% + 2 MC SE (the township-rate borrowing did 0–1% and 84%)."""
    reps = 400
    rng = np.random.default_rng(20261202)
    clustered = _plant(rng, 120, 0.35)
    near = _plant(rng, 100, 0.042)
    mc = 2 * np.sqrt(0.05 * 0.95 / reps)
    for (sizes, wrong), poor, target in ((clustered, 6, 0.10), (near, 10, 0.013)):
        wrong_persons = (sizes * wrong).sum()
        population = round((poor + wrong_persons) / target)
        truth = (poor + wrong_persons) / population
        assert truth == pytest.approx(target, rel=0.03)
        table, verdicts = _replicate(sizes, wrong, poor, population, n, reps, seed=n)
        covered = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
        unchecked = verdicts == "not_assessable"
        assert (covered | unchecked).mean() >= 0.93, (target, n, covered.mean())
        if target < 0.02:
            assert (verdicts == "not_credible").mean() <= 0.05 + mc
        else:  # the clustered village is assessable and found out in most samples
            assert (verdicts == "not_credible").mean() > 0.5
            assert covered[~unchecked].mean() >= 0.93


@settings(max_examples=40, deadline=None)
@given(
    big_n=st.integers(2, 150),
    data=st.data(),
)
def test_too_few_households_means_no_outcome_could_certify(big_n, data):
    """Over villages, sample sizes and numbers of wrong households found: the upper bound is
    never below the zero-error bound, so a village flagged ``too_few_households`` (zero-error
    bound ≥ r*) could not have been certified by any outcome of its sample; a census is exact."""
    n = data.draw(st.integers(1, big_n), label="n")
    k = data.draw(st.integers(0, n), label="k")
    sizes = np.array(data.draw(st.lists(st.integers(1, 8), min_size=big_n, max_size=big_n)))
    wrong = np.zeros(n)
    wrong[:k] = 1
    interviewed = pd.DataFrame(
        {"village_id": "V", "weight": big_n / n, "size": sizes[:n], "wrong": wrong}
    )
    row = own_rates(interviewed, village_frame(frame_of({"V": sizes}), ["V"]), LEVEL).loc["V"]
    assert row["rate_bound_high"] >= row["zero_bound"] - 1e-12
    assert row["rate_bound_low"] <= row["rate"] <= row["rate_bound_high"]
    assert row["rate_ci_low"] <= row["rate_bound_low"] + 1e-12
    assert row["rate_bound_high"] <= row["rate_ci_high"] + 1e-12
    if n == big_n:
        assert row["rate_se"] == 0 and row["rate_ci_low"] == row["rate_ci_high"] == row["rate"]
