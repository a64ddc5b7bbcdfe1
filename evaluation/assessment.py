"""Assessment of one township (乡镇退出评估): every computation behind the report and results.json.

``assess_township`` takes validated tables (canonical columns, docs/interfaces.md) — the sample
table, the survey returns, the registry households and villages, ``design.json`` and optionally
the village survey — and returns an :class:`Assessment` holding the classified households, the
rates with intervals, the income comparison, the village and procedure checks and the verdict.

Levels: two-sided intervals are at ``Thresholds.level`` (95%); the statistical verdict uses the
one-sided bounds at the same level (the ends of the two-sided 90% interval). The overall verdict
combines the four indicators of the issue — 错退率 by persons, 群众认可度, exited key villages'
incidence, procedure compliance; the household-based 错退率 is judged and reported but does not
enter the overall verdict (the official definition counts persons).

Procedure compliance is a census of the township's exited households in the registry (no
sampling error), using the registry's dates. No personal data leave this module unmasked:
``Assessment.units`` is masked with ``data_contracts.privacy.mask_frame``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from data_contracts.privacy import mask_frame
from evaluation.classify import OUTCOMES, classify_exits, resolve_units
from evaluation.estimates import Estimate
from evaluation.income import OVER_REPORT, IncomeComparison, compare_income
from evaluation.procedure import ProcedureCheck, household_procedure, village_procedure
from evaluation.rates import Designs, Rates, estimate_rates
from evaluation.verdict import Indicator, Thresholds, Verdict, combine, judge
from evaluation.villages import (
    exited_key_villages,
    infrastructure_check,
    rate_threshold,
    reestimate_incidence,
    verified_incidence,
)

RESULT_KEYS = ("township", "verdict", "indicators", "income", "sample", "parameters")
FOLLOW_UP_REASONS = {
    "wrong_exit": "错退",
    "borderline": "收入临界",
    "over_reported": "收入高报",
    "not_interviewed": "未访问",
}


@dataclass(frozen=True)
class Parameters:
    """Every tunable of an assessment, recorded in results.json."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    tolerance: float = 0.05  # borderline: surveyed income within ±5% of the line
    over_report: float = OVER_REPORT
    method: str = "beta"  # proportion interval method (Korn–Graubard)
    lonely_psu: str = "adjust"
    notice_days: int = 7
    announce_days: int = 5
    min_village_n: int = 30  # fewer interviewed households: the village borrows the township rate

    def to_dict(self) -> dict:
        """Flat JSON-ready dict."""
        t = self.thresholds
        return {
            "wrong_exit_threshold": t.wrong_exit,
            "approval_threshold": t.approval,
            "incidence_threshold": t.incidence,
            "procedure_threshold": t.procedure,
            "level": t.level,
            "power": t.power,
            "borderline_tolerance": self.tolerance,
            "over_report": self.over_report,
            "interval_method": self.method,
            "lonely_psu": self.lonely_psu,
            "notice_days": self.notice_days,
            "announce_days": self.announce_days,
            "min_village_n": self.min_village_n,
        }


