"""Confidence intervals for design-based estimates (置信区间), vectorised over numpy arrays.

Every function takes arrays (or scalars) of estimates, standard errors and degrees of freedom and
returns ``(lower, upper)`` arrays, so a Monte Carlo study can evaluate thousands of replications in
one call. The proportion methods follow R's ``survey::svyciprop`` (survey 4.1-1):

- ``"beta"``  Korn–Graubard: effective sample size n* = p(1−p)/se², scaled by
  (t_{α/2, n−1} / t_{α/2, df})², then Clopper–Pearson limits with n*·p successes out of n*.
  At p = 0 or 1 the variance carries no information and R returns NaN; we use n* = n (the sampled
  rows), as Korn & Graubard (1998) recommend, so a zero-event SRS gives the exact Clopper–Pearson
  bound (0 of 149 → 95 % one-sided upper bound 1 − 0.05^(1/149) ≈ 0.0199).
- ``"logit"`` / ``"xlogit"``  Wald interval on the logit scale with t quantile, back-transformed
  (R's svyglm-based ``"logit"`` and delta-method ``"xlogit"`` coincide for an intercept-only model).
- ``"asin"``  Wald interval for asin(√p), back-transformed. R does not clip the transformed
  limits to [0, π/2], so its lower limit can fold back above 0; we clip (the only difference).
- ``"mean"``  Wald interval p ± t·se, clipped to [0, 1] (R does not clip).

R's ``"likelihood"`` is not provided: R interpolates a spline through a coarse profile grid, which
cannot be reproduced to 1e-6; ``"xlogit"``/``"logit"`` and ``"beta"`` cover the same ground.
At p = 0 or 1 the transformation methods have no defined standard error; they return the degenerate
interval [p, p] (R returns NaN or a near-zero interval). Use ``"beta"`` for rare events.
A one-sided bound at level L is the matching end of the two-sided interval at level 2L − 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from data_contracts.errors import RequestError

FloatArray = NDArray[np.float64]
PROPORTION_METHODS = ("beta", "logit", "xlogit", "asin", "mean")


def check_level(level: float) -> float:
    """Return ``level`` as float, raising RequestError unless 0 < level < 1."""
    level = float(level)
    if not 0.0 < level < 1.0:
        raise RequestError(f"confidence level must be between 0 and 1 (exclusive), got {level}")
    return level


def check_method(method: str) -> str:
    """Return ``method``, raising RequestError unless it is one of :data:`PROPORTION_METHODS`."""
    if method not in PROPORTION_METHODS:
        expected = ", ".join(PROPORTION_METHODS)
        raise RequestError(f"unknown interval method {method!r}; expected one of {expected}")
    return method


def t_quantile(prob: ArrayLike, df: ArrayLike) -> FloatArray:
    """Student t quantile as R's ``qt``: df = inf gives the normal quantile, df <= 0 gives NaN."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(prob, np.where(df > 0, df, np.nan))
    return np.asarray(q, dtype=float)


def wald_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Symmetric interval estimate ± t_{1−α/2, df}·se (R's ``confint(..., df=degf(design))``)."""
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    half = t_quantile(0.5 + check_level(level) / 2, df) * se
    return estimate - half, estimate + half


def beta_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Korn–Graubard interval as R's ``svyciprop(method="beta")``; n = sampled rows."""
    p, se, n = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (estimate, se, n)))
    alpha = 1.0 - check_level(level)
    edge = (p <= 0.0) | (p >= 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(edge, n, p * (1.0 - p) / se**2)
        n_eff = n_eff * (t_quantile(alpha / 2, n - 1.0) / t_quantile(alpha / 2, df)) ** 2
        lower = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1.0 - p) + 1.0)
        upper = stats.beta.ppf(1.0 - alpha / 2, n_eff * p + 1.0, n_eff * (1.0 - p))
    lower = np.where(p <= 0.0, 0.0, lower)
    upper = np.where(p >= 1.0, 1.0, upper)
    exact = ~edge & (se == 0.0)  # no sampling error (census): the interval is the point
    return np.where(exact, p, lower), np.where(exact, p, upper)


def _transformed_interval(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    level: float,
    forward: Callable[[FloatArray], FloatArray],
    slope: Callable[[FloatArray], FloatArray],
    back: Callable[[FloatArray], FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Wald interval on a transformed scale (delta-method se), back-transformed; [p, p] at 0, 1."""
    p, se = np.broadcast_arrays(np.asarray(estimate, dtype=float), np.asarray(se, dtype=float))
    inside = (p > 0.0) & (p < 1.0)
    q = np.clip(p, 1e-300, 1.0 - 1e-16)  # keeps the masked-out edge values finite
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = wald_interval(forward(q), se * slope(q), df, level)
    return np.where(inside, back(lower), p), np.where(inside, back(upper), p)


def logit_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Logit-scale Wald interval with t quantile, as R's ``svyciprop(method="logit"/"xlogit")``."""
    return _transformed_interval(
        estimate,
        se,
        df,
        level,
        lambda p: np.log(p / (1.0 - p)),
        lambda p: 1.0 / (p * (1.0 - p)),
        lambda x: 1.0 / (1.0 + np.exp(-x)),
    )


def asin_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Arcsine-square-root Wald interval, as R's ``svyciprop(method="asin")`` but clipped."""
    return _transformed_interval(
        estimate,
        se,
        df,
        level,
        lambda p: np.arcsin(np.sqrt(p)),
        lambda p: 0.5 / np.sqrt(p * (1.0 - p)),
        lambda x: np.sin(np.clip(x, 0.0, np.pi / 2)) ** 2,
    )


def mean_interval(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wald interval p ± t·se clipped to [0, 1] (R's ``svyciprop(method="mean")``, unclipped)."""
    lower, upper = wald_interval(estimate, se, df, level)
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def proportion_interval(
    method: str,
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
    n: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Two-sided interval for a proportion by ``method`` (module docstring); beta needs n."""
    if check_method(method) == "beta":
        if n is None:
            raise RequestError('method "beta" needs n (the number of sampled rows)')
        return beta_interval(estimate, se, df, n, level)
    simple = {
        "logit": logit_interval,
        "xlogit": logit_interval,
        "asin": asin_interval,
        "mean": mean_interval,
    }
    return simple[check_method(method)](estimate, se, df, level)


def interval(
    method: str,
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
    n: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Two-sided interval: ``method="t"`` is the plain Wald/t interval, else a proportion method."""
    if method == "t":
        return wald_interval(estimate, se, df, level)
    return proportion_interval(method, estimate, se, df, level, n)


def one_sided_bound(
    method: str,
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    level: float = 0.95,
    side: str = "upper",
    n: ArrayLike | None = None,
) -> FloatArray:
    """One-sided confidence bound at ``level``: the ``side`` end of the (2·level − 1) interval."""
    level = check_level(level)
    if level <= 0.5:
        raise RequestError(f"a one-sided bound needs level above 0.5, got {level}")
    if side not in ("upper", "lower"):
        raise RequestError(f"side must be 'upper' or 'lower', got {side!r}")
    lower, upper = interval(method, estimate, se, df, 2.0 * level - 1.0, n)
    return upper if side == "upper" else lower
