"""Follow-up advice (追加抽样建议): how many more households would settle an inconclusive indicator.

An exact operating-characteristic search, not a normal approximation. The extra m households are
drawn without replacement from the N − n households not yet sampled, which are assumed to carry
the *planning rate* p₁ (default: the plan's good rate, 0.5%): D = round(p₁·(N − n)) wrong ones
among them, so the wrong households found among the extra are X ~ Hypergeometric(N − n, D, m).
After the follow-up the indicator is judged by the bound rule of :mod:`evaluation.bounds` on
n + m households with k + X wrong ones — the equivalent households keep today's ratio e/n (a
person rate is modelled as k + X wrong among the equivalent households, i.e. wrong households
of size-biased mean size, the conservative side), the design effect today's (1 when nothing
was found), the degrees-of-freedom ratio today's — and

    P(certified | p₁, m) = Σₓ P(X = x) · 1[upper bound(n + m, k + x) < threshold].

The advice is the smallest m with P(certified | p₁, m) ≥ power (default 0.8). When even every
remaining household (m = N − n, a census: the rate is then known) does not reach the power, or
the smallest such m is all of them, the advice is a full check of the remaining households
(全面核查): ``full_check``. Because the bound counts at least the wrong households found, the
search is honest at p̂ = 0 (it never advises one more interview when one cannot certify).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evaluation.bounds import certifies

GOOD_RATE = 0.005
"""Default planning rate p₁: the acceptance plan's good rate (sampling.plans.acceptance_plan)."""


@dataclass(frozen=True)
class AdviceBasis:
    """Today's evidence behind one indicator, as the advice needs it.

    ``n`` interviewed households, ``events`` wrong households found, ``population`` N exited
    households of the domain, ``equivalent`` e (Kish-equivalent households, e ≤ n), ``deff``
    the rate's design effect (≥ 1), ``df_ratio`` the Korn–Graubard ratio (≤ 1) and
    ``threshold`` the rate that must not be reached.
    """

    n: int
    events: int
    population: int
    equivalent: float
    deff: float
    df_ratio: float
    threshold: float


def design_effect(rate: float, se: float, n: int, fraction: float) -> float:
    """Today's design effect of a rate, se² ÷ the SRSWOR variance p(1−p)/(n − 1)·(1 − f) that
    :func:`certify_probability` models the follow-up with; 1 when it cannot be computed (nothing
    found) and never below 1."""
    srs = rate * (1 - rate) / max(n - 1, 1) * max(1 - fraction, 0.0)
    return max(1.0, se**2 / srs) if srs > 0 else 1.0


@dataclass(frozen=True)
class Advice:
    """The extra households and the chance they certify (``power``) at the planning rate."""

    extra: int
    power: float
    full_check: bool

    def __repr__(self) -> str:
        full = ", full check" if self.full_check else ""
        return f"Advice(+{self.extra} households, P(certified) = {self.power:.3f}{full})"


@dataclass(frozen=True)
class PersonBasis:
    """What a person rate's advice needs beyond :class:`AdviceBasis` (sizes, no identities).

    ``persons``/``squares``: Σm and Σm² of the interviewed households; ``wrong_persons``/
    ``wrong_squares``: the same over the wrong households found; ``remaining``: the household
    sizes of the frame's households not yet sampled (whose wrong ones the follow-up may find).
    """

    persons: float
    squares: float
    wrong_persons: float
    wrong_squares: float
    remaining: np.ndarray


PERSON_REPS = 2000
"""Simulated follow-ups per candidate size for a person rate (fixed seed: reproducible)."""


def certify_probability(
    basis: AdviceBasis,
    extra: np.ndarray,
    planning_rate: float,
    level: float,
    persons: PersonBasis | None = None,
) -> np.ndarray:
    """P(certified | planning rate) after ``extra`` more households (vectorised over extra).

    A household rate is exact (hypergeometric over the wrong households found); a person rate
    (``persons`` given) also depends on the sizes of the wrong households the follow-up finds,
    so it is averaged over :data:`PERSON_REPS` simulated follow-ups drawn from the frame's
    remaining households (common random numbers across sizes).
    """
    m = np.asarray(extra, dtype=np.int64)
    if persons is not None:
        return _person_probability(basis, m, planning_rate, level, persons)
    left = basis.population - basis.n
    wrong_left = round(planning_rate * left)
    top = int(stats.hypergeom.ppf(1 - 1e-9, max(left, 1), wrong_left, max(int(m.max()), 1)))
    x = np.arange(top + 1)
    pmf = stats.hypergeom.pmf(x[None, :], max(left, 1), wrong_left, m[:, None])
    total = (basis.n + m)[:, None].astype(float)
    k = basis.events + x[None, :]
    p = k / total
    with np.errstate(invalid="ignore", divide="ignore"):
        se2 = p * (1 - p) / (total - 1)  # SRSWOR: s² = n p(1−p)/(n − 1), times (1 − f)/n
    return (pmf * _certified(basis, total, k, p, se2, level)).sum(axis=1)