@dataclass(frozen=True)
class Assessment:
    """Everything the township report shows, computed once."""

    township: str
    design_info: Mapping[str, Any]
    parameters: Parameters
    units: pd.DataFrame  # classified main-sample units, personal columns masked
    rates: Rates
    income: IncomeComparison
    villages: pd.DataFrame  # exited key villages with re-estimated incidence
    infrastructure: pd.DataFrame
    household_procedure: ProcedureCheck
    village_procedure: ProcedureCheck
    indicators: dict[str, Indicator]  # incl. "village_incidence:<village_id>"
    verdict: Verdict

    # ----------------------------------------------------------------- tables for the report
    def sample_summary(self) -> dict[str, int]:
        """Planned, interviewed and lost households (main sample)."""
        outcome = self.units["outcome"]
        return {
            "planned": len(self.units),
            "interviewed": int(self.units["responded"].sum()),
            "completed": int(outcome.eq("completed").sum()),
            "replacements": int(outcome.eq("replacement").sum()),
            "refused": int(outcome.eq("refused").sum()),
            "not_found": int(outcome.eq("not_found").sum()),
            "missing": int(outcome.eq("missing").sum()),
        }

    def sample_by_village(self) -> pd.DataFrame:
        """Outcomes of the main sample by the interviewed household's village."""
        table = pd.crosstab(self.units["village_id"], self.units["outcome"])
        table = table.reindex(columns=list(OUTCOMES), fill_value=0)
        table.insert(0, "planned", table.sum(axis=1))
        wrong = self.units.groupby("village_id")["wrong_exit"].sum()
        table["wrong_exits"] = wrong.reindex(table.index).fillna(0).astype(int)
        return table.reset_index()

    def indicator_table(self) -> pd.DataFrame:
        """One row per indicator (village incidence one row per village)."""
        return pd.DataFrame([i.to_dict() for i in self.indicators.values()])

    def to_frame(self) -> pd.DataFrame:
        """The indicator table (see :meth:`indicator_table`)."""
        return self.indicator_table()

    def wrong_exits(self) -> pd.DataFrame:
        """Interviewed households classified as wrong exits, with reasons (IDs masked)."""
        cols = [
            "household_id",
            "village_id",
            "village",
            "head_name",
            "head_id_number",
            "household_size",
            "surveyed_household_size",
            "income_per_capita",
            "surveyed_income_per_capita",
            "poverty_line",
            "borderline",
            "reasons",
            "reasons_zh",
        ]
        u = self.units
        return u.loc[u["wrong_exit"], [c for c in cols if c in u.columns]].reset_index(drop=True)

    def follow_up(self) -> pd.DataFrame:
        """Households to revisit: wrong exits, borderline incomes, over-reported incomes and
        sampled households never interviewed, each with why (IDs masked)."""
        u = self.units
        over = u["household_id"].isin(
            self.income.households.loc[self.income.households["over_reported"], "household_id"]
        )
        flags = {
            "wrong_exit": u["wrong_exit"].to_numpy(dtype=bool),
            "borderline": u["borderline"].to_numpy(dtype=bool),
            "over_reported": over.to_numpy(dtype=bool),
            "not_interviewed": ~u["responded"].to_numpy(dtype=bool),
        }
        why = pd.Series("", index=u.index, dtype="str")
        for key, label in FOLLOW_UP_REASONS.items():
            why = why + np.where(flags[key], label + "；", "")
        any_flag = np.logical_or.reduce(list(flags.values()))
        cols = [
            "household_id",
            "sampled_household_id",
            "village_id",
            "village",
            "head_name",
            "head_id_number",
            "outcome",
            "income_per_capita",
            "surveyed_income_per_capita",
            "poverty_line",
            "reasons_zh",
        ]
        out = u.loc[any_flag, [c for c in cols if c in u.columns]].copy()
        out.insert(2, "follow_up", why[any_flag].str.removesuffix("；"))
        return out.reset_index(drop=True)

    # ----------------------------------------------------------------- results.json
    def to_results(self) -> dict:
        """The results.json dict (keys ``RESULT_KEYS``), JSON-serialisable, no personal data."""
        ind = {k: v for k, v in self.indicators.items() if ":" not in k}
        villages = {}
        for _, row in self.villages.iterrows():  # one row per exited key village, not households
            key = f"village_incidence:{row['village_id']}"
            villages[row["village_id"]] = {
                **self.indicators[key].to_dict(),
                "village": row["village"],
                "registry_incidence": row["registry_incidence"],
                "verified_incidence": row.get("verified_incidence"),
                "wrong_exit_persons": row["wrong_exit_persons"],
                "rate_source": row["rate_source"],
                "base_source": row["base_source"],
            }
        proc = ind.get("procedure_compliance")
        procedure = None
        if proc is not None:
            procedure = {
                **proc.to_dict(),
                "households_assessed": self.household_procedure.assessed,
                "households_compliant": self.household_procedure.compliant,
                "households_without_dates": self.household_procedure.not_assessable,
                "villages_assessed": self.village_procedure.assessed,
                "villages_compliant": self.village_procedure.compliant,
            }
        scenarios = self.rates.scenarios
        persons = scenarios.loc[scenarios["unit"] == "persons"].set_index("scenario")
        wrong = ind["wrong_exit_rate"].to_dict()
        wrong["sensitivity"] = {
            s: persons.loc[s, ["estimate", "upper_bound"]].to_dict()
            for s in persons.index
            if s != "interviewed"
        }
        indicators = {
            "wrong_exit_rate": wrong,
            "wrong_exit_rate_households": ind["wrong_exit_rate_households"].to_dict(),
            "approval_rate": ind["approval_rate"].to_dict() if "approval_rate" in ind else None,
            "village_incidence": villages,
            "procedure_compliance": procedure,
        }
        acknowledgement = self.rates.acknowledgement
        sample = {
            **self.sample_summary(),
            "acknowledgement_rate": None if acknowledgement is None else acknowledgement.estimate,
        }
        results = {
            "township": self.township,
            "verdict": self.verdict.to_dict(),
            "indicators": indicators,
            "income": self.income.to_dict(),
            "sample": sample,
            "parameters": {
                **self.parameters.to_dict(),
                "design": self.design_info.get("design"),
                "seed": self.design_info.get("seed"),
            },
        }
        return json_ready(results)

    def __repr__(self) -> str:
        s = self.sample_summary()
        return (
            f"Assessment({self.township}: {self.verdict.statistical}, official "
            f"{'pass' if self.verdict.official_pass else 'fail'}; "
            f"{s['interviewed']}/{s['planned']} "
            f"interviewed; {self.rates!r})"
        )


