"""One effective-sample-size rule for the bounds of wrong-exit rates (错退率的置信界).

A wrong exit is a household attribute: whatever the design, the sample carries no more
information about it than its interviewed households. The bounds of every wrong-exit rate — by
households and by persons, in the township, the district and a village — are Korn–Graubard
(Clopper–Pearson on an effective sample size) with one rule for every number of errors found:

* **equivalent households** e = Kish's effective sample size of the analysis weights among the
  interviewed households, (Σw)²/Σw² for a household rate and (Σwm)²/Σ(wm)² for a person rate
  (m = household size). e = n for an equal-weight household sample; a person rate counts fewer
  equivalent households when household sizes vary, because one large wrong household moves it
  more (for wrong exits whose odds grow with the household size, e = n/(1 + CV²(m)) is exactly
  the loss).
* **cap** n_cap = e ÷ (1 − f) with f = n ÷ N̂ the sampling fraction (N̂ = Σ household weights):
  the finite-population gain of sampling without replacement, the same in every branch.
* **effective size** n* = min(p̂(1 − p̂)/se², n_cap) · r with the Korn–Graubard degrees-of-freedom
  ratio r = min(1, (t_{α, n−H} ÷ t_{α, df})²) — n − H (households − strata) is the df of an
  element sample of the same households, so r = 1 for a stratified household sample and r < 1
  when the households come in few clusters (df = PSUs − strata). At p̂ = 0 the variance carries
  no information and n* = n_cap · r.
* **events** x = max(n*·p̂, k), k = wrong households found: an upper bound never counts fewer
  errors than the households found (a small wrong household cannot make a person rate look like
  a fraction of an error).
* **upper** bound: Beta⁻¹(level; x + 1, n* − x); **lower** bound: Beta⁻¹(1 − level; n*p̂,
  n*(1 − p̂) + 1) (0 at p̂ = 0).
* **zero errors found** (k = 0): the exact hypergeometric bound for a sample of ⌊e·r⌋
  households out of N̂·e/n — the largest integer number of wrong households D with
  P(none found | D) > α, divided by the population. With errors found the upper bound is never
  below this zero-error bound of the same sample (in small, heavily sampled, few-PSU samples the
  two finite-population treatments could otherwise cross: 0 of 20 → 15%, 1 of 20 → 14.4%).
  For an equal-weight household sample (e = n, r = 1) it is exactly the rule behind
  ``sampling.plans.zero_failure_plan``: a sample of the size ``plan`` gives for that
  population certifies when it finds no error.
* **census** (f ≥ 1): the rate is known; the interval is the point.

The two-sided interval at level L is the pair of one-sided bounds at (1 + L)/2; the one-sided
bound at level L is the matching end of the two-sided interval at 2L − 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from evaluation.intervals import check_level, t_quantile
from sampling.plans import zero_event_certifies, zero_event_upper

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CountBasis:
    """What a wrong-exit rate's bound counts (see the module docstring).

    ``equivalent`` e (Kish effective households), ``fraction`` f = n ÷ N̂, ``events`` k (wrong
    households found) and ``element_df`` n − H (households − strata), all of the rate's domain.
    """

    equivalent: float
    fraction: float
    events: int
    element_df: float

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "equivalent": self.equivalent,
            "fraction": self.fraction,
            "events": self.events,
            "element_df": self.element_df,
        }


def size_factor(household_sizes: ArrayLike) -> float:
    """Person-equivalence of a frame's households, (Σm)² ÷ (N·Σm²) = 1/(1 + CV²(m)) (≤ 1).

    Computed on the sampling frame (registry household sizes), so it is known before the
    sample is drawn and ``sampling.plans.zero_failure_plan`` can use it too.
    """
    m = np.asarray(household_sizes, dtype=float)
    return float(m.sum() ** 2 / (m.size * np.square(m).sum())) if m.size else 1.0


def kish_size(weights: ArrayLike) -> float:
    """Kish's effective sample size (Σw)² ÷ Σw² of the weights (NaN-free, positive)."""
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    return float(total * total / np.square(w).sum()) if w.size else 0.0


