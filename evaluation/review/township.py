"""Synthetic townships with known truth for the methodology review (方法评审的模拟乡镇).

A township is a fixed finite population of exited households (脱贫户) in villages, each with a
risk band of its *reported* income margin above the poverty line. Wrong exits (错退) are planted
so that the finite-population rate by persons equals a target exactly (to within one household),
concentrated in the low-margin band, clustered by village and — when ``size_risk`` γ > 0 —
in large households (propensity × m^γ: the scenario 错退集中在大户, in which one wrong exit
weighs many persons). For every rate of the grid the same
random keys are used, so the sets of wrong exits are nested: a township with a higher rate contains
every wrong exit of a township with a lower rate (common random numbers make OC curves smooth).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from evaluation.bounds import size_factor

RISK_BANDS = ("<10%", "10-30%", ">30%")
"""Reported income margin above the line: households pushed just over it are the risky ones."""

DEFAULT_RATES = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.08)


@dataclass(frozen=True)
class TownshipSpec:
    """Parameters of a synthetic township (all exposed on the review command line or API).

    ``band_shares`` are the households' shares in :data:`RISK_BANDS`; ``band_risk`` the relative
    propensity of a household in each band to be a wrong exit; ``icc`` the intra-village correlation
    of that propensity on the logistic latent scale (0 = no clustering); ``size_risk`` γ the
    exponent of household size in the propensity (× m^γ; 0 = wrong exits unrelated to size, 1 =
    odds proportional to the household size, < 0 = small households riskier);
    ``income_share`` the share of wrong exits that are wrong because of income (the rest fail
    两不愁三保障 with income above the line). γ uses no random numbers, so townships that
    differ only in γ have the same villages, bands and sizes.
    """

    households: int = 1500
    villages: int = 30
    band_shares: tuple[float, float, float] = (0.2, 0.35, 0.45)
    band_risk: tuple[float, float, float] = (6.0, 2.0, 1.0)
    icc: float = 0.15
    size_risk: float = 0.0
    income_share: float = 0.7
    mean_household_size: float = 3.2

    def check(self) -> None:
        """Refuse impossible parameters with one clear message."""
        if self.villages < 4 or self.households < 20 * self.villages // 2:
            raise RequestError(
                "synthetic township needs ≥ 4 villages and ≥ 10 households per village"
            )
        if not 0 <= self.icc < 1:
            raise RequestError(f"icc must be in [0, 1); got {self.icc}")
        if not np.isclose(sum(self.band_shares), 1) or min(self.band_shares) <= 0:
            raise RequestError(f"band_shares must be positive and sum to 1; got {self.band_shares}")
        if not -4 <= self.size_risk <= 4:  # 8^4: larger γ only orders the households by size
            raise RequestError(f"size_risk must be in [-4, 4]; got {self.size_risk}")
        if min(self.band_risk) <= 0:
            raise RequestError(f"band_risk must be positive; got {self.band_risk}")
        if not 0 <= self.income_share <= 1:
            raise RequestError(f"income_share must be in [0, 1]; got {self.income_share}")


@dataclass(frozen=True, repr=False)
class Township:
    """A synthetic township: households in village order, with wrong exits for each true rate.

    ``wrong[:, k]`` flags the wrong exits when the target rate is ``rates[k]``; ``true_rate`` and
    ``true_rate_households`` are the realised finite-population values (the truth estimates are
    judged against). ``income_ratio[:, k]`` is the true per-capita income ÷ line and
    ``guarantee_fail[:, k]`` marks wrong exits caused by 两不愁三保障 rather than income, at rate k
    (so ``wrong == (income_ratio < 1) | guarantee_fail`` for every rate).
    """

    spec: TownshipSpec
    rates: np.ndarray
    village: np.ndarray
    band: np.ndarray
    size: np.ndarray
    wrong: np.ndarray
    income_ratio: np.ndarray
    guarantee_fail: np.ndarray
    seed: int
    true_rate: np.ndarray = field(init=False)
    true_rate_households: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        persons = self.size @ self.wrong
        object.__setattr__(self, "true_rate", persons / self.size.sum())
        object.__setattr__(self, "true_rate_households", self.wrong.mean(axis=0))

    @property
    def n_households(self) -> int:
        """Number of exited households in the township."""
        return int(self.size.size)

    @property
    def size_factor(self) -> float:
        """The frame's person-equivalence 1/(1 + CV²(m)) (``evaluation.bounds.size_factor``):
        what the assessment multiplies the Kish-equivalent households by for a person rate."""
        return size_factor(self.size)

    @property
    def village_sizes(self) -> np.ndarray:
        """Exited households per village (village ids are 0 … V−1)."""
        return np.bincount(self.village, minlength=self.spec.villages)

    def wrong_persons(self) -> np.ndarray:
        """Wrong-exit persons per household for each rate, shape (N, K)."""
        return self.size[:, None] * self.wrong

    def to_frame(self) -> pd.DataFrame:
        """One row per household: village, band, size and the wrong flag per rate."""
        df = pd.DataFrame(
            {
                "village": self.village,
                "risk_band": np.asarray(RISK_BANDS)[self.band],
                "household_size": self.size,
            }
        )
        for k, rate in enumerate(self.rates):
            df[f"wrong_{rate:g}"] = self.wrong[:, k]
        return df

    def __repr__(self) -> str:
        truth = ", ".join(f"{r:.3%}" for r in self.true_rate)
        return (
            f"Township({self.n_households} households, {self.size.sum()} persons, "
            f"{self.spec.villages} villages, seed={self.seed}; true rates by persons: {truth})"
        )


def synthetic_township(
    spec: TownshipSpec | None = None, rates=DEFAULT_RATES, seed: int = 20161
) -> Township:
    """Draw a township and plant wrong exits at each rate of ``rates`` (nested sets)."""
    spec = spec or TownshipSpec()
    spec.check()
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0 or (rates < 0).any() or (rates >= 0.5).any():
        raise RequestError(f"true rates must be a non-empty list in [0, 0.5); got {rates.tolist()}")
    rng = np.random.default_rng(seed)
    # Village sizes vary (lognormal shares); every village keeps at least 10 households.
    share = rng.lognormal(0.0, 0.5, spec.villages)
    extra = spec.households - 10 * spec.villages
    counts = 10 + np.floor(extra * share / share.sum()).astype(int)
    counts[np.argsort(-share)[: spec.households - counts.sum()]] += 1
    village = np.repeat(np.arange(spec.villages), counts)
    n = village.size
    band = rng.choice(3, size=n, p=spec.band_shares)
    size = 1 + np.minimum(rng.poisson(spec.mean_household_size - 1, n), 7)
    # Propensity: band relative risk × village effect (logistic latent scale variance π²/3)
    # × household size^γ.
    sigma = np.sqrt(spec.icc / (1 - spec.icc) * np.pi**2 / 3)
    propensity = (
        np.asarray(spec.band_risk)[band]
        * np.exp(sigma * rng.standard_normal(spec.villages))[village]
        * np.power(size.astype(float), spec.size_risk)
    )
    # Efraimidis–Spirakis keys: order of entering the wrong set is a weighted random permutation.
    order = np.argsort(np.log(rng.random(n)) / propensity)[::-1]
    persons_before = np.empty(n)
    persons_before[order] = np.cumsum(size[order]) - size[order] / 2
    wrong = persons_before[:, None] < rates[None, :] * size.sum()
    # Truth behind each wrong exit: income below the line, or a failed guarantee above it.
    by_income = rng.random(n) < spec.income_share
    margin_low = np.array([0.0, 0.10, 0.30])[band]
    margin_width = np.array([0.10, 0.20, 0.0])[band]
    above = 1 + margin_low + margin_width * rng.random(n) + (band == 2) * rng.exponential(0.5, n)
    below = rng.uniform(0.8, 1.0, n)
    income_ratio = np.where(wrong & by_income[:, None], below[:, None], above[:, None])
    guarantee_fail = wrong & ~by_income[:, None]
    return Township(
        spec=spec,
        rates=rates,
        village=village,
        band=band,
        size=size,
        wrong=wrong,
        income_ratio=income_ratio,
        guarantee_fail=guarantee_fail,
        seed=seed,
    )