def json_ready(obj: Any) -> Any:
    """Plain Python types only (for results.json); NaN and infinities become None."""
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if obj is pd.NA or obj is None:
        return None
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _from_estimate(
    name: str, e: Estimate, threshold: float, direction: str, t: Thresholds, cap: int
) -> Indicator:
    bounds = (e.lower_bound(t.level), e.upper_bound(t.level))
    return judge(
        name,
        e.estimate,
        e.se,
        e.ci,
        bounds,
        threshold,
        direction,
        e.n,
        t.level,
        t.power,
        cap=cap,
    )


def _township_frame(households: pd.DataFrame, township: str, design_info: Mapping) -> pd.DataFrame:
    """The township's exited households in the registry (the sampling frame's population)."""
    years = (design_info.get("parameters") or {}).get("exit_years")
    keep = households["township"].astype("str").eq(township) & households["exit_year"].notna()
    if years:
        keep &= households["exit_year"].isin([int(y) for y in years]).fillna(False)
    frame = households.loc[keep.to_numpy(dtype=bool)]
    if frame.empty:
        raise RequestError(f"households file has no exited household of township {township!r}")
    sampled_from = design_info.get("frame_households")
    if sampled_from is not None and int(sampled_from) != len(frame):
        raise RequestError(
            f"households file has {len(frame)} exited households of {township!r} but the sample "
            f"was drawn from {sampled_from} (design.json frame_households); use the registry "
            "export the sample was drawn from (the run folder's inputs/)."
        )
    return frame


def _township(sample: pd.DataFrame, design_info: Mapping) -> str:
    name = design_info.get("township")
    if name:
        return str(name)
    names = sample["township"].dropna().astype("str").unique()
    if len(names) != 1:
        raise RequestError(f"sample table must hold one township; found {sorted(names)}")
    return str(names[0])


