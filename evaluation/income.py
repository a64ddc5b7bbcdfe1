"""Reported vs surveyed income (收入核实): per-household differences and agreement statistics.

For every interviewed household the registry's reported per-capita net income (人均纯收入) is
compared with the surveyed one. Design-based summaries (mean difference, verification factor,
share over-reported) are estimated with the survey design in ``evaluation.assessment``; this
module holds the per-household quantities and the descriptive agreement statistics:

* **Bland–Altman on the log scale**: d = ln(surveyed) − ln(reported); bias = mean(d), limits of
  agreement = bias ± z·sd(d). Back-transformed, they are ratios surveyed/reported. Descriptive,
  unweighted (as in method-comparison practice); households with a non-positive income are left
  out and counted.
* **Wilcoxon signed-rank test** (one-sided, reported > surveyed) for systematic inflation of
  the registry incomes; unweighted, so it describes the sample rather than the population.
* **Over-reporting**: reported income exceeds the surveyed one by more than ``over_report``
  (default 20%) of the surveyed value.
* **Conclusion** (收入高报结论, :func:`income_conclusion`): a code decided from the signed-rank
  test and the design-based one-sided bounds of the over-reported share against a tolerated
  share (docs/methods.md §5a); the verification factor is context only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from data_contracts import records
from evaluation.estimates import Estimate
from evaluation.recording import estimate_record, rows_as
from evaluation.survey_design import SurveyDesign

OVER_REPORT = 0.20
UNDER_VERIFIED = 0.90  # WHO data-quality review: verification factor below 0.90 = over-reporting
TOLERATED_SHARE = 0.10  # share over-reported beyond OVER_REPORT that survey error alone can give


def income_differences(units: pd.DataFrame, over_report: float = OVER_REPORT) -> pd.DataFrame:
    """Per-household comparison for the responding units.

    Columns: ``household_id``, ``village_id``, ``reported`` and ``surveyed`` (yuan per person),
    ``difference`` (surveyed − reported), ``ratio`` (surveyed ÷ reported), ``log_ratio``,
    ``reported_total`` and ``surveyed_total`` (household size × per-capita income, using the
    registered and the surveyed household size), and ``over_reported``.
    """
    resp = units.loc[units["responded"].to_numpy(dtype=bool)]
    reported = pd.to_numeric(resp["income_per_capita"]).to_numpy(float)
    surveyed = pd.to_numeric(resp["surveyed_income_per_capita"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reported > 0, surveyed / reported, np.nan)
        log_ratio = np.where((reported > 0) & (surveyed > 0), np.log(surveyed / reported), np.nan)
    return pd.DataFrame(
        {
            "household_id": resp["household_id"].to_numpy(),
            "village_id": resp["village_id"].to_numpy(),
            "reported": reported,
            "surveyed": surveyed,
            "difference": surveyed - reported,
            "ratio": ratio,
            "log_ratio": log_ratio,
            "reported_total": reported * resp["household_size"].to_numpy(float),
            "surveyed_total": surveyed * resp["surveyed_household_size"].to_numpy(float),
            "over_reported": reported > (1 + over_report) * surveyed,
        }
    )


def income_columns(units: pd.DataFrame, over_report: float = OVER_REPORT) -> dict[str, np.ndarray]:
    """Analysis variables for the design (NaN for nonrespondents, who are masked as a domain)."""
    resp = units["responded"].to_numpy(dtype=bool)
    diff = income_differences(units, over_report)
    cols = {}
    for name, source in [
        ("income_difference", "difference"),
        ("reported_total", "reported_total"),
        ("surveyed_total", "surveyed_total"),
        ("over_reported", "over_reported"),
    ]:
        values = np.full(len(units), np.nan)
        values[resp] = diff[source].to_numpy(dtype=float)
        cols[name] = values
    return cols


@dataclass(frozen=True)
class BlandAltman:
    """Bland–Altman agreement on the log scale (ln surveyed − ln reported)."""

    bias: float
    sd: float
    lower: float  # limits of agreement, log scale
    upper: float
    level: float
    n: int
    excluded: int  # households with a non-positive income

    @property
    def ratio_bias(self) -> float:
        """Geometric-mean ratio surveyed ÷ reported."""
        return math.exp(self.bias)

    @property
    def ratio_limits(self) -> tuple[float, float]:
        """Limits of agreement as ratios surveyed ÷ reported."""
        return math.exp(self.lower), math.exp(self.upper)

    def to_dict(self) -> dict:
        """JSON-ready dict including the ratio-scale values."""
        lo, hi = self.ratio_limits
        return {**asdict(self), "ratio_bias": self.ratio_bias, "ratio_lower": lo, "ratio_upper": hi}

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of ``to_dict``."""
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        lo, hi = self.ratio_limits
        return (
            f"BlandAltman(log bias {self.bias:+.3f}, ratio {self.ratio_bias:.3f}, "
            f"limits {lo:.3f}–{hi:.3f}, n={self.n})"
        )


