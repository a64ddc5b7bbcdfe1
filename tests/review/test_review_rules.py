"""The review's bound rule and its risks: closed forms, the count basis, the large-household
scenario, and the consumer's risk at the threshold for every design and size (simulation with
known truth: the synthetic township's realised rate)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.bounds import kish_size
from evaluation.review import ReviewConfig, synthetic_township
from evaluation.review.designs import draw_stratified
from evaluation.review.estimator import ratio_estimates
from evaluation.review.rules import review_bounds, review_verdicts
from evaluation.review.scenarios import Replications, scenarios, verdict_oc
from evaluation.review.study import draw_all
from evaluation.review.summary import scenario_risks
from sampling.plans import zero_event_upper, zero_failure_plan


def _equal_weight_township():
    """The default township with risk bands of exactly 300 / 525 / 675 households, so that
    proportional allocation of n = 100 or 300 is exact (20/35/45, 60/105/135): equal weights."""
    town = synthetic_township()
    band = np.repeat([0, 1, 2], [300, 525, 675])
    return replace(town, band=np.random.default_rng(0).permutation(band))


@pytest.mark.parametrize("n", [100, 300])
def test_zero_error_bound_is_the_exact_hypergeometric_bound(n):
    """Equal-weight stratified household sample, no wrong exit (true rate 0): the review's
    one-sided 95 % upper bound is zero_event_upper(n, N, 5 %) for households and
    zero_event_upper(n·s, N·s, 5 %) for persons (s = the frame's size factor) — the rule of
    ``zero_failure_plan``, so ``plan``'s n certifies and one household fewer does not."""
    town = _equal_weight_township()
    d = draw_stratified(town, n, 4, np.random.default_rng(1))
    np.testing.assert_allclose(d.weights, np.where(d.weights > 0, 1500 / n, 0.0), rtol=1e-14)
    k = 0  # the 0 % township
    s = town.size_factor
    households = ratio_estimates(d.weights, town.wrong[:, k].astype(float), np.ones(1500), d.layout)
    persons = ratio_estimates(
        d.weights, town.wrong_persons()[:, k].astype(float), town.size.astype(float), d.layout, s
    )
    for est, want in (
        (households, zero_event_upper(n, 1500, 0.05)),
        (persons, zero_event_upper(n * s, 1500 * s, 0.05)),
    ):
        assert (est.events == 0).all()
        np.testing.assert_allclose(review_bounds("beta", est, 0.95)[1], want, rtol=1e-12)
    # the closed form itself: the largest D with C(N − D, n)/C(N, n) > 5 %, divided by N
    d_max = round(float(zero_event_upper(n, 1500, 0.05)) * 1500)
    none = stats.hypergeom.pmf(0, 1500, np.array([d_max, d_max + 1]), n)  # P(none found | D)
    assert none[0] > 0.05 >= none[1]
    plan = zero_failure_plan(0.02, 0.95, 0, 1500).n
    assert zero_event_upper(plan, 1500, 0.05) < 0.02 <= zero_event_upper(plan - 1, 1500, 0.05)


def test_count_basis_of_every_replication():
    """n, N̂, Kish equivalent (``evaluation.bounds.kish_size`` row by row), wrong households
    found and n − H, computed directly from the drawn weights."""
    town = synthetic_township()
    d = draw_stratified(town, 150, 6, np.random.default_rng(2))
    k = 4
    est = ratio_estimates(
        d.weights, town.wrong_persons()[:, k].astype(float), town.size.astype(float), d.layout, 0.8
    )
    for rep, w in enumerate(d.weights):
        drawn = w > 0
        assert est.n[rep] == 150 and est.element_df[rep] == 150 - 3
        assert est.events[rep] == int(town.wrong[drawn, k].sum())
        assert est.households[rep] == pytest.approx(1500, rel=1e-12)
        assert est.equivalent[rep] == pytest.approx(kish_size(w[drawn]) * 0.8, rel=1e-12)
    assert (est.events > 0).any()


def test_large_household_scenario_shares_the_sample_and_moves_the_wrong_exits():
    """γ changes only where the wrong exits are: same villages, bands and sizes (so the same
    draws serve every scenario); at the 2 % grid point the persons rate stays within half the
    largest household of 2 %, and the wrong households are larger (fewer households)."""
    config = ReviewConfig(size_risk_scenarios=(1.0, 2.0))
    base = synthetic_township(config.township, config.rates, config.seed)
    worlds = scenarios(base, config)
    assert [(w.code, w.size_risk) for w in worlds] == [
        ("base", 0.0),
        ("large_households", 1.0),
        ("large_households", 2.0),
    ]
    k = 4
    mean_size = []
    for w in worlds:
        t = w.township
        for attr in ("village", "band", "size"):
            assert np.array_equal(getattr(t, attr), getattr(base, attr))
        assert abs(t.true_rate[k] - 0.02) <= t.size.max() / 2 / t.size.sum()
        mean_size.append(t.size[t.wrong[:, k]].mean())
    assert mean_size[0] < mean_size[1] < mean_size[2]
    assert mean_size[1] > base.size.mean() + 0.5  # the odds ∝ m: size-biased, E[m²]/E[m]
    assert worlds[1].township.true_rate_households[k] < base.true_rate_households[k]


def _risks(reps: int) -> pd.DataFrame:
    """Consumer's and producer's risks of the default config's designs and sizes, base and
    γ = 1, exactly as ``run_review`` draws them (same seed, same draw order)."""
    config = ReviewConfig(reps=reps, size_risk_scenarios=(1.0,))
    town = synthetic_township(config.township, config.rates, config.seed)
    worlds = scenarios(town, config)
    rng = np.random.default_rng(config.seed)
    rows = [
        row
        for d in draw_all(town, config, rng)
        for w in worlds
        for row in verdict_oc(w, Replications(d), config)
    ]
    return scenario_risks(pd.DataFrame(rows), config)


def _check_consumer_risk(table: pd.DataFrame, reps: int) -> None:
    assert len(table) == 2 * 9  # 2 scenarios × (3 stratified + 3 cluster + 3 two-stage)
    se = np.sqrt(table["consumer_risk"] * (1 - table["consumer_risk"]) / reps)
    np.testing.assert_allclose(table["consumer_mc_se"], se, rtol=1e-12)
    over = table[table["consumer_risk"] > 0.05 + 2 * se]
    assert over.empty, over[["scenario", "design_size", "consumer_risk", "consumer_mc_se"]]
    assert table["within"].all()
    # at least one design can certify in each scenario, so the check is not vacuous
    assert (table.groupby("scenario")["producer_risk"].min() < 0.8).all()


def test_consumer_risk_at_the_threshold_small():
    """Consumer's risk P(credible | 2 %) ≤ 5 % + 2 MC SE, every design and size, base and
    wrong exits in large households (γ = 1); 150 replications (MC SE ≤ 1.8 points at 5 %)."""
    _check_consumer_risk(_risks(150), 150)


@pytest.mark.slow
def test_consumer_risk_at_the_threshold_1000_reps():
    """The same with 1,000 replications (MC SE ≤ 0.7 points at 5 %), as ``exitcheck review``
    runs it by default."""
    table = _risks(1000)
    _check_consumer_risk(table, 1000)
    print(table[["scenario", "design_size", "consumer_risk", "producer_risk"]].to_string())


def test_review_verdicts_are_the_verdict_rule():
    """Credible iff the one-sided upper bound < 2 %, not credible iff the lower bound ≥ 2 %."""
    town = synthetic_township()
    d = draw_stratified(town, 300, 50, np.random.default_rng(4))
    est = ratio_estimates(
        d.weights, town.wrong_persons().T.astype(float), town.size.astype(float), d.layout, 0.82
    )
    low, high = review_bounds("beta", est, 0.95)
    codes = review_verdicts("beta", est, 0.95, 0.02)
    np.testing.assert_array_equal(codes == 0, high < 0.02)
    np.testing.assert_array_equal(codes == 2, low >= 0.02)
    assert {0, 1, 2} <= set(np.unique(codes))
