"""Family-wise control of "not credible" and the intersection–union "credible", by simulation.

Known truth: a township of 3900 exited households (equal sizes) — six exited key villages of 150
households, each sampled at 60 (SRS without replacement within the village, its own test of the
wrong-exit rate against its rate threshold r* = 4%), and 3000 other households sampled at 240
(strata: the villages and the rest). Every standard is met by one household: 5 wrong households
in each village (3.3% < 4%), 47 among the others, 77 in all (1.97% < 2%). A "not credible"
township is then a false alarm. The p-values and bounds are the assessment's own
(evaluation.bounds); Holm's step-down is evaluation.verdict.holm_rejections.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from evaluation.bounds import certifies, failure_p_values
from evaluation.verdict import holm_rejections

REPS = 20_000
VILLAGES, N_V, n_V, R_STAR = 6, 150, 60, 0.04
N_O, n_O = 3000, 240
N, n = VILLAGES * N_V + N_O, VILLAGES * n_V + n_O


def draw(wrong_village: int, wrong_other: int, seed: int):
    """Wrong households found per village (R × 6) and among the others (R,)."""
    rng = np.random.default_rng(seed)
    k_v = stats.hypergeom.rvs(N_V, wrong_village, n_V, size=(REPS, VILLAGES), random_state=rng)
    k_o = stats.hypergeom.rvs(N_O, wrong_other, n_O, size=REPS, random_state=rng)
    return k_v, k_o


def village_tests(k_v):
    p = k_v / n_V
    se = np.sqrt((1 - n_V / N_V) * p * (1 - p) / (n_V - 1))
    args = (p, se, n_V - 1, n_V, n_V / N_V, k_v, n_V - 1)
    return args


def township_test(k_v, k_o):
    """The stratified estimate (strata = villages and the rest), its SRSWOR SE, Kish's e."""
    share = np.r_[np.full(VILLAGES, N_V), N_O] / N
    fpc = np.r_[np.full(VILLAGES, 1 - n_V / N_V), 1 - n_O / N_O]
    size = np.r_[np.full(VILLAGES, n_V), n_O]
    p_h = np.column_stack([k_v / n_V, k_o / n_O])
    p = p_h @ share
    var = (share**2 * fpc * p_h * (1 - p_h) / (size - 1)) @ np.ones(VILLAGES + 1)
    weights = np.r_[np.full(n_V * VILLAGES, N_V / n_V), np.full(n_O, N_O / n_O)]
    kish = weights.sum() ** 2 / np.square(weights).sum()
    events = k_v.sum(axis=1) + k_o
    df = n - (VILLAGES + 1)
    return (p, np.sqrt(var), df, kish, n / N, events, df)


def p_values(k_v, k_o):
    town = failure_p_values(*township_test(k_v, k_o), 0.02, 0.95)
    villages = failure_p_values(*village_tests(k_v), R_STAR, 0.95)
    return np.column_stack([town, villages])


def test_holm_keeps_false_not_credible_below_five_percent():
    k_v, k_o = draw(5, 47, seed=11)
    p = p_values(k_v, k_o)
    family = holm_rejections(p, 0.05).any(axis=1).mean()
    unadjusted = (p <= 0.05).any(axis=1).mean()
    mc = np.sqrt(0.05 * 0.95 / REPS)
    assert family <= 0.05 + 2 * mc, family
    # the unadjusted rule (any indicator at 5%) alarms more often: what Holm fixes
    assert unadjusted > family
    # each single test is valid on its own (the count rule is conservative, exact at 0)
    assert ((p <= 0.05).mean(axis=0) <= 0.05 + 2 * mc).all()


def test_credible_is_an_intersection_union_test():
    """One indicator exactly at its standard (78 wrong households = 2.0% of 3900) and every
    village well inside: the township is certified only if the township rate is, so P(credible)
    ≤ 5% — no adjustment is needed for "credible"."""
    k_v, k_o = draw(2, 66, seed=12)
    town = certifies(*township_test(k_v, k_o), 0.95, 0.02)
    credible = town & certifies(*village_tests(k_v), 0.95, R_STAR).all(axis=1)
    mc = np.sqrt(0.05 * 0.95 / REPS)
    assert credible.mean() <= 0.05 + 2 * mc, credible.mean()
    # and a village at its standard (6 of 150 = 4%) also keeps the township from credible
    k_v, k_o = draw(6, 30, seed=13)
    assert certifies(*village_tests(k_v), 0.95, R_STAR)[:, 0].mean() <= 0.05 + 2 * mc