def bland_altman_log(log_ratio: np.ndarray, level: float = 0.95) -> BlandAltman:
    """Bias and limits of agreement of ``log_ratio`` (NaN entries are the excluded households)."""
    d = np.asarray(log_ratio, dtype=float)
    ok = d[~np.isnan(d)]
    n = ok.size
    bias = float(ok.mean()) if n else float("nan")
    sd = float(ok.std(ddof=1)) if n > 1 else float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    return BlandAltman(
        bias, sd, float(bias - z * sd), float(bias + z * sd), level, n, int(d.size - n)
    )


@dataclass(frozen=True)
class SignedRank:
    """One-sided Wilcoxon signed-rank test of reported > surveyed (systematic inflation)."""

    statistic: float
    p_value: float
    n: int  # pairs with a non-zero difference

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """One-row frame of ``to_dict``."""
        return pd.DataFrame([self.to_dict()])

    def __repr__(self) -> str:
        return f"SignedRank(W={self.statistic:.1f}, one-sided p={self.p_value:.4g}, n={self.n})"


def signed_rank_inflation(reported: np.ndarray, surveyed: np.ndarray) -> SignedRank:
    """Wilcoxon signed-rank test that reported incomes exceed surveyed ones (zero pairs dropped)."""
    diff = np.asarray(reported, float) - np.asarray(surveyed, float)
    diff = diff[~np.isnan(diff) & (diff != 0)]
    if diff.size == 0:
        return SignedRank(float("nan"), float("nan"), 0)
    res = stats.wilcoxon(diff, alternative="greater")
    return SignedRank(float(res.statistic), float(res.pvalue), int(diff.size))


def inflation_rejected(p_value: float | None, level: float = 0.95) -> bool:
    """Whether the one-sided test rejects at α = 1 − ``level`` (p ≤ α; no p-value: it does not)."""
    return p_value is not None and p_value <= 1.0 - level  # NaN compares False


def income_conclusion(
    p_value: float | None,
    share_lower: float | None,
    share_upper: float | None,
    tolerated_share: float = TOLERATED_SHARE,
    level: float = 0.95,
) -> records.IncomeConclusion:
    """The income conclusion (收入高报结论) from the evidence, as a code.

    ``p_value`` is the one-sided signed-rank p of reported > surveyed; ``share_lower`` and
    ``share_upper`` the one-sided bounds at ``level`` of the share of households over-reported
    beyond the tolerance. With α = 1 − ``level`` and the test rejecting when p ≤ α:

    * ``systematic_over_reporting`` (系统性高报): the test rejects and the lower bound exceeds
      ``tolerated_share`` — more than the tolerated share is over-reported, and incomes are
      shifted upwards overall;
    * ``none_found`` (未见系统性高报): the test does not reject and the upper bound is below
      ``tolerated_share``;
    * ``inconclusive`` (尚无定论) otherwise, including a missing p-value (no non-zero pair) with
      a share that is not shown below the tolerance, or missing bounds.

    Each of the first two is a level-α claim (docs/methods.md §5a). Raising reported incomes can
    only lower p and raise the share, so the conclusion never gets better (tested).
    """
    rejects = inflation_rejected(p_value, level)
    if rejects and share_lower is not None and share_lower > tolerated_share:
        return "systematic_over_reporting"
    if not rejects and share_upper is not None and share_upper < tolerated_share:
        return "none_found"
    return "inconclusive"


