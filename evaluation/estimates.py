"""Result object of a design-based estimate (设计估计结果): point, SE, df, CI and design effect."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.bounds import CountBasis, count_bounds
from evaluation.intervals import one_sided_bound

FRAME_COLUMNS = (
    "statistic",
    "variable",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "level",
    "df",
    "n",
    "deff",
    "method",
)


@dataclass(frozen=True)
class Estimate:
    """One estimate with its design-based uncertainty.

    ``df`` is the design degrees of freedom (PSUs − strata, R's ``degf``); ``n`` the sampled rows in
    the (domain) sample; ``method`` is ``"t"`` (estimate ± t·se) or a proportion interval method
    (see :mod:`evaluation.intervals`); ``deff`` the design effect against simple random sampling
    without replacement (R's ``deff=TRUE``), NaN where undefined. ``basis`` is set for a
    wrong-exit rate: its bounds then follow the one effective-sample-size rule of
    :mod:`evaluation.bounds` (the interval ``ci`` already does).
    """

    statistic: str
    variable: str
    estimate: float
    se: float
    df: float
    ci: tuple[float, float]
    level: float
    method: str
    deff: float
    n: int
    basis: CountBasis | None = None

    def bounds(self, level: float = 0.95) -> tuple[float, float]:
        """One-sided (lower, upper) confidence bounds at ``level``."""
        if self.basis is not None:
            b = self.basis
            low, high = count_bounds(
                self.estimate, self.se, self.df, b.equivalent, b.fraction, b.events,
                b.element_df, level,
            )  # fmt: skip
            return float(low), float(high)
        args = (self.method, self.estimate, self.se, self.df, level)
        return (
            float(one_sided_bound(*args, "lower", self.n)),
            float(one_sided_bound(*args, "upper", self.n)),
        )

    def upper_bound(self, level: float = 0.95) -> float:
        """One-sided upper confidence bound (positive even at 0 observed events with "beta")."""
        return self.bounds(level)[1]

    def lower_bound(self, level: float = 0.95) -> float:
        """One-sided lower confidence bound (e.g. for approval ≥ 90 %)."""
        return self.bounds(level)[0]

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame with the columns of :data:`FRAME_COLUMNS`."""
        row = {
            "statistic": self.statistic,
            "variable": self.variable,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci[0],
            "ci_high": self.ci[1],
            "level": self.level,
            "df": self.df,
            "n": self.n,
            "deff": self.deff,
            "method": self.method,
        }
        return pd.DataFrame([row], columns=list(FRAME_COLUMNS))

    def __repr__(self) -> str:
        deff = "" if math.isnan(self.deff) else f", deff={self.deff:.3g}"
        df = "inf" if np.isinf(self.df) else f"{self.df:g}"
        return (
            f"Estimate({self.statistic} of {self.variable}: {self.estimate:.6g} "
            f"(SE {self.se:.4g}), {self.level:.0%} CI [{self.ci[0]:.6g}, {self.ci[1]:.6g}] "
            f"by {self.method}, df={df}, n={self.n}{deff})"
        )
