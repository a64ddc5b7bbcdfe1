"""The interval methods and the verdict rule applied to arrays of replications (判定规则).

Every wrong-exit rate (错退率, persons and households) is bounded exactly as the assessment
bounds it (``evaluation.rates.Designs.estimate(..., counts=True)``): Korn–Graubard by the one
effective-sample-size rule of :mod:`evaluation.bounds` for ``beta``, the same cap as an SE floor
(``household_floor``) for the other methods. The verdict is ``evaluation.verdict.verdict_codes``
(one-sided bounds at the verdict level against the threshold), the array core of ``judge``.
"""

from __future__ import annotations

import numpy as np

from evaluation.bounds import count_bounds, count_interval
from evaluation.intervals import interval, one_sided_bound
from evaluation.rates import household_floor
from evaluation.review.estimator import RatioEstimates
from evaluation.verdict import verdict_codes

CI_METHODS = ("beta", "beta_raw", "logit", "mean")
"""The methods the review compares: Korn–Graubard by the household count rule (the default),
logit and Wald (``mean``) as the assessment computes them, and ``beta_raw`` — Korn–Graubard on
the unfloored linearised SE with n* uncapped (R's ``svyciprop``), to show why the rule is
needed."""


def _basis(est: RatioEstimates) -> tuple[np.ndarray, ...]:
    """(estimate, se, df, equivalent, fraction, events, element_df, n), per-replication arrays
    given a trailing axis when the estimates are (R × K)."""
    wide = est.estimate.ndim == 2

    def col(a: np.ndarray) -> np.ndarray:
        return a[:, None] if wide else a

    return (
        est.estimate,
        est.se,
        col(est.df),
        col(est.equivalent),
        col(est.fraction),
        est.events,
        col(est.element_df),
        col(est.n),
    )


def review_interval(
    method: str, est: RatioEstimates, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval at ``level`` of every replication, as the assessment computes it."""
    p, se, df, e, f, k, edf, n = _basis(est)
    if method == "beta":
        return count_interval(p, se, df, e, f, k, edf, level)
    if method == "beta_raw":
        return interval("beta", p, se, df, level, n)
    return interval(method, p, household_floor(p, se, e, f), df, level, n)


def review_bounds(method: str, est: RatioEstimates, level: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided (lower, upper) bounds at ``level``, as ``Estimate.bounds`` computes them."""
    p, se, df, e, f, k, edf, n = _basis(est)
    if method == "beta":
        return count_bounds(p, se, df, e, f, k, edf, level)
    if method != "beta_raw":
        se = household_floor(p, se, e, f)
    name = "beta" if method == "beta_raw" else method
    return tuple(one_sided_bound(name, p, se, df, level, side, n) for side in ("lower", "upper"))


def mc_se(p: np.ndarray, reps: int) -> np.ndarray:
    """Monte Carlo standard error √(p(1 − p)/R) of a probability simulated in ``reps``
    replications (a coverage, P(credible), a consumer's risk)."""
    return np.sqrt(p * (1 - p) / reps)


def review_verdicts(method: str, est: RatioEstimates, level: float, threshold: float) -> np.ndarray:
    """Verdict codes (0 credible, 1 inconclusive, 2 not credible) of every replication: the
    one-sided bounds at the verdict ``level`` against the wrong-exit ``threshold``."""
    low, high = review_bounds(method, est, level)
    return verdict_codes(low, high, threshold)