@dataclass(frozen=True)
class IncomeComparison:
    """Income comparison of the township: per-household table and its summaries."""

    households: pd.DataFrame  # see income_differences
    mean_difference: Estimate  # design-weighted mean of surveyed − reported, yuan per person
    verification_factor: Estimate  # Σ surveyed total ÷ Σ reported total (survey ratio)
    over_reported: Estimate  # share of households over-reported by more than over_report
    bland_altman: BlandAltman
    signed_rank: SignedRank
    over_report: float
    typical_poverty_line: float  # the line of the most common exit year among sampled households
    tolerated_share: float = TOLERATED_SHARE
    level: float = 0.95

    @property
    def over_reporting_flag(self) -> bool:
        """WHO rule: verification factor below 0.90 flags over-reporting (context only)."""
        return self.verification_factor.estimate < UNDER_VERIFIED

    @property
    def conclusion(self) -> records.IncomeConclusion:
        """The income conclusion code (:func:`income_conclusion`) at this comparison's level."""
        share = self.over_reported
        return income_conclusion(
            self.signed_rank.p_value,
            share.lower_bound(self.level),
            share.upper_bound(self.level),
            self.tolerated_share,
            self.level,
        )

    def largest_discrepancies(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` households with the largest |ln(surveyed ÷ reported)|."""
        h = self.households
        order = h["log_ratio"].abs().sort_values(ascending=False, na_position="last").index
        return h.loc[order[:k]].reset_index(drop=True)

    def to_record(self, level: float, k: int = 10) -> records.IncomeResult:
        """The ``income`` record of results.json (with the ``k`` largest discrepancies).

        The estimates' intervals are recorded at ``level``; the conclusion is the comparison's
        own (decided at the level it was computed with).
        """
        ba = self.bland_altman
        lo, hi = ba.ratio_limits
        top = self.largest_discrepancies(k)
        return records.IncomeResult(
            mean_difference=estimate_record(self.mean_difference, level),
            verification_factor=records.VerificationFactor(
                estimate=estimate_record(self.verification_factor, level),
                over_reporting_flag=self.over_reporting_flag,
            ),
            over_reported_share=estimate_record(self.over_reported, level),
            over_report_threshold=self.over_report,
            conclusion=self.conclusion,
            tolerated_share=self.tolerated_share,
            limits_of_agreement=records.LimitsOfAgreement(
                bias=ba.bias,
                sd=ba.sd,
                lower=ba.lower,
                upper=ba.upper,
                level=ba.level,
                n=ba.n,
                excluded=ba.excluded,
                ratio_bias=ba.ratio_bias,
                ratio_lower=lo,
                ratio_upper=hi,
            ),
            signed_rank=records.SignedRank(
                **self.signed_rank.to_dict(),
                rejects=inflation_rejected(self.signed_rank.p_value, self.level),
            ),
            households=len(self.households),
            typical_poverty_line=self.typical_poverty_line,
            discrepancies=rows_as(
                records.Discrepancy, top, ("household_id", "reported", "surveyed", "ratio")
            ),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per design-based income summary."""
        named = {
            "mean_difference": self.mean_difference,
            "verification_factor": self.verification_factor,
            "over_reported_share": self.over_reported,
        }
        return pd.concat(
            [e.to_frame().assign(summary=k) for k, e in named.items()], ignore_index=True
        )

    def __repr__(self) -> str:
        vf = self.verification_factor
        return (
            f"IncomeComparison(n={len(self.households)}, mean difference "
            f"{self.mean_difference.estimate:+.0f} yuan, verification factor {vf.estimate:.3f} "
            f"[{vf.ci[0]:.3f}, {vf.ci[1]:.3f}], over-reported >{self.over_report:.0%}: "
            f"{self.over_reported.estimate:.1%}; {self.conclusion})"
        )


def compare_income(
    design: SurveyDesign,
    units: pd.DataFrame,
    over_report: float = OVER_REPORT,
    method: str = "beta",
    level: float = 0.95,
    tolerated_share: float = TOLERATED_SHARE,
) -> IncomeComparison:
    """Income comparison of the interviewed households.

    ``design`` is the household design whose data carry the :func:`income_columns` (and a
    ``responded`` column); estimates use the interviewed households as a domain. The
    conclusion weighs the over-reported share against ``tolerated_share`` at ``level``.
    """
    households = income_differences(units, over_report)
    resp = design.subset("responded")
    return IncomeComparison(
        households=households,
        mean_difference=resp.mean("income_difference", level=level),
        verification_factor=resp.ratio("surveyed_total", "reported_total", level=level),
        over_reported=resp.proportion("over_reported", method=method, level=level),
        bland_altman=bland_altman_log(households["log_ratio"].to_numpy(), level),
        signed_rank=signed_rank_inflation(households["reported"], households["surveyed"]),
        over_report=over_report,
        typical_poverty_line=typical_poverty_line(units),
        tolerated_share=tolerated_share,
        level=level,
    )


def typical_poverty_line(units: pd.DataFrame) -> float:
    """The poverty line of the most common exit year among the sampled households (for figures)."""
    lines = pd.to_numeric(units["poverty_line"], errors="coerce").dropna()
    return float(lines.mode().iloc[0]) if len(lines) else float("nan")
