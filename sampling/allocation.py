"""Allocation of a sample size over strata (样本分配): proportional, equal, Neyman or fixed.

Every stratum gets between ``min(min_per_stratum, N_h)`` and ``N_h`` units (at least two where
possible so its variance can be estimated) and the sizes add up exactly to n (largest remainder).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError

ALLOCATIONS = ("proportional", "equal", "neyman", "fixed")


def _bounded(raw: np.ndarray, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """Scale ``raw`` to sum n within [lower, upper], fixing strata at a bound until none violate."""
    x = raw.astype(float)
    fixed = np.zeros(x.size, dtype=bool)
    for _ in range(x.size + 1):
        free = ~fixed
        left = n - x[fixed].sum()
        weight = raw[free] if raw[free].sum() > 0 else np.ones(free.sum())
        x[free] = weight * left / weight.sum()
        over, under = free & (x > upper), free & (x < lower)
        if not (over.any() or under.any()):
            break
        x[over], x[under] = upper[over], lower[under]
        fixed |= over | under
    return x


def _round(x: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder rounding to integers summing to n, never above ``upper``."""
    base = np.floor(x + 1e-9).astype(np.int64)
    short = n - int(base.sum())
    room = np.flatnonzero(base < upper)
    order = room[np.argsort(-(x[room] - base[room]), kind="stable")]
    base[order[:short]] += 1
    return base


def allocate(
    stratum_sizes: pd.Series,
    n: int | None,
    method: str = "proportional",
    error_rates: Mapping[str, float] | None = None,
    fixed: Mapping[str, int] | None = None,
    min_per_stratum: int = 2,
) -> pd.Series:
    """Sample size per stratum (index = stratum label, values = n_h)."""
    sizes = stratum_sizes.astype("int64")
    big_n = sizes.to_numpy()
    if method not in ALLOCATIONS:
        raise RequestError(
            f"unknown allocation {method!r}; expected one of {', '.join(ALLOCATIONS)}."
        )
    if method == "fixed":
        if not fixed:
            raise RequestError(
                "fixed allocation needs a size for every stratum (e.g. V01=5,V02=3)."
            )
        unknown = sorted(set(fixed) - set(sizes.index))
        missing = sorted(set(sizes.index) - set(fixed))
        if unknown or missing:
            raise RequestError(
                f"fixed allocation must name exactly the strata {list(sizes.index)}; "
                f"unknown: {unknown}, missing: {missing}."
            )
        out = pd.Series({k: int(fixed[k]) for k in sizes.index}, dtype="int64")
        too_big = out[(out > sizes) | (out < 0)]
        if not too_big.empty:
            raise RequestError(
                f"fixed allocation outside 0..N_h for strata {too_big.to_dict()} (N_h = "
                f"{sizes[too_big.index].to_dict()})."
            )
        return out
    if n is None or n < 1:
        raise RequestError(f"sample size n must be a positive whole number; got {n!r}.")
    if n > big_n.sum():
        raise RequestError(
            f"sample size n = {n} exceeds the {big_n.sum()} households in the frame."
        )
    lower = np.minimum(min_per_stratum, big_n)
    if n < lower.sum():
        raise RequestError(
            f"n = {n} is too small for {len(sizes)} strata with at least {min_per_stratum} each "
            f"(needs {lower.sum()}); raise --n or use coarser strata."
        )
    if method == "proportional":
        raw = big_n.astype(float)
    elif method == "equal":
        raw = np.ones(big_n.size)
    else:
        rates = error_rates or {}
        missing = [k for k in sizes.index if k not in rates]
        if missing:
            raise RequestError(
                f"Neyman allocation needs an assumed error rate for strata {missing}."
            )
        p = np.array([float(rates[k]) for k in sizes.index])
        if np.any((p <= 0) | (p >= 1)):
            raise RequestError("assumed stratum error rates must lie strictly between 0 and 1.")
        raw = big_n * np.sqrt(p * (1 - p))
    x = _bounded(raw, lower.astype(float), big_n.astype(float), n)
    return pd.Series(_round(x, big_n, n), index=sizes.index, dtype="int64")
