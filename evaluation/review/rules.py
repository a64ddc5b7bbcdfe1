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
as the assessment computes them, and ``beta_raw`` — Korn–Graubard without the household floor
of the person-rate SE (R's ``svyciprop`` applied to the ratio), to show why the floor is needed."""


def review_interval(
    method: str,
    est: np.ndarray,
    se: np.ndarray,
    df: np.ndarray,
    level: float,
    n: np.ndarray,
    persons: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of ``evaluation.intervals`` as the assessment applies it (``evaluation.rates``).

    For the rate by persons the SE is floored at household level (``household_floor``: a person
    rate carries no more information than its n households), except for ``beta_raw``. Without the
    floor n* = p(1−p)/se² counts persons, so one wrong single-person household among n sampled
    households can yield n* ≫ n and an upper bound below 2 %.
    """
    if persons and method != "beta_raw":
        se = household_floor(est, se, n)
    return interval("beta" if method == "beta_raw" else method, est, se, df, level, n)
