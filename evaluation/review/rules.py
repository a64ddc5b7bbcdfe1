"""The interval methods and the verdict rule applied to arrays of replications (判定规则).

Intervals come from ``evaluation.intervals``; the verdict is ``evaluation.verdict.verdict_codes``
(one-sided bounds at the verdict level against the threshold), the array core of ``judge``.
"""

from __future__ import annotations

import numpy as np

from evaluation.intervals import interval
from evaluation.rates import household_floor

CI_METHODS = ("beta", "beta_raw", "logit", "mean")
"""The methods the review compares: Korn–Graubard (the default near 0), logit and Wald (``mean``)
as the assessment computes them, and ``beta_raw`` — Korn–Graubard on the unfloored linearised SE
(R's ``svyciprop``), to show why the household floor is needed."""


def review_interval(
    method: str,
    est: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    level: float,
    n: np.ndarray,
    fraction: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of ``evaluation.intervals`` exactly as the assessment applies it to 错退率.

    ``evaluation.rates`` floors the SE of every wrong-exit rate, by persons and by households, at
    the household SRSWOR SE (``household_floor`` with n interviewed households and sampling
    fraction f = n ÷ N̂); ``beta_raw`` keeps the unfloored SE. Without the floor a person rate's
    n* = p(1−p)/se² counts persons, so one wrong single-person household among n sampled
    households can yield n* ≫ n and an upper bound below 2 %; a household rate from internally
    homogeneous strata gets a linearised SE near 0.
    """
    if method == "beta_raw":
        return interval("beta", est, se, df, level, n)
    return interval(method, est, household_floor(est, se, n, fraction), df, level, n)