def df_ratio(element_df: ArrayLike, df: ArrayLike, alpha: float) -> FloatArray:
    """Korn–Graubard ratio min(1, (t_{α, element_df} ÷ t_{α, df})²); 0 where df ≤ 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (t_quantile(alpha, element_df) / t_quantile(alpha, df)) ** 2
    return np.where(np.asarray(df, dtype=float) > 0, np.fmin(np.nan_to_num(r, nan=1.0), 1.0), 0.0)


@dataclass(frozen=True)
class _Rule:
    """The quantities of the rule for arrays of rates (one computation for bounds and tests)."""

    p: FloatArray
    n_star: FloatArray  # effective size n* (capped, df ratio applied)
    x: FloatArray  # events of the upper bound, max(n*p̂, k)
    zero: NDArray[np.bool_]  # nothing found: the exact zero-error bound applies
    zero_sample: FloatArray  # ⌊e·r⌋ equivalent households of the zero-error bound
    population: FloatArray  # N̂·e/n equivalent population
    census: NDArray[np.bool_]


def _rule(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    equivalent: ArrayLike,
    fraction: ArrayLike,
    events: ArrayLike,
    element_df: ArrayLike,
    alpha: float,
) -> _Rule:
    values = (estimate, se, df, equivalent, fraction, events, element_df)
    p, se, df, e, f, k, edf = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in values))
    census = f >= 1.0 - 1e-12
    ratio = df_ratio(edf, df, alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cap = np.where(census, np.inf, e / (1.0 - np.clip(f, 0.0, 1.0)))
        design = np.where((p > 0) & (se > 0), p * (1.0 - p) / se**2, np.inf)
        n_star = np.fmin(design, cap) * ratio
        x = np.fmin(np.fmax(n_star * p, k), n_star * (1.0 - 1e-12))
        population = np.where(f > 0, e / f, np.inf)  # made whole in sampling.plans
    return _Rule(p, n_star, x, (p <= 0.0) & (k <= 0), e * ratio, population, census)


def count_bounds(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    equivalent: ArrayLike,
    fraction: ArrayLike,
    events: ArrayLike,
    element_df: ArrayLike,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """One-sided (lower, upper) bounds at ``level`` by the rule of the module docstring."""
    alpha = 1.0 - check_level(level)
    r = _rule(estimate, se, df, equivalent, fraction, events, element_df, alpha)
    p, n_star, x = r.p, r.n_star, r.x
    with np.errstate(divide="ignore", invalid="ignore"):
        upper = stats.beta.ppf(1.0 - alpha, x + 1.0, n_star - x)
        lower = stats.beta.ppf(alpha, n_star * p, n_star * (1.0 - p) + 1.0)
    lower = np.where(p <= 0.0, 0.0, np.nan_to_num(lower, nan=0.0))
    upper = np.where(p >= 1.0, 1.0, np.nan_to_num(upper, nan=1.0))
    # the exact zero-error bound where nothing was found, and as a floor where something was:
    # the same sample with more errors is never certified more easily (a bisection: computed
    # only where it can matter, i.e. below the Clopper–Pearson bound or at zero errors)
    floor = np.zeros_like(upper)
    need = r.zero | (upper < 1.0)
    if need.any():
        floor[need] = zero_event_upper(r.zero_sample[need], r.population[need], alpha)
    upper = np.where(r.zero, floor, np.fmax(upper, floor))
    return np.where(r.census, p, lower), np.where(r.census, p, upper)


def certifies(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    equivalent: ArrayLike,
    fraction: ArrayLike,
    events: ArrayLike,
    element_df: ArrayLike,
    level: float,
    threshold: float,
) -> NDArray[np.bool_]:
    """Whether the upper bound of :func:`count_bounds` lies below ``threshold`` — without the
    quantile: Beta⁻¹(L; a, b) < t ⇔ I_t(a, b) > L, and the zero-error bound is below t ⇔
    P(none found | ⌈t·N⌉ wrong) ≤ α. Cheap enough for the advice's many simulated samples."""
    alpha = 1.0 - check_level(level)
    r = _rule(estimate, se, df, equivalent, fraction, events, element_df, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = special.betainc(r.x + 1.0, r.n_star - r.x, threshold) > 1.0 - alpha
    inside = np.where(r.p >= 1.0, False, np.nan_to_num(inside, nan=False).astype(bool))
    zero_ok = zero_event_certifies(r.zero_sample, r.population, alpha, threshold)
    inside = np.where(r.zero, zero_ok, inside & zero_ok)
    return np.where(r.census, r.p < threshold, inside)


def failure_p_values(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    equivalent: ArrayLike,
    fraction: ArrayLike,
    events: ArrayLike,
    element_df: ArrayLike,
    threshold: float,
    level: float,
) -> FloatArray:
    """One-sided p-values of "the rate is below ``threshold``" (Holm's input), vectorised.

    The lower bound Beta⁻¹(α'; n*p̂, n*(1 − p̂) + 1) reaches the threshold exactly when
    α' ≥ I_t(n*p̂, n*(1 − p̂) + 1), so the p-value is that regularised incomplete beta (with n*
    as at the verdict ``level``: the df ratio is taken there). 1 when nothing was found; a census
    gives 0 or 1.
    """
    r = _rule(estimate, se, df, equivalent, fraction, events, element_df, 1.0 - check_level(level))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = special.betainc(r.n_star * r.p, r.n_star * (1.0 - r.p) + 1.0, threshold)
    p_value = np.where(r.p <= 0.0, 1.0, np.nan_to_num(p_value, nan=1.0))
    return np.where(r.census, np.where(r.p >= threshold, 0.0, 1.0), p_value)


def count_interval(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    equivalent: ArrayLike,
    fraction: ArrayLike,
    events: ArrayLike,
    element_df: ArrayLike,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """Two-sided interval at ``level``: the one-sided bounds at (1 + level)/2."""
    level = check_level(level)
    return count_bounds(
        estimate, se, df, equivalent, fraction, events, element_df, (1.0 + level) / 2.0
    )