def assess_township(
    sample: pd.DataFrame,
    survey: pd.DataFrame,
    households: pd.DataFrame,
    villages: pd.DataFrame,
    design_info: Mapping[str, Any],
    village_survey: pd.DataFrame | None = None,
    parameters: Parameters | None = None,
) -> Assessment:
    """Assess one township from validated tables (see the module docstring)."""
    p = parameters or Parameters()
    t = p.thresholds
    township = _township(sample, design_info)
    units = classify_exits(resolve_units(sample, survey), p.tolerance)
    designs = Designs.build(units, design_info, p.lonely_psu, p.over_report)
    rates = estimate_rates(designs, p.method, t.level)
    income = compare_income(designs.households, units, p.over_report, p.method, t.level)

    frame = _township_frame(households, township, design_info)
    hh_proc = household_procedure(frame, p.notice_days, p.announce_days)
    key = exited_key_villages(villages, township)
    v_proc = village_procedure(key, p.notice_days, p.announce_days)
    persons = frame.groupby("village_id")["household_size"].sum().astype(float)
    township_rate = pd.Series(
        {
            "estimate": rates.persons.estimate,
            "se": rates.persons.se,
            "ci_low": rates.persons.ci[0],
            "ci_high": rates.persons.ci[1],
            "bound_low": rates.persons.lower_bound(t.level),
            "bound_high": rates.persons.upper_bound(t.level),
            "n": rates.persons.n,
        }
    )
    village_table = reestimate_incidence(
        key,
        persons,
        rates.by_village.set_index("village_id"),
        township_rate,
        village_survey,
        p.min_village_n,
    )
    village_table["verified_incidence"] = (
        village_table["village_id"].map(verified_incidence(village_survey)).astype(float)
    )

    left = max(len(frame) - len(units), 0)  # households not yet in the sample
    left_in_village = (
        frame["village_id"]
        .value_counts()
        .sub(units["village_id"].value_counts(), fill_value=0)
        .clip(lower=0)
    )
    indicators: dict[str, Indicator] = {
        "wrong_exit_rate": _from_estimate(
            "wrong_exit_rate", rates.persons, t.wrong_exit, "below", t, left
        ),
        "wrong_exit_rate_households": _from_estimate(
            "wrong_exit_rate_households", rates.households, t.wrong_exit, "below", t, left
        ),
    }
    missing: list[str] = []
    if rates.approval is not None:
        indicators["approval_rate"] = _from_estimate(
            "approval_rate", rates.approval, t.approval, "at_least", t, left
        )
    else:
        missing.append("approval_rate")
    r_threshold = rate_threshold(village_table, t.incidence)
    for i, row in village_table.iterrows():  # one per exited key village
        name = f"village_incidence:{row['village_id']}"
        indicators[name] = judge(
            name,
            row["estimate"],
            row["se"],
            (row["ci_low"], row["ci_high"]),
            (row["bound_low"], row["bound_high"]),
            t.incidence,
            "below",
            int(row["n"]),
            t.level,
            t.power,
            settle=(row["wrong_exit_rate"], row["rate_se"], r_threshold[i]),
            cap=int(left_in_village.get(row["village_id"], 0)),
        )
    if hh_proc.assessed:
        rate = hh_proc.rate
        indicators["procedure_compliance"] = judge(
            "procedure_compliance",
            rate,
            0.0,
            (rate, rate),
            (rate, rate),
            t.procedure,
            "at_least",
            hh_proc.assessed,
            t.level,
            t.power,
        )
    else:
        missing.append("procedure_compliance")
    judged = [v for k, v in indicators.items() if k != "wrong_exit_rate_households"]
    return Assessment(
        township=township,
        design_info=dict(design_info),
        parameters=p,
        units=mask_frame(units),
        rates=rates,
        income=income,
        villages=village_table,
        infrastructure=infrastructure_check(key, village_survey),
        household_procedure=hh_proc,
        village_procedure=v_proc,
        indicators=indicators,
        verdict=combine(judged, tuple(missing)),
    )