def _certified(
    basis: AdviceBasis,
    total: np.ndarray,
    k: np.ndarray,
    p: np.ndarray,
    se2: np.ndarray,
    level: float,
) -> np.ndarray:
    """The bound rule on the follow-up sample certifies (``se2`` without (1 − f)·deff)."""
    fraction = total / basis.population
    r = basis.df_ratio  # today's ratio, applied as n* · r: se ÷ √r and e · r with df ratio 1
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(basis.deff * se2 * np.clip(1 - fraction, 0, 1) / r)
    equivalent = total * basis.equivalent / basis.n * r
    return certifies(p, se, np.inf, equivalent, fraction, k, np.inf, level, basis.threshold)


def _person_probability(
    basis: AdviceBasis, m: np.ndarray, planning_rate: float, level: float, pb: PersonBasis
) -> np.ndarray:
    """Simulated P(certified) of the person rate: the planning rate's wrong households are a
    random set of the remaining frame; a follow-up of m households finds those among the
    first m of a random order. Added households that are not wrong contribute the remaining
    frame's mean size (with the normal spread of a sum of sizes) and mean square (the ratio's
    linearised SRSWOR variance)."""
    sizes = np.asarray(pb.remaining, dtype=float)
    left = sizes.size
    wrong_left = min(round(planning_rate * left), left)
    rng = np.random.default_rng(20161)
    # which remaining households are wrong and when a random visiting order reaches them
    # (drawn independently per wrong household: D ≪ N − n, so collisions are negligible)
    wrong_size = sizes[rng.integers(0, left, (PERSON_REPS, wrong_left))]
    wrong_rank = rng.integers(0, left, (PERSON_REPS, wrong_left))
    found = wrong_rank[:, None, :] < m[None, :, None]  # (R, M, D)
    x = found.sum(axis=2)
    w = pb.wrong_persons + (found * wrong_size[:, None, :]).sum(axis=2)
    w2 = pb.wrong_squares + (found * wrong_size[:, None, :] ** 2).sum(axis=2)
    mean, mean_sq = sizes.mean(), np.square(sizes).mean()
    total = (basis.n + m)[None, :].astype(float)
    others = m[None, :] - x  # added households that are not wrong: a normal sum of sizes
    spread = rng.standard_normal((PERSON_REPS, 1)) * sizes.std()
    persons = pb.persons + others * mean + np.sqrt(others) * spread + (w - pb.wrong_persons)
    squares = pb.squares + others * mean_sq + (w2 - pb.wrong_squares)
    p = np.clip(w / persons, 0.0, 1.0)
    z2 = w2 * (1 - p) ** 2 + np.clip(squares - w2, 0.0, None) * p**2
    with np.errstate(invalid="ignore", divide="ignore"):
        se2 = z2 / (total * (total - 1)) / (persons / total) ** 2
    return _certified(basis, total, basis.events + x, p, se2, level).mean(axis=0)


def extra_households(
    basis: AdviceBasis,
    planning_rate: float = GOOD_RATE,
    power: float = 0.8,
    level: float = 0.95,
    persons: PersonBasis | None = None,
) -> Advice:
    """Smallest m with P(certified | planning rate, m) ≥ power, capped at N − n (module doc);
    ``persons`` for a person rate (see :func:`certify_probability`)."""
    left = max(basis.population - basis.n, 0)
    if left == 0:
        return Advice(0, 0.0, True)
    if persons is not None:  # a simulated chance must clear the power by 2 Monte Carlo SE
        power = min(power + 2 * np.sqrt(power * (1 - power) / PERSON_REPS), 1.0)
    start, block = 1, 64
    while start <= left:
        m = np.arange(start, min(start + block, left + 1))
        chance = certify_probability(basis, m, planning_rate, level, persons)
        hit = np.flatnonzero(chance >= power)
        if hit.size:
            extra = int(m[hit[0]])
            return Advice(extra, float(chance[hit[0]]), extra >= left)
        start, block = int(m[-1]) + 1, block * 2
    chance = float(certify_probability(basis, np.array([left]), planning_rate, level, persons)[0])
    return Advice(left, chance, True)
