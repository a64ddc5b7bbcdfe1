"""Designs: exact inclusion probabilities (checked by many seeded draws), weights, reserves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data_contracts.errors import ExitcheckError
from sampling.allocation import allocate
from sampling.cluster import cluster_sample
from sampling.frame import build_frame
from sampling.pps import pps_probabilities, systematic_equal, systematic_pps
from sampling.sample import DESIGN_COLUMNS, rank_within
from sampling.stratified import stratified_sample
from sampling.two_stage import two_stage_sample

pytestmark = pytest.mark.slow

SIZES = np.array([40, 25, 12, 8, 5, 3, 30, 2])


def assert_frequencies_match(counts: np.ndarray, pi: np.ndarray, draws: int) -> None:
    """Empirical inclusion counts agree with π: every |z| < 5 and a chi-square p-value > 0.001."""
    random = (pi > 0) & (pi < 1)
    assert np.all(counts[pi == 1] == draws) and np.all(counts[pi == 0] == 0)
    expected = draws * pi[random]
    z = (counts[random] - expected) / np.sqrt(expected * (1 - pi[random]))
    assert np.abs(z).max() < 5
    assert stats.chi2.sf(np.sum(z**2), df=random.sum()) > 1e-3


def test_pps_probabilities_exact_with_certainty() -> None:
    pi, certain = pps_probabilities(SIZES, 4)
    # 4*40/125 = 1.28 -> V00 certain; 3*30/85 = 1.06 -> V06 certain; then 2 draws over 55 households
    assert certain.tolist() == [True, False, False, False, False, False, True, False]
    np.testing.assert_allclose(pi[~certain], 2 * SIZES[~certain] / 55, rtol=1e-15)
    assert pi.sum() == pytest.approx(4)
    pi3, certain3 = pps_probabilities(SIZES, 3)
    assert not certain3.any()
    np.testing.assert_allclose(pi3, 3 * SIZES / 125)


def test_systematic_pps_frequencies() -> None:
    rng = np.random.default_rng(11)
    draws = 8_000
    counts = np.zeros(SIZES.size)
    for _ in range(draws):
        selected, pi = systematic_pps(SIZES, 4, rng)
        assert selected.sum() == 4
        counts += selected
    assert_frequencies_match(counts, pi, draws)


def test_systematic_equal_probability_exact() -> None:
    group = np.repeat([0, 1], [7, 10])
    position = rank_within(group, np.arange(group.size))
    rng = np.random.default_rng(5)
    counts = np.zeros(group.size)
    draws = 8_000
    for _ in range(draws):
        sel = systematic_equal(group, np.array([7, 10]), np.array([3, 4]), position, rng)
        assert sel[:7].sum() == 3 and sel[7:].sum() == 4
        counts += sel
    assert_frequencies_match(counts, np.r_[np.full(7, 3 / 7), np.full(10, 0.4)], draws)


def _counts(frame, draw, draws: int) -> tuple[np.ndarray, pd.DataFrame]:
    ids = frame.units["household_id"]
    counts = np.zeros(len(ids))
    first = None
    for seed in range(draws):
        sample = draw(seed)
        main = sample.main
        counts += ids.isin(main["household_id"]).to_numpy()
        first = first if first is not None else sample
    return counts, first


def _prob_of_every_household(sample, frame) -> np.ndarray:
    return frame.units["household_id"].map(sample.main.set_index("household_id")["prob"]).to_numpy()


@pytest.mark.parametrize("selection", ["srs", "systematic"])
def test_stratified_frequencies_weights_reserves(tables, selection: str) -> None:
    frame = build_frame(*tables, "甲镇")
    draws = 150
    counts, sample = _counts(
        frame,
        lambda s: stratified_sample(frame, 30, s, "village", "proportional", selection, 2),
        draws,
    )
    n_h = sample.allocation.set_index("stratum")
    pi = (n_h["sampled"] / n_h["households"]).reindex(frame.units["village_id"]).to_numpy()
    assert_frequencies_match(counts, pi, draws)
    main = sample.main
    assert list(sample.units.columns[-len(DESIGN_COLUMNS) :]) == list(DESIGN_COLUMNS)
    sums = main.groupby("stratum")["weight"].sum()
    np.testing.assert_allclose(sums, frame.units.groupby("village_id").size().loc[sums.index])
    assert (main["psu"] == main["household_id"]).all() and main["fpc_stage2"].isna().all()
    res = sample.reserves
    assert not res["household_id"].isin(main["household_id"]).any()
    assert (
        res.groupby("reserve_group")["reserve_order"]
        .apply(list)
        .map(lambda o: o == list(range(1, len(o) + 1)))
        .all()
    )
    assert (res["reserve_group"] == res["stratum"]).all()


def test_cluster_pps_and_srs_frequencies(tables) -> None:
    frame = build_frame(*tables, "甲镇")
    draws = 150
    counts, sample = _counts(frame, lambda s: cluster_sample(frame, 3, s, "pps"), draws)
    pi = (3 * SIZES / 125)[frame.units["village_id"].str.slice(1).astype(int)]
    assert_frequencies_match(counts, pi, draws)
    main = sample.main
    assert main["fpc_stage1"].isna().all() and (main["prob_stage2"] == 1).all()
    assert (main["fpc_stage2"] == main.groupby("psu")["psu"].transform("size")).all()
    srs = cluster_sample(frame, 3, 1, "srs").main
    assert (srs["prob"] == 3 / 8).all() and (srs["fpc_stage1"] == 8).all()


def test_two_stage_frequencies_and_certainty_strata(tables) -> None:
    frame = build_frame(*tables, "甲镇")
    draws = 150
    counts, sample = _counts(frame, lambda s: two_stage_sample(frame, 4, 5, s, reserves=2), draws)
    pi_v, _ = pps_probabilities(SIZES, 4)
    v = frame.units["village_id"].str.slice(1).astype(int).to_numpy()
    pi = pi_v[v] * np.minimum(5, SIZES)[v] / SIZES[v]
    assert_frequencies_match(counts, pi, draws)
    got = _prob_of_every_household(sample, frame)
    np.testing.assert_allclose(got[~np.isnan(got)], pi[~np.isnan(got)], rtol=1e-12)
    main = sample.main
    cert = main[main["stratum"].str.startswith("certainty:")]
    assert set(cert["stratum"]) == {"certainty:V00", "certainty:V06"}
    assert (cert["psu"] == cert["household_id"]).all()
    assert cert.groupby("stratum")["weight"].sum().to_dict() == {
        "certainty:V00": 40.0,
        "certainty:V06": 30.0,
    }
    assert (cert["fpc_stage1"] == cert["village_id"].map({"V00": 40, "V06": 30})).all()
    pps = main[main["stratum"] == "pps"]
    assert pps["fpc_stage1"].isna().all() and (pps["psu"] == pps["village_id"]).all()
    np.testing.assert_allclose(pps["prob"], pps["prob_stage1"] * pps["prob_stage2"])
    assert (main["weight"] * main["prob"]).round(12).eq(1).all()


def test_two_stage_weights_sum_to_frame_households(tables) -> None:
    """PPS by size then a fixed take is self-weighting: Σ weights = N in every draw, per stratum."""
    frame = build_frame(*tables, "甲镇")
    for seed in range(5):
        assert two_stage_sample(frame, 3, 4, seed).main["weight"].sum() == pytest.approx(125)
        sums = two_stage_sample(frame, 4, 5, seed).main.groupby("stratum")["weight"].sum()
        assert sums.to_dict() == pytest.approx(
            {"certainty:V00": 40, "certainty:V06": 30, "pps": 55}
        )


def test_same_seed_same_sample_different_seed_differs(tables) -> None:
    frame = build_frame(*tables, "甲镇")
    a = two_stage_sample(frame, 4, 5, 42, reserves=2).units
    pd.testing.assert_frame_equal(a, two_stage_sample(frame, 4, 5, 42, reserves=2).units)
    assert not a["household_id"].equals(
        two_stage_sample(frame, 4, 5, 43, reserves=2).units["household_id"]
    )


def test_allocation_methods() -> None:
    sizes = pd.Series([100, 50, 10, 1], index=["a", "b", "c", "d"])
    prop = allocate(sizes, 32)
    # c raised to its floor of 2, d capped at 1; the other 29 split 100:50 -> 19.3, 9.7
    assert prop.to_dict() == {"a": 19, "b": 10, "c": 2, "d": 1}
    assert allocate(sizes, 20, "equal").to_dict() == {"a": 7, "b": 6, "c": 6, "d": 1}
    ney = allocate(sizes, 30, "neyman", error_rates={"a": 0.01, "b": 0.1, "c": 0.3, "d": 0.5})
    # N_h*S_h = 9.95, 15.0, 4.58, 0.5 -> d capped at 1, 29 split 9.95:15:4.58 = 9.77, 14.73, 4.50
    assert ney.to_dict() == {"a": 10, "b": 15, "c": 4, "d": 1}
    assert allocate(sizes, None, "fixed", fixed={"a": 3, "b": 3, "c": 3, "d": 1}).sum() == 10
    with pytest.raises(ExitcheckError, match="too small"):
        allocate(sizes, 5)
    with pytest.raises(ExitcheckError, match="exceeds"):
        allocate(sizes, 1000)
    with pytest.raises(ExitcheckError, match="missing"):
        allocate(sizes, None, "fixed", fixed={"a": 3})
    with pytest.raises(ExitcheckError, match="error rate"):
        allocate(sizes, 20, "neyman", error_rates={"a": 0.1})


@pytest.mark.parametrize(
    ("design", "params"),
    [
        ("stratified", {"n": 30, "strata": "village", "reserves": 1}),
        ("cluster", {"villages_to_sample": 3, "village_selection": "pps"}),
        ("two-stage", {"villages_to_sample": 4, "households_per_village": 5, "reserves": 1}),
    ],
)
def test_evaluation_reads_every_design(tables, design: str, params: dict) -> None:
    """The sample table is what evaluation.design_from_sample takes: with these designs the
    estimated number of frame households is exact (self-weighting / stratum totals)."""
    from evaluation.design_from_sample import design_from_sample
    from sampling.draw import draw_sample

    frame = build_frame(*tables, "甲镇")
    sample = draw_sample(frame, design, 4, params)
    survey = design_from_sample(sample.main.assign(one=1.0), sample.design)
    est = survey.total("one")
    assert est.estimate == pytest.approx(125)
    assert est.se == pytest.approx(0, abs=1e-9)


def test_fixed_allocation_with_an_empty_stratum_has_no_reserves_there(tables) -> None:
    frame = build_frame(*tables, "甲镇")
    fixed = {f"V{i:02d}": 2 for i in range(8)} | {"V03": 0}
    sample = stratified_sample(frame, None, 1, "village", "fixed", reserves=2, fixed=fixed)
    assert len(sample.main) == 14 and "V03" not in set(sample.units["stratum"])
    assert np.isfinite(sample.units["weight"]).all()
    assert sample.allocation.set_index("stratum").loc["V03", "reserves"] == 0
