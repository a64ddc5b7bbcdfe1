"""District allocation of interviews over townships (全县样本量分配).

Two purposes compete for the district's interviews:

* **the district's own verdict**: certify the district's wrong-exit rate below the threshold
  (2%) with power 0.8 when the true rate is the good rate (0.5%) — the acceptance plan
  (:func:`sampling.plans.acceptance_plan`) on the district's N gives the effective sample size
  n_D it needs; a stratified sample with n_t interviews in township t (share W_t = N_t/N) has
  effective size 1/Σ W_t²/n_t (Kish, no finite-population correction: conservative);
* **detection in every township**: a township whose true rate is 5% is found *not credible*
  with probability ≥ 0.9 — the exact hypergeometric test of "rate below the threshold" at the
  one-sided level, rejected when at least c(n) wrong exits are found (:func:`detect_sizes`).

The smallest total meeting both is n_t = max(b_t, ⌈λ·W_t⌉) (capped at N_t) with the smallest λ
whose effective size reaches n_D — the Lagrange solution of min Σ n_t s.t. Σ W_t²/n_t ≤ 1/n_D,
n_t ≥ b_t — found by bisection. Beside it the plan gives the cost of certifying every township
on its own (each township's acceptance plan). Household rates; draws = ⌈n / response rate⌉.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from data_contracts.errors import RequestError
from sampling.plans import _search, acceptance_plan, households_to_draw

DETECT_RATE = 0.05
"""The township rate that must be found (5%)."""
DETECT_POWER = 0.9
"""P(not credible | detect rate) every township must reach."""


@dataclass(frozen=True)
class DistrictGoals:
    """What the allocation must achieve (rates per household; risks as probabilities)."""

    threshold: float = 0.02
    good_rate: float = 0.005
    power: float = 0.8
    confidence: float = 0.95
    detect_rate: float = DETECT_RATE
    detect_power: float = DETECT_POWER
    response_rate: float = 0.9

    def __post_init__(self) -> None:
        for name in ("threshold", "good_rate", "power", "confidence", "detect_power",
                     "detect_rate", "response_rate"):  # fmt: skip
            value = getattr(self, name)
            if not 0 < value < 1 and not (name == "response_rate" and value == 1):
                raise RequestError(f"{name.replace('_', ' ')} must lie in (0, 1); got {value!r}.")
        if not self.good_rate < self.threshold < self.detect_rate:
            raise RequestError(
                "the rates must satisfy good rate < threshold < detect rate; got "
                f"{self.good_rate:g}, {self.threshold:g}, {self.detect_rate:g}."
            )


def detect_sizes(populations: np.ndarray, goals: DistrictGoals) -> tuple[np.ndarray, np.ndarray]:
    """Per township: the smallest n (and its critical count c) with P(X ≥ c | detect rate) ≥
    detect power, c the smallest count with P(X ≥ c | threshold) ≤ 1 − confidence (exact
    hypergeometric, SRSWOR of N_t; the threshold's count ⌈p₀N⌉, the detect rate's ⌊p₁N⌋)."""
    alpha = 1 - goals.confidence
    sizes, crit = [], []
    for pop in np.asarray(populations, dtype=np.int64):  # one vectorised search per township
        d0 = math.ceil(goals.threshold * pop - 1e-9)
        d1 = math.floor(goals.detect_rate * pop + 1e-9)

        def critical(n: np.ndarray, pop: int = int(pop), d0: int = d0) -> np.ndarray:
            return stats.hypergeom.isf(alpha, pop, d0, n) + 1  # P(X ≥ c | d0) ≤ α

        def detects(n: np.ndarray, pop: int = int(pop), d1: int = d1) -> np.ndarray:
            return stats.hypergeom.sf(critical(n) - 1, pop, d1, n) >= goals.detect_power

        try:
            n = _search(detects, int(pop))
        except RequestError:
            raise RequestError(
                f"a township of {pop} households cannot detect {goals.detect_rate:.0%} with "
                f"probability {goals.detect_power:g} even in a full check."
            ) from None
        sizes.append(n)
        crit.append(int(critical(np.array([n]))[0]))
    return np.array(sizes, dtype=np.int64), np.array(crit, dtype=np.int64)


def effective_size(shares: np.ndarray, sizes: np.ndarray) -> float:
    """Kish effective sample size 1 / Σ W_t²/n_t of a stratified sample (no fpc)."""
    return float(1.0 / np.sum(np.square(shares) / sizes))


@dataclass(frozen=True)
class DistrictPlan:
    """Interviews per township for the district (``allocated``) and, beside them, what
    certifying every township on its own costs (``own``); draws allow for non-response."""

    goals: DistrictGoals
    table: pd.DataFrame
    district_effective: int
    achieved_effective: float

    @property
    def total(self) -> int:
        """Interviews of the allocation."""
        return int(self.table["allocated"].sum())

    @property
    def total_own(self) -> int:
        """Interviews if every township is certified on its own."""
        return int(self.table["own"].sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per township: N, detect n, allocated n and draws, own n and draws."""
        return self.table.copy()

    def to_dict(self) -> dict:
        """JSON-ready plan: the goals, the townships and the totals."""
        return {
            "kind": "district_allocation",
            "goals": asdict(self.goals),
            "district_effective": self.district_effective,
            "achieved_effective": round(self.achieved_effective, 3),
            "total": self.total,
            "total_own": self.total_own,
            "townships": self.table.to_dict(orient="records"),
        }

    def __repr__(self) -> str:
        return (
            f"DistrictPlan({len(self.table)} townships: {self.total} interviews "
            f"(effective {self.achieved_effective:.0f} ≥ {self.district_effective}); "
            f"every township on its own: {self.total_own})"
        )


