"""Design-based rates of a township (率的估计): 错退率, 群众认可度, acknowledgement, with intervals.

All rates are estimated on the full sample design (``evaluation.design_from_sample``) with the
interviewed households as a *domain*: nonrespondents stay in the design and are masked, never
dropped, so the variance keeps every PSU of the design.

* 错退率 by persons (official: wrong-exit persons ÷ exited persons in the sample) is the ratio
  Σ w·m·wrong ÷ Σ w·m with m the surveyed household size. It is estimated as the proportion of
  ``wrong_exit`` in the same design with weights w·m: the point estimate and the linearised
  variance are identical to the ratio estimator (its influence values are w·m·(wrong − R) ÷ Σw·m
  either way), and it lets the Korn–Graubard ("beta") interval behave at 0 observed wrong exits.
* 错退率 by households, 群众认可度 (approving ÷ surveyed households) and the acknowledgement rate
  (认可脱贫) are domain proportions with the chosen interval method; interviewed households that
  left the question blank are left out of that rate (its ``n`` says how many answered).
* **Effective sample size.** Wrong exit is a household attribute, so a wrong-exit rate carries
  no more information than its interviewed households: every wrong-exit rate (persons and
  households, scenarios, reasons, villages) is bounded by the one rule of
  :mod:`evaluation.bounds` — Korn–Graubard with n* capped at the Kish-equivalent households
  ÷ (1 − f), events counted as at least the wrong households found, and the exact
  hypergeometric bound when none was found. Without the cap one small wrong-exit household makes
  the linearised SE — and the interval — too small (a risk stratum whose sampled households are
  all wrong exits and another with none gives a linearised SE near 0).
* Nonresponse bounds: refused / not-found households without a replacement are counted all
  correct (best case) or all wrong (worst case) over the whole main sample; for persons their
  registered household size stands in for the unknown surveyed size.
* Borderline sensitivity: the rates with borderline households counted as wrong / as correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from evaluation.bounds import CountBasis, count_interval, kish_size
from evaluation.classify import REASONS, sensitivity_flags
from evaluation.design_from_sample import design_from_sample
from evaluation.estimates import Estimate
from evaluation.income import OVER_REPORT, income_columns
from evaluation.intervals import interval
from evaluation.survey_design import SurveyDesign


@dataclass(frozen=True)
class Designs:
    """The household design and the person-weighted design (weights × household size)."""

    households: SurveyDesign
    persons: SurveyDesign
    respondents: np.ndarray  # bool mask of interviewed units
    size_factor: float = 1.0  # the frame's person-equivalence (evaluation.bounds.size_factor)

    @classmethod
    def build(
        cls,
        units: pd.DataFrame,
        design_info: Mapping[str, Any],
        lonely_psu: str = "adjust",
        over_report: float = OVER_REPORT,
        size_factor: float = 1.0,
    ) -> Designs:
        """Both designs over all main-sample units (nonrespondents included, to be masked);
        ``size_factor`` is the frame's person-equivalence used by the person-rate bounds."""
        resp = units["responded"].to_numpy(dtype=bool)
        if not resp.any():
            raise RequestError("no household was interviewed (all refused / not found / missing)")
        data = units.assign(**_analysis_columns(units), **income_columns(units, over_report))
        persons = data.assign(weight=data["weight"] * data["size_for_weight"])
        return cls(
            households=design_from_sample(data, design_info, lonely_psu=lonely_psu),
            persons=design_from_sample(persons, design_info, lonely_psu=lonely_psu),
            respondents=resp,
            size_factor=size_factor,
        )

    def estimate(
        self,
        variable: str,
        *,
        persons: bool = False,
        method: str = "beta",
        level: float = 0.95,
        domain: str = "responded",
        counts: bool = False,
    ) -> Estimate:
        """Proportion of ``variable`` within ``domain`` (a bool column; "all" = every unit).

        ``counts`` bounds it by the household-count rule of :mod:`evaluation.bounds` (the
        wrong-exit rates: a household attribute, rare events).
        """
        design = self.persons if persons else self.households
        if domain != "all":
            design = design.subset(domain)
        e = design.proportion(variable, method=method, level=level, na_rm=True)
        if not counts:
            return e
        rows = design.domain_mask & design.data[variable].notna().to_numpy()
        weights = self.households.data["weight"].to_numpy(dtype=float)
        basis = count_basis(
            self.households.data.loc[rows],
            weights[design.domain_mask].sum(),
            variable,
            self.size_factor if persons else 1.0,
        )
        if method != "beta":  # the same cap as an SE floor for the other interval methods
            se = float(household_floor(e.estimate, e.se, basis.equivalent, basis.fraction))
            low, high = interval(e.method, e.estimate, se, e.df, e.level, e.n)
            return replace(e, se=se, ci=(float(low), float(high)))
        low, high = count_interval(
            e.estimate, e.se, e.df, basis.equivalent, basis.fraction, basis.events,
            basis.element_df, e.level,
        )  # fmt: skip
        return replace(e, ci=(float(low), float(high)), basis=basis)


