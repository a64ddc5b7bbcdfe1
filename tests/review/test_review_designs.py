"""Designs draw households with the stated inclusion probabilities; townships hold the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts.errors import ExitcheckError
from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.township import TownshipSpec, synthetic_township
from sampling.allocation import allocate
from sampling.pps import pps_probabilities

TOWN = synthetic_township(TownshipSpec(households=240, villages=12), seed=3)
REPS = 20_000


def _check_frequencies(weights: np.ndarray, pi: np.ndarray) -> None:
    """Empirical inclusion frequency within 4.5 binomial SEs of π for every household."""
    freq = (weights > 0).mean(axis=0)
    se = np.sqrt(pi * (1 - pi) / weights.shape[0])
    z = np.abs(freq - pi) / np.where(se > 0, se, 1)
    assert z.max() < 4.5, z.max()
    assert np.all(freq[pi == 1] == 1)
    # the weight of a selected household is 1/π
    sel = weights > 0
    np.testing.assert_allclose(
        weights[sel], np.broadcast_to(1 / pi, weights.shape)[sel], rtol=1e-12
    )


def test_stratified_probabilities():
    d = draw_stratified(TOWN, 40, REPS, np.random.default_rng(1))
    counts = np.bincount(TOWN.band, minlength=3)
    alloc = allocate(pd.Series(counts), 40, "proportional").to_numpy()
    _check_frequencies(d.weights, (alloc / counts)[TOWN.band])
    assert np.all((d.weights > 0).sum(axis=1) == 40)
    np.testing.assert_allclose(d.weights.sum(axis=1), TOWN.n_households)


def test_cluster_probabilities():
    d = draw_cluster(TOWN, 4, REPS, np.random.default_rng(2))
    _check_frequencies(d.weights, np.full(TOWN.n_households, 4 / 12))


def test_two_stage_probabilities_with_certainty():
    sizes = TOWN.village_sizes
    d = draw_two_stage(TOWN, 8, 6, REPS, np.random.default_rng(3))
    pi_v, certain = pps_probabilities(sizes, 8)
    assert certain.any(), "the test township should force a certainty village at m = 8"
    pi = pi_v[TOWN.village] * np.minimum(6, sizes)[TOWN.village] / sizes[TOWN.village]
    _check_frequencies(d.weights, pi)
    np.testing.assert_allclose(d.weights.sum(axis=1), TOWN.n_households)  # πps: exact


def test_refusals():
    with pytest.raises(ExitcheckError, match="cluster design"):
        draw_cluster(TOWN, 12, 5, np.random.default_rng(0))
    with pytest.raises(ExitcheckError, match="two-stage design"):
        draw_two_stage(TOWN, 5, 1, 5, np.random.default_rng(0))


def test_township_truth_is_exact_and_nested():
    town = synthetic_township(seed=9)
    target = np.asarray(town.rates)
    # realised persons rate within half the largest household of the target
    assert np.all(np.abs(town.true_rate - target) <= town.size.max() / 2 / town.size.sum())
    assert np.all(np.diff(town.wrong.astype(int), axis=1) >= 0)  # nested sets across the grid
    assert np.array_equal(town.wrong, (town.income_ratio < 1) | town.guarantee_fail)
    k = 4
    by_band = [town.wrong[town.band == b, k].mean() for b in range(3)]
    assert by_band[0] > 2 * by_band[2]  # concentrated where the reported margin is small
    with pytest.raises(ExitcheckError, match="icc"):
        synthetic_township(TownshipSpec(icc=1.2))