def _draws(interviews: np.ndarray, response_rate: float) -> np.ndarray:
    """Households to draw per township (:func:`sampling.plans.households_to_draw`)."""
    return np.array([households_to_draw(int(n), response_rate) for n in interviews])


def allocate_district(populations: pd.Series, goals: DistrictGoals | None = None) -> DistrictPlan:
    """The smallest allocation over townships (``populations``: N_t by township name)."""
    goals = goals or DistrictGoals()
    pops = populations.astype(np.int64)
    if pops.empty or (pops < 1).any():
        raise RequestError("every township needs at least one exited household.")
    big = pops.to_numpy()
    shares = big / big.sum()
    detect, crit = detect_sizes(big, goals)

    def plan_n(pop: int) -> int:
        """The acceptance plan's n on ``pop`` households; a full check when none exists."""
        try:
            return acceptance_plan(goals.threshold, goals.good_rate, 1 - goals.power,
                                   1 - goals.confidence, population=int(pop)).n  # fmt: skip
        except RequestError:
            return int(pop)

    need = plan_n(int(big.sum()))

    def sizes_at(lam: float) -> np.ndarray:
        return np.minimum(big, np.maximum(detect, np.ceil(lam * shares - 1e-9))).astype(np.int64)

    low, high = 0.0, float(np.max(big / shares))
    if effective_size(shares, sizes_at(low)) < need:
        for _ in range(60):  # bisection on λ: effective size rises with λ
            mid = (low + high) / 2
            low, high = (low, mid) if effective_size(shares, sizes_at(mid)) >= need else (mid, high)
        allocated = sizes_at(high)
    else:
        allocated = sizes_at(low)
    own = np.array([plan_n(p) for p in big], dtype=np.int64)
    table = pd.DataFrame(
        {
            "township": pops.index.astype(str),
            "households": big,
            "detect_n": detect,
            "detect_count": crit,
            "allocated": allocated,
            "allocated_draws": np.minimum(big, _draws(allocated, goals.response_rate)),
            "own": own,
            "own_draws": np.minimum(big, _draws(own, goals.response_rate)),
        }
    )
    return DistrictPlan(goals, table, need, effective_size(shares, allocated))
