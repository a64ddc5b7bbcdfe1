"""Sample size (样本量) and acceptance plans (验收抽样方案) for spot checks of exit results.

Two questions an assessor asks before fieldwork:

* *precision* — how many households to estimate a rate to ±e (Cochran, with design effect and
  finite-population correction): :func:`cochran_sample_size`;
* *acceptance* — "is the wrong-exit rate (错退率) below the threshold?": the smallest sample size n
  and acceptance number d (pass when at most d wrong exits are found) such that a township whose
  true rate is at the threshold p0 passes with probability at most β (the assessor's risk) and one
  whose true rate is the "good" rate p1 passes with probability at least 1 − α (township's risk):
  :func:`acceptance_plan`, :func:`zero_failure_plan`, :func:`lqas_plan`; operating characteristic
  (OC) curves by :func:`oc_curve`.

Binomial plans treat the population as infinite; hypergeometric plans use the finite number N of
exited households (K0 = ⌈p0·N⌉ defective units at the threshold, K1 = ⌊p1·N⌋ at the good rate).
A design effect D > 1 (cluster samples) is handled through the effective sample size n/D (Kish):
the plan is found for the effective size, then n and d are scaled by D.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy import special, stats

from data_contracts.errors import RequestError

#: largest sample size the acceptance search will try before giving up
MAX_SEARCH_N = 200_000
_EPS = 1e-12


def _check_rate(name: str, value: float, *, allow_zero: bool = False) -> None:
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1) or not math.isfinite(value):
        bound = "[0, 1)" if allow_zero else "(0, 1)"
        raise RequestError(f"{name} must be a proportion in {bound}; got {value!r}.")


def _check_population(population: int | None) -> None:
    if population is not None and (int(population) != population or population < 1):
        raise RequestError(
            f"population must be a positive whole number of households; got {population!r}."
        )


def _check_deff(deff: float) -> None:
    if not (math.isfinite(deff) and deff >= 1):
        raise RequestError(f"design effect (deff) must be a number ≥ 1; got {deff!r}.")


# --------------------------------------------------------------------------- precision


@dataclass(frozen=True)
class PrecisionPlan:
    """Sample size for estimating a proportion to ±margin (样本量, Cochran)."""

    n: int
    n0: float
    margin: float
    confidence: float
    p: float
    deff: float
    population: int | None

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the inputs and the sample size."""
        return pd.DataFrame([asdict(self)])

    def __repr__(self) -> str:
        pop = "infinite" if self.population is None else f"N={self.population}"
        return (
            f"PrecisionPlan(n={self.n}: ±{self.margin:g} at {self.confidence:.0%}, p={self.p:g}, "
            f"deff={self.deff:g}, {pop})"
        )


def cochran_sample_size(
    margin: float = 0.05,
    confidence: float = 0.95,
    p: float = 0.5,
    population: int | None = None,
    deff: float = 1.0,
) -> PrecisionPlan:
    """Cochran's n for a proportion: n0 = z²·p(1−p)/e² · deff, then n = n0 / (1 + (n0 − 1)/N).

    ±5% at 95% with p = 0.5 and an infinite population gives 385.
    """
    _check_rate("margin", margin)
    _check_rate("confidence", confidence)
    _check_rate("p", p)
    _check_population(population)
    _check_deff(deff)
    z = stats.norm.ppf(0.5 + confidence / 2)
    n0 = z**2 * p * (1 - p) / margin**2 * deff
    n = n0 if population is None else n0 / (1 + (n0 - 1) / population)
    n_int = math.ceil(n - 1e-9)
    if population is not None:
        n_int = min(n_int, int(population))
    return PrecisionPlan(max(n_int, 1), float(n0), margin, confidence, p, deff, population)


def expected_margin(
    n: int,
    p: float = 0.5,
    confidence: float = 0.95,
    population: int | None = None,
    deff: float = 1.0,
) -> float:
    """Half-width of a normal-approximation CI for a proportion from n units (预期精度)."""
    if n < 1:
        raise RequestError(f"sample size must be at least 1; got {n!r}.")
    _check_population(population)
    z = stats.norm.ppf(0.5 + confidence / 2)
    fpc = 1.0 if population is None else max(population - n, 0) / max(population - 1, 1)
    return float(z * math.sqrt(deff * p * (1 - p) / n * fpc))


# --------------------------------------------------------------------------- acceptance


def _whole(population: np.ndarray) -> np.ndarray:
    """A population that is a whole number up to rounding (N·s or e/f lose the last bit:
    10950 comes back 10950.000000000002) as that whole number, so every caller of the exact
    zero-error bound — the plan and the verdict — counts the same population."""
    with np.errstate(invalid="ignore"):
        whole = np.round(population)
        return np.where(np.abs(population - whole) <= 1e-9 * np.abs(whole), whole, population)