def count_basis(
    rows: pd.DataFrame, households: float, variable: str, size_factor: float = 1.0
) -> CountBasis:
    """The :class:`~evaluation.bounds.CountBasis` of a rate over the answering ``rows``.

    ``rows`` carry the household ``weight``, ``stratum`` and ``variable``; ``households`` is N̂,
    the estimated households of the domain (Σ household weights); ``size_factor`` the frame's
    person-equivalence for a person rate (1 for a household rate).
    """
    n = len(rows)
    return CountBasis(
        equivalent=kish_size(rows["weight"].to_numpy(dtype=float)) * size_factor,
        fraction=n / households if households > 0 else 0.0,
        events=int(rows[variable].to_numpy(dtype=float).sum()),
        element_df=float(n - rows["stratum"].nunique()),
    )


def household_floor(p, se, equivalent, fraction=0.0):
    """SE floored at √(p(1−p)/e · (1 − f)) — the cap n* ≤ e/(1 − f) of :mod:`evaluation.bounds`
    as an SE floor, for interval methods other than Korn–Graubard (vectorised)."""
    p, se, e, f = (np.asarray(a, dtype=float) for a in (p, se, equivalent, fraction))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmax(se, np.sqrt(p * (1 - p) / e * (1 - np.clip(f, 0, 1))))


def _analysis_columns(units: pd.DataFrame) -> dict[str, np.ndarray]:
    """0/1 analysis variables (NaN for nonrespondents) and the size used in person weights."""
    resp = units["responded"].to_numpy(dtype=bool)
    surveyed = pd.to_numeric(units["surveyed_household_size"]).to_numpy(float, na_value=np.nan)
    registered = pd.to_numeric(units["household_size"]).to_numpy(float, na_value=np.nan)
    size = np.where(resp, surveyed, registered)
    sens = sensitivity_flags(units)

    def on_resp(values) -> np.ndarray:
        return np.where(resp, np.asarray(values, dtype=float), np.nan)

    def answered(col: str) -> np.ndarray:
        values = units[col].astype("boolean").to_numpy(dtype=float, na_value=np.nan)
        return np.where(resp, values, np.nan)

    cols = {
        "size_for_weight": size,
        "wrong": on_resp(units["wrong_exit"]),
        "wrong_borderline_wrong": on_resp(sens["wrong_if_borderline_wrong"]),
        "wrong_borderline_correct": on_resp(sens["wrong_if_borderline_correct"]),
        "wrong_best_case": np.where(resp, units["wrong_exit"].to_numpy(float), 0.0),
        "wrong_worst_case": np.where(resp, units["wrong_exit"].to_numpy(float), 1.0),
        "approves": answered("approves_result"),
        "acknowledges": answered("acknowledges_exit"),
    }
    for code in REASONS:
        cols[f"is_{code}"] = on_resp(units[f"reason_{code}"])
    return cols


