"""The credibility verdict (可信度结论) per indicator and per township.

Two readings of every indicator are reported side by side:

* the **official rule** (官方口径): the point estimate against the threshold (错退率 < 2%,
  群众认可度 ≥ 90%, 贫困发生率 < 2%, procedure compliance ≥ its threshold);
* the **statistical verdict** (统计结论) at one-sided confidence ``level`` (default 95%):
  ``credible`` when the one-sided bound lies on the passing side of the threshold (the upper
  bound of a rate that must stay below it, the lower bound of a rate that must reach it);
  ``not_credible`` when the *other* one-sided bound lies on the failing side (the data show the
  indicator fails); otherwise ``inconclusive``, with the additional households that would
  certify it with the promised chance at the planning rate (:mod:`evaluation.advice`).

The township is ``credible`` only when every indicator is (an intersection–union test: each at
``level``, no adjustment needed), ``not_credible`` when any indicator is after **Holm's**
step-down over the township's judged indicators (the probability that a township meeting every
standard is declared not credible is at most 1 − level, whatever the dependence between its
indicators), and ``inconclusive`` otherwise. An indicator shown failing at ``level`` but not
after Holm is inconclusive.

A village indicator whose own evidence cannot decide it (no village survey, or too few of its
households interviewed to certify it even with no wrong exit) is ``not_assessable`` (未核查)
unless its data show it failing: never credible, never counted as failing, and it keeps the
township from being credible, as an inconclusive indicator does (``evaluation.villages``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from evaluation.advice import GOOD_RATE, AdviceBasis, PersonBasis, extra_households

Direction = Literal["below", "at_least"]
VERDICTS = ("credible", "inconclusive", "not_credible")
NOT_ASSESSABLE = "not_assessable"
"""An indicator without the evidence to test it (未核查): never credible, never failing."""
INDICATOR_VERDICTS = (*VERDICTS, NOT_ASSESSABLE)
"""Every verdict code an indicator can carry: ``VERDICTS`` (the bound rule) or not assessable."""
Ref = tuple[str, str | None]
"""An indicator's identity: its kind and, for a village indicator, the village ID."""