def zero_event_upper(sample, population, alpha: float) -> np.ndarray:
    """Exact upper bound on a rate when none of ``sample`` units out of ``population`` failed.

    The largest integer D with P(no failure | D failures in the population) > α, divided by the
    population (hypergeometric, ⌊sample⌋ units drawn without replacement); for an infinite
    population (``inf``) the Clopper–Pearson bound 1 − α^(1/sample). Vectorised. The verdict's
    zero-error bound (``evaluation.bounds``) and :func:`zero_failure_plan` both use it, so a
    plan's sample that finds no error is certified.
    """
    n = np.floor(np.asarray(sample, dtype=float) + 1e-9)
    pop = _whole(np.asarray(population, dtype=float))
    n, pop = np.broadcast_arrays(n, pop)
    finite = np.isfinite(pop)
    big = np.where(finite, np.maximum(pop, n), n + 1.0)
    log_alpha = np.log(alpha)

    def log_none(d: np.ndarray) -> np.ndarray:  # ln P(0 | d) = ln B(N−n+1, n) − ln B(N−d−n+1, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            return special.betaln(big - n + 1, n) - special.betaln(big - d - n + 1, n)

    low, high = np.zeros_like(big), big - n  # P(0 | 0) = 1 > α; P(0 | pop − n) is the smallest
    for _ in range(64):  # bisection on the continuous root of ln P(0 | d) = ln α
        mid = (low + high) / 2
        above = log_none(mid) > log_alpha
        low, high = np.where(above, mid, low), np.where(above, high, mid)
    root = np.where(log_none(big - n) > log_alpha, big - n + 1, high)
    largest = np.clip(np.ceil(root - 1e-9) - 1, 0, None)  # largest integer with P > α
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where((big > 0) & (n >= 1), largest / big, 1.0)
        binomial = np.where(n > 0, -np.expm1(log_alpha / n), 1.0)
    return np.where(finite, np.fmin(exact, 1.0), binomial)


def _none_found(sample: float, population: float, rate: float) -> float:
    """P(no failure among ⌊sample⌋ of ``population`` | ⌈rate·population⌉ failures)."""
    n = math.floor(sample + 1e-9)
    if not math.isfinite(population):
        return float((1 - rate) ** n)
    d = math.ceil(rate * population - 1e-9)
    if d > population - n:
        return 0.0
    return float(
        np.exp(special.betaln(population - n + 1, n) - special.betaln(population - d - n + 1, n))
    )


