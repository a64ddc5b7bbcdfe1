"""The credibility verdict (可信度结论) per indicator and per township.

Two readings of every indicator are reported side by side:

* the **official rule** (官方口径): the point estimate against the threshold (错退率 < 2%,
  群众认可度 ≥ 90%, 贫困发生率 < 2%, procedure compliance ≥ its threshold);
* the **statistical verdict** (统计结论) at one-sided confidence ``level`` (default 95%):
  ``credible`` when the one-sided bound lies on the passing side of the threshold (the upper
  bound of a rate that must stay below it, the lower bound of a rate that must reach it);
  ``not_credible`` when the *other* one-sided bound lies on the failing side (the data show the
  indicator fails); otherwise ``inconclusive``, with the additional number of households that
  would likely settle it.

A village indicator whose own evidence cannot decide it (no village survey, or too few of its
households interviewed to certify it even with no wrong exit) is ``not_assessable`` (未核查)
unless its data show it failing: never credible, never counted as failing, and it keeps the
township from being credible, as an inconclusive indicator does (``evaluation.villages``).

The township is ``credible`` only when every indicator is, ``not_credible`` when any indicator
is, and ``inconclusive`` otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from data_contracts.errors import RequestError

Direction = Literal["below", "at_least"]
VERDICTS = ("credible", "inconclusive", "not_credible")
NOT_ASSESSABLE = "not_assessable"
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
    ``power`` is the chance that the suggested additional sample settles an inconclusive
    indicator if the current estimate is the truth.
    """

    wrong_exit: float = 0.02
    approval: float = 0.90
    incidence: float = 0.02
    procedure: float = 0.95
    level: float = 0.95
    power: float = 0.80

    def __post_init__(self) -> None:
        for name in ("wrong_exit", "approval", "incidence", "procedure"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise RequestError(f"threshold {name} must be a proportion in (0, 1), got {value}")
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
    capped: bool = False  # the suggestion reached every household left in the frame

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


def additional_sample_size(
    estimate: float, se: float, n: int, threshold: float, level: float = 0.95, power: float = 0.8
) -> int | None:
    """Households to add so a one-sided level test would likely separate the rate from threshold.

    Assumes the current estimate is the truth and keeps the current design effect
    (deff = se² ÷ (p(1−p)/n), 1 when it cannot be computed): n_total = deff ·
    (z_level √(t(1−t)) + z_power √(p(1−p)))² ÷ (p − t)². ``None`` when the estimate sits on the
    threshold (no finite sample settles it).
    """
    p, t = estimate, threshold
    if math.isnan(p) or p == t:
        return None
    var_srs = p * (1 - p) / n if n > 0 else float("nan")
    deff = se**2 / var_srs if var_srs > 0 and se > 0 else 1.0
    z_a, z_b = stats.norm.ppf(level), stats.norm.ppf(power)
    n_total = (
        deff * (z_a * math.sqrt(t * (1 - t)) + z_b * math.sqrt(p * (1 - p))) ** 2 / (p - t) ** 2
    )
    return max(math.ceil(n_total - n), 1)


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
    settle: tuple[float, float, float] | None = None,
    cap: int | None = None,
    village_id: str | None = None,
    assessable: bool = True,
) -> Indicator:
    """Apply the official rule and the statistical verdict to one estimate.

    ``ci`` is the two-sided interval at ``level``; ``bounds`` the one-sided (lower, upper) bounds
    at ``level`` (the limits of the two-sided interval at 2·level − 1). ``settle`` = (rate, se,
    rate threshold) when the indicator is a known transformation of a sampled rate (village
    incidence): the suggested sample size is then computed on that rate. ``cap`` = households
    left to survey (frame − sample): a larger suggestion is cut to it (survey them all:
    ``capped``). ``village_id`` names the village of a village indicator. ``assessable=False``
    (its evidence cannot certify it) makes the verdict ``not_assessable`` unless the bounds show
    it failing.
    """
    low, high = bounds
    verdict = VERDICTS[int(verdict_codes(low, high, threshold, direction))]
    if not assessable and verdict != "not_credible":
        verdict = NOT_ASSESSABLE
    official = estimate < threshold if direction == "below" else estimate >= threshold
    basis = settle or (estimate, se, threshold)
    extra = (
        additional_sample_size(basis[0], basis[1], n, basis[2], level, power)
        if verdict == "inconclusive"
        else None
    )
    capped = extra is not None and cap is not None and extra >= cap
    if capped:
        extra = cap
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
        additional_n=extra,
        village_id=village_id,
        capped=capped,
    )


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
    """Township verdict: credible iff all are, not_credible if any is, else inconclusive.

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
        not_assessable=unchecked,
    )