@dataclass(frozen=True)
class Thresholds:
    """Thresholds of the four indicators and the confidence level of the verdict.

    Defaults: 错退率 < 2%, 群众认可度 ≥ 90%, 贫困发生率 < 2% (national practice,
    国开办发〔2017〕56号);
    procedure compliance ≥ 95% is this workbench's default, not an official figure.
    ``power`` is the chance that the suggested additional sample certifies an inconclusive
    indicator when the households not yet sampled carry the ``planning_rate`` (the acceptance
    plan's good rate, 0.5%).
    """

    wrong_exit: float = 0.02
    approval: float = 0.90
    incidence: float = 0.02
    procedure: float = 0.95
    level: float = 0.95
    power: float = 0.80
    planning_rate: float = GOOD_RATE

    def __post_init__(self) -> None:
        for name in ("wrong_exit", "approval", "incidence", "procedure"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise RequestError(f"threshold {name} must be a proportion in (0, 1), got {value}")
        if not 0 <= self.planning_rate < self.wrong_exit:
            raise RequestError(
                f"planning rate must be in [0, {self.wrong_exit}); got {self.planning_rate}"
            )
        for name in ("level", "power"):
            value = getattr(self, name)
            if not 0.5 <= value < 1:
                raise RequestError(f"{name} must be in [0.5, 1), got {value}")


@dataclass(frozen=True)
class Indicator:
    """One indicator with its estimate, interval, both readings and the suggested extra sample."""

    kind: str
    estimate: float
    se: float
    ci_low: float  # two-sided interval at ``level``
    ci_high: float
    bound_low: float  # one-sided bounds at ``level``
    bound_high: float
    threshold: float
    direction: Direction
    level: float
    n: int  # households (or records) behind the estimate
    official_pass: bool
    verdict: str
    additional_n: int | None  # households more to survey when inconclusive
    village_id: str | None = None  # the village of a village indicator
    capped: bool = False  # the suggestion is every household left in the frame (全面核查)
    advice_power: float | None = None  # P(certified | planning rate) of the suggestion
    p_fail: float | None = None  # one-sided p-value of "meets the standard" (Holm's input)

    @property
    def ref(self) -> Ref:
        """(kind, village_id): which indicator this is."""
        return (self.kind, self.village_id)

    def to_dict(self) -> dict:
        """JSON-ready dict (NaN becomes None)."""
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of ``to_dict``."""
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        sign = "<" if self.direction == "below" else "≥"
        where = f" {self.village_id}" if self.village_id else ""
        return (
            f"Indicator({self.kind}{where}: {self.estimate:.2%} "
            f"[{self.ci_low:.2%}, {self.ci_high:.2%}] "
            f"vs {sign} {self.threshold:.0%}; official {'pass' if self.official_pass else 'fail'}, "
            f"{self.verdict})"
        )


def failure_p_value(
    bound_at: Callable[[float], float], threshold: float, direction: Direction
) -> float:
    """One-sided p-value of "the indicator meets its standard": 1 − the largest level at which
    the failing-side bound (``bound_at(level)``: the lower bound of a rate that must stay below
    the threshold, the upper bound of one that must reach it) is still on the failing side.

    1 when even the level-0.5 bound (≈ the point) is on the passing side; bisection to 1e-7.
    """

    def failing(level: float) -> bool:
        b = bound_at(level)
        return b >= threshold if direction == "below" else b < threshold

    low, high = 0.5 + 1e-7, 1.0 - 1e-9
    if not failing(low):
        return 1.0
    if failing(high):
        return 1e-9
    while high - low > 1e-7:
        mid = (low + high) / 2
        low, high = (mid, high) if failing(mid) else (low, mid)
    return 1.0 - low


def verdict_codes(
    low: np.ndarray, high: np.ndarray, threshold: float, direction: Direction = "below"
) -> np.ndarray:
    """The statistical verdict rule on arrays of one-sided bounds: codes into ``VERDICTS``.

    0 = credible (the bound on the passing side: upper < threshold for ``below``, lower ≥
    threshold for ``at_least``), 2 = not_credible (the other bound on the failing side), 1 =
    inconclusive. :func:`judge` applies it to one estimate; the review to arrays of replications.
    """
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if direction == "below":
        good, bad = high < threshold, low >= threshold
    elif direction == "at_least":
        good, bad = low >= threshold, high < threshold
    else:
        raise ValueError(f"direction must be 'below' or 'at_least', not {direction!r}")
    return np.where(good, 0, np.where(bad, 2, 1))


def judge(
    kind: str,
    estimate: float,
    se: float,
    ci: tuple[float, float],
    bounds: tuple[float, float],
    threshold: float,
    direction: Direction,
    n: int,
    level: float = 0.95,
    power: float = 0.8,
    advice: AdviceBasis | None = None,
    planning_rate: float = GOOD_RATE,
    village_id: str | None = None,
    p_fail: float | None = None,
    persons: PersonBasis | None = None,
    assessable: bool = True,
) -> Indicator:
    """Apply the official rule and the statistical verdict to one estimate.

    ``ci`` is the two-sided interval at ``level``; ``bounds`` the one-sided (lower, upper) bounds
    at ``level`` (the limits of the two-sided interval at 2·level − 1). ``advice`` is the
    evidence behind a sampled rate: an indicator that is not credible yet gets the extra
    households of :func:`evaluation.advice.extra_households` at ``planning_rate`` and
    ``power`` (kept for a failing one too, in case Holm's adjustment makes it inconclusive).
    ``p_fail`` is :func:`failure_p_value` (Holm's input); ``village_id`` names the village;
    ``persons`` the sizes a person rate's advice simulates. ``assessable=False`` (its evidence
    cannot certify it) makes the verdict ``not_assessable`` unless the bounds show it failing.
    """
    low, high = bounds
    verdict = VERDICTS[int(verdict_codes(low, high, threshold, direction))]
    if not assessable and verdict != "not_credible":
        verdict = NOT_ASSESSABLE
    official = estimate < threshold if direction == "below" else estimate >= threshold
    tip = None
    if verdict != "credible" and advice is not None:
        tip = extra_households(advice, planning_rate, power, level, persons)
    return Indicator(
        kind=kind,
        estimate=float(estimate),
        se=float(se),
        ci_low=float(ci[0]),
        ci_high=float(ci[1]),
        bound_low=float(low),
        bound_high=float(high),
        threshold=float(threshold),
        direction=direction,
        level=float(level),
        n=int(n),
        official_pass=bool(official),
        verdict=verdict,
        additional_n=None if tip is None else tip.extra,
        village_id=village_id,
        capped=tip is not None and tip.full_check,
        advice_power=None if tip is None else tip.power,
        p_fail=p_fail,
    )


def holm_rejections(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's step-down on rows of p-values (R × m): sorted p₍ⱼ₎ (j = 1…m) are rejected while
    p₍ⱼ₎ ≤ α ÷ (m − j + 1). Family-wise error ≤ α under any dependence (Holm 1979)."""
    p = np.atleast_2d(np.asarray(p_values, dtype=float))
    m = p.shape[1]
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=1)
    passes = np.cumprod(ranked <= alpha / (m - np.arange(m)), axis=1).astype(bool)
    out = np.empty_like(passes)
    np.put_along_axis(out, order, passes, axis=1)
    return out


def holm(indicators: list[Indicator], alpha: float) -> list[Indicator]:
    """:func:`holm_rejections` over the township's ``not_credible`` claims; a failing indicator
    not rejected becomes inconclusive (and keeps its advice), a rejected one drops its advice.

    An indicator without ``p_fail`` counts p = 0 when failing (a census: no sampling error) and
    1 otherwise; a ``not_assessable`` one is not a test.
    """
    tested = [i for i in indicators if i.verdict != NOT_ASSESSABLE]
    p = [
        i.p_fail if i.p_fail is not None else (0.0 if i.verdict == "not_credible" else 1.0)
        for i in tested
    ]
    rejected = (
        {id(i) for i, r in zip(tested, holm_rejections(np.array([p]), alpha)[0], strict=True) if r}
        if tested
        else set()
    )
    out = []
    for ind in indicators:
        if ind.verdict == "not_credible" and id(ind) not in rejected:
            ind = replace(ind, verdict="inconclusive")
        elif ind.verdict == "not_credible":
            ind = replace(ind, additional_n=None, capped=False, advice_power=None)
        out.append(ind)
    return out


@dataclass(frozen=True)
class Verdict:
    """The township verdict combined from its indicators (codes only; words in the catalogue)."""

    statistical: str
    official_pass: bool
    failing: tuple[Ref, ...]  # indicators judged not credible
    inconclusive: tuple[Ref, ...]
    official_failing: tuple[Ref, ...]
    additional_n: int | None  # households that would likely settle every inconclusive indicator
    missing: tuple[str, ...] = ()  # indicator kinds that could not be computed (no data)
    capped: bool = False  # the suggestion is every household left (全面核查)
    follow_up_village: str | None = None  # the village whose indicator drives the suggestion
    advice_power: float | None = None  # P(certified | planning rate) of that suggestion
    not_assessable: tuple[Ref, ...] = ()  # indicators not assessable (未核查)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        d = asdict(self)
        for key in ("failing", "inconclusive", "official_failing", "missing", "not_assessable"):
            d[key] = [list(r) if isinstance(r, tuple) else r for r in getattr(self, key)]
        return d

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of ``to_dict``."""
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        return f"Verdict({self.statistical}, official {'pass' if self.official_pass else 'fail'})"


def combine(indicators: list[Indicator], missing: tuple[str, ...] = ()) -> Verdict:
    """Township verdict from indicators already adjusted by :func:`holm`: credible iff all are,
    not_credible if any is, else inconclusive.

    An indicator in ``missing`` (no data) keeps the township from being credible and fails the
    official rule; a ``not_assessable`` indicator keeps it from being credible too (listed in
    ``Verdict.not_assessable``).
    """
    if not indicators:
        raise RequestError("no indicator could be computed; nothing to judge")
    failing = tuple(i.ref for i in indicators if i.verdict == "not_credible")
    open_ = tuple(i.ref for i in indicators if i.verdict == "inconclusive")
    unchecked = tuple(i.ref for i in indicators if i.verdict == NOT_ASSESSABLE)
    statistical = (
        "not_credible"
        if failing
        else "inconclusive"
        if open_ or unchecked or missing
        else "credible"
    )
    advised = [i for i in indicators if i.verdict == "inconclusive" and i.additional_n is not None]
    driver = max(advised, key=lambda i: i.additional_n or 0) if advised else None
    return Verdict(
        statistical=statistical,
        official_pass=all(i.official_pass for i in indicators) and not missing,
        failing=failing,
        inconclusive=open_,
        official_failing=tuple(i.ref for i in indicators if not i.official_pass)
        + tuple((m, None) for m in missing),
        additional_n=None if driver is None else driver.additional_n,
        missing=tuple(missing),
        capped=driver is not None and driver.capped,
        follow_up_village=None if driver is None else driver.village_id,
        advice_power=None if driver is None else driver.advice_power,
        not_assessable=unchecked,
    )