def _row(label: str, est: Estimate, level: float) -> dict:
    return {
        "scenario": label,
        "estimate": est.estimate,
        "se": est.se,
        "ci_low": est.ci[0],
        "ci_high": est.ci[1],
        "upper_bound": est.upper_bound(level),
        "n": est.n,
    }


@dataclass(frozen=True)
class Rates:
    """The township's rates with intervals, scenarios and reasons (a key village's own rate is
    estimated from its own households: :mod:`evaluation.villages`)."""

    persons: Estimate  # 错退率 (persons)
    households: Estimate  # 错退率 (households)
    approval: Estimate | None  # 群众认可度; None when no interviewed household answered
    acknowledgement: Estimate | None
    scenarios: pd.DataFrame  # borderline sensitivity and nonresponse bounds
    reasons: pd.DataFrame
    level: float

    def to_frame(self) -> pd.DataFrame:
        """One row per headline rate."""
        named = {
            "wrong_exit_rate": self.persons,
            "wrong_exit_rate_households": self.households,
            "approval_rate": self.approval,
            "acknowledgement_rate": self.acknowledgement,
        }
        rows = [e.to_frame().assign(indicator=k) for k, e in named.items() if e is not None]
        return pd.concat(rows, ignore_index=True)

    def __repr__(self) -> str:
        p, h = self.persons, self.households
        return (
            f"Rates(错退率 persons {p.estimate:.2%} [{p.ci[0]:.2%}, {p.ci[1]:.2%}], households "
            f"{h.estimate:.2%}, upper bound {p.upper_bound(self.level):.2%}, n={p.n})"
        )


def estimate_rates(designs: Designs, method: str = "beta", level: float = 0.95) -> Rates:
    """Estimate every rate of the township from the two designs."""

    def est(var: str, persons: bool = False, domain: str = "responded", counts: bool = True):
        return designs.estimate(
            var, persons=persons, method=method, level=level, domain=domain, counts=counts
        )

    persons, households = est("wrong", True), est("wrong")
    scenarios = []
    for label, var, domain in [
        ("interviewed", "wrong", "responded"),
        ("borderline_as_wrong", "wrong_borderline_wrong", "responded"),
        ("borderline_as_correct", "wrong_borderline_correct", "responded"),
        ("nonrespondents_correct", "wrong_best_case", "all"),
        ("nonrespondents_wrong", "wrong_worst_case", "all"),
    ]:
        for unit, use_persons in (("persons", True), ("households", False)):
            row = _row(label, est(var, use_persons, domain), level)
            scenarios.append({"unit": unit, **row})
    return Rates(
        persons=persons,
        households=households,
        approval=est("approves", counts=False) if _answered(designs, "approves") else None,
        acknowledgement=(
            est("acknowledges", counts=False) if _answered(designs, "acknowledges") else None
        ),
        scenarios=pd.DataFrame(scenarios),
        reasons=_reasons(designs, level),
        level=level,
    )


def _answered(designs: Designs, variable: str) -> bool:
    """Whether any interviewed household answered the question behind ``variable``."""
    return bool(designs.households.data[variable].notna().any())


def _reasons(designs: Designs, level: float) -> pd.DataFrame:
    """Households with each reason and the estimated share of exited persons affected."""
    data = designs.households.data
    resp = designs.respondents
    rows = []
    for code in REASONS:
        share = designs.estimate(f"is_{code}", persons=True, level=level, counts=True)
        rows.append(
            {
                "reason": code,
                "households": int(data.loc[resp, f"reason_{code}"].sum()),
                "persons_share": share.estimate,
                "ci_low": share.ci[0],
                "ci_high": share.ci[1],
            }
        )
    return pd.DataFrame(rows)