def zero_event_certifies(sample, population, alpha: float, threshold: float) -> np.ndarray:
    """Whether :func:`zero_event_upper` (sample, population, α) lies below ``threshold``:
    P(no failure | ⌈threshold·N⌉ failures) ≤ α (the bound is the largest D with P > α, and P
    falls with D) — closed form, no bisection. Vectorised."""
    n = np.floor(np.asarray(sample, dtype=float) + 1e-9)
    pop = _whole(np.asarray(population, dtype=float))
    n, pop = np.broadcast_arrays(n, pop)
    finite = np.isfinite(pop)
    big = np.where(finite, np.maximum(pop, n), n + 1.0)
    d = np.ceil(threshold * big - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_none = special.betaln(big - n + 1, n) - special.betaln(big - d - n + 1, n)
    exact = np.where(d > big - n, True, np.nan_to_num(log_none, nan=-np.inf) <= np.log(alpha))
    binomial = n * np.log1p(-threshold) <= np.log(alpha)
    return np.where(n >= 1, np.where(finite, exact, binomial), False)


def _pass_probability(
    d: np.ndarray, n: np.ndarray, rate: float, population: int | None, *, defect_round: str
) -> np.ndarray:
    """P(at most d failures in n) under a binomial or hypergeometric model (vectorised)."""
    if population is None:
        return stats.binom.cdf(d, n, rate)
    k = (
        math.ceil(rate * population - 1e-9)
        if defect_round == "up"
        else math.floor(rate * population)
    )
    return stats.hypergeom.cdf(d, population, k, n)


def _largest_d(n: np.ndarray, p0: float, beta: float, population: int | None) -> np.ndarray:
    """Largest acceptance number d with P(pass | p0) ≤ β for each n (−1 if even d = 0 fails)."""
    if population is None:
        q = stats.binom.ppf(beta, n, p0)
    else:
        k0 = math.ceil(p0 * population - 1e-9)
        q = stats.hypergeom.ppf(beta, population, k0, n)
    q = np.nan_to_num(q, nan=-1.0).astype(np.int64)
    ok = _pass_probability(q, n, p0, population, defect_round="up") <= beta + _EPS
    return np.where(ok, q, q - 1)


@dataclass(frozen=True)
class AcceptancePlan:
    """A spot-check rule: survey n households, pass when at most d failures are found (验收方案).

    ``alpha_achieved`` = P(fail | good rate) (the township's risk), ``beta_achieved`` =
    P(pass | threshold) (the assessor's risk). ``n_effective``/``d_effective`` are the plan before
    design-effect scaling.
    """

    n: int
    d: int
    threshold: float
    good_rate: float | None
    alpha: float | None
    beta: float
    alpha_achieved: float | None
    beta_achieved: float
    population: int | None
    deff: float
    n_effective: int
    d_effective: int
    model: str

    def to_dict(self) -> dict:
        """Plain dict (JSON-ready) of the plan and its inputs."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the plan."""
        return pd.DataFrame([self.to_dict()])

    def oc_curve(self, rates: np.ndarray | None = None) -> pd.DataFrame:
        """Operating characteristic of this plan (see :func:`oc_curve`)."""
        return oc_curve(self.n_effective, self.d_effective, rates=rates, population=self.population)

    def __repr__(self) -> str:
        alpha = "—" if self.alpha_achieved is None else f"{self.alpha_achieved:.4f}"
        return (
            f"AcceptancePlan(n={self.n}, d={self.d}; threshold={self.threshold:g}, "
            f"good_rate={self.good_rate}, P(pass|threshold)={self.beta_achieved:.4f}, "
            f"P(fail|good)={alpha}, {self.model}, deff={self.deff:g})"
        )


def _search(feasible_at, population: int | None) -> int:
    """Smallest n ≥ 1 for which ``feasible_at(n_array)`` is true, scanning blocks of n."""
    limit = MAX_SEARCH_N if population is None else int(population)
    start, block = 1, 256
    while start <= limit:
        n = np.arange(start, min(start + block, limit + 1), dtype=np.int64)
        hit = np.flatnonzero(feasible_at(n))
        if hit.size:
            return int(n[hit[0]])
        start, block = int(n[-1]) + 1, block * 2
    where = "the population" if population is not None else f"{MAX_SEARCH_N} households"
    raise RequestError(
        f"no acceptance plan within {where} meets these risks; relax alpha/beta or widen the rates."
    )


def _finish(
    n_eff: int,
    d_eff: int,
    threshold: float,
    good_rate: float | None,
    alpha: float | None,
    beta: float,
    population: int | None,
    deff: float,
) -> AcceptancePlan:
    n_arr, d_arr = np.array([n_eff]), np.array([d_eff])
    beta_ach = float(_pass_probability(d_arr, n_arr, threshold, population, defect_round="up")[0])
    alpha_ach = None
    if good_rate is not None:
        p_good = _pass_probability(d_arr, n_arr, good_rate, population, defect_round="down")[0]
        alpha_ach = float(1 - p_good)
    n = math.ceil(n_eff * deff - 1e-9)
    if population is not None:
        n = min(n, int(population))
    d = math.floor(d_eff * deff + 1e-9)
    model = "binomial" if population is None else "hypergeometric"
    return AcceptancePlan(
        n,
        d,
        threshold,
        good_rate,
        alpha,
        beta,
        alpha_ach,
        beta_ach,
        population,
        deff,
        n_eff,
        d_eff,
        model,
    )


def acceptance_plan(
    threshold: float = 0.02,
    good_rate: float = 0.005,
    alpha: float = 0.10,
    beta: float = 0.05,
    population: int | None = None,
    deff: float = 1.0,
) -> AcceptancePlan:
    """Smallest (n, d) with P(pass | threshold) ≤ β and P(pass | good_rate) ≥ 1 − α.

    For each n the largest d meeting the β condition is the only candidate worth checking
    (a larger d raises both pass probabilities), so the search is one vectorised pass over n.
    """
    _check_rate("threshold", threshold)
    _check_rate("good rate", good_rate, allow_zero=True)
    _check_rate("alpha", alpha)
    _check_rate("beta", beta)
    _check_population(population)
    _check_deff(deff)
    if good_rate >= threshold:
        raise RequestError(
            f"the good rate ({good_rate:g}) must be below the threshold ({threshold:g})."
        )

    def feasible(n: np.ndarray) -> np.ndarray:
        d = _largest_d(n, threshold, beta, population)
        p_good = _pass_probability(np.maximum(d, 0), n, good_rate, population, defect_round="down")
        return (d >= 0) & (p_good >= 1 - alpha - _EPS)

    n_eff = _search(feasible, population)
    d_eff = int(_largest_d(np.array([n_eff]), threshold, beta, population)[0])
    return _finish(n_eff, d_eff, threshold, good_rate, alpha, beta, population, deff)


def zero_failure_plan(
    threshold: float = 0.02,
    confidence: float = 0.95,
    max_errors: int = 0,
    population: int | None = None,
    deff: float = 1.0,
    good_rate: float | None = None,
    size_factor: float = 1.0,
) -> AcceptancePlan:
    """Smallest n such that finding at most ``max_errors`` failures shows the rate is below the
    threshold at the given confidence: P(pass | threshold) ≤ 1 − confidence (零差错/d差错方案).

    For ``max_errors = 0`` (binomial) this is n = ⌈ln(1 − c) / ln(1 − p0)⌉: 149 for 2% at 95%.
    ``size_factor`` s ≤ 1 (``evaluation.bounds.size_factor`` of the frame's household sizes)
    plans for the wrong-exit rate by persons, whose zero-error bound counts n·s equivalent
    households of N·s: the smallest n with :func:`zero_event_upper` (n·s, N·s) below the
    threshold — the verdict's own bound. It applies to ``max_errors = 0``.
    """
    _check_rate("threshold", threshold)
    _check_rate("confidence", confidence)
    _check_population(population)
    _check_deff(deff)
    if good_rate is not None:
        _check_rate("good rate", good_rate, allow_zero=True)
    if int(max_errors) != max_errors or max_errors < 0:
        raise RequestError(f"max errors must be a whole number ≥ 0; got {max_errors!r}.")
    beta = round(1 - confidence, 12)
    if not 0 < size_factor <= 1:
        raise RequestError(f"size factor must be in (0, 1]; got {size_factor!r}.")
    if size_factor < 1 and max_errors:
        raise RequestError("a size factor applies to a zero-error plan (--max-errors 0).")
    if size_factor < 1:
        pop = np.inf if population is None else population * size_factor
        n_eff = _search(
            lambda n: zero_event_upper(n * size_factor, pop, beta) < threshold, population
        )
        plan = _finish(n_eff, 0, threshold, good_rate, None, beta, population, deff)
        return replace(plan, beta_achieved=_none_found(n_eff * size_factor, pop, threshold))

    def feasible(n: np.ndarray) -> np.ndarray:
        d = np.full_like(n, int(max_errors))
        return (n > d) & (
            _pass_probability(d, n, threshold, population, defect_round="up") <= beta + _EPS
        )

    n_eff = _search(feasible, population)
    return _finish(n_eff, int(max_errors), threshold, good_rate, None, beta, population, deff)


def lqas_plan(
    upper_coverage: float = 0.80,
    lower_coverage: float = 0.50,
    alpha: float = 0.10,
    beta: float = 0.10,
    population: int | None = None,
) -> AcceptancePlan:
    """LQAS for coverage: a lot is good at ``upper_coverage``, bad at ``lower_coverage``.

    LQAS counts failures (units *not* covered), so the failure threshold is 1 − lower and the good
    failure rate 1 − upper; the lot passes when at most d failures are found. 80% vs 50% with both
    risks under 10% gives n = 19, d = 6.
    """
    if not lower_coverage < upper_coverage:
        raise RequestError("the lower coverage must be below the upper coverage.")
    return acceptance_plan(
        round(1 - lower_coverage, 12), round(1 - upper_coverage, 12), alpha, beta, population
    )


def oc_curve(
    n: int, d: int, rates: np.ndarray | None = None, population: int | None = None
) -> pd.DataFrame:
    """Probability of passing (at most d failures in n) at each true failure rate (OC 曲线)."""
    _check_population(population)
    if rates is None:
        rates = np.linspace(0.0, 0.10, 101)
    rates = np.asarray(rates, dtype=float)
    if population is None:
        p_pass = stats.binom.cdf(d, n, rates)
    else:
        k = np.ceil(rates * population - 1e-9).astype(np.int64)
        p_pass = stats.hypergeom.cdf(d, population, k, n)
    return pd.DataFrame({"rate": rates, "p_pass": p_pass})


def households_to_draw(interviews: int, response_rate: float) -> int:
    """Households to draw (应抽户数) so that ``interviews`` are expected to respond: ⌈n / R⌉.

    Why: the plan's n counts completed interviews (入户调查); a response rate R < 1 means more
    households must be drawn. The tiny tolerance keeps n/R from rounding up on float noise."""
    _check_response_rate(response_rate)
    return math.ceil(interviews / response_rate - 1e-9)


def _check_response_rate(response_rate: float) -> None:
    if not 0 < response_rate <= 1:
        raise RequestError(f"--response-rate must be in (0, 1]; got {response_rate:g}.")
