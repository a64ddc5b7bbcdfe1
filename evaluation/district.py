"""District summary (区县汇总) from the assessments of several townships.

The townships' samples are independent, so the district estimate pools their analysis units in
one design with the **townships as strata**: each township's own strata and PSUs are prefixed
with the township name (its strata nest inside it) and every unit keeps its weight, so the
weighted totals add up to the district. 错退率 by persons and by households and 群众认可度 are
estimated as in a township (``evaluation.rates``), with the interviewed households as a domain.

The follow-up list names each township that is not credible, inconclusive, fails the official
rule, lost many sampled households, or shows over-reported incomes, and says why.

Inputs are what a finished assessment version keeps on disk — its results.json dict and its
analysis units (``Assessment.units``, e.g. units.parquet) — or the ``Assessment`` objects
themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_contracts.errors import RequestError
from evaluation.assessment import Assessment, json_ready
from evaluation.estimates import Estimate
from evaluation.rates import Designs
from evaluation.verdict import VERDICTS_ZH, label_zh

NONRESPONSE_ALERT = 0.10  # share of the main sample never interviewed that calls for a revisit


@dataclass(frozen=True)
class TownshipAssessment:
    """One township's finished assessment: its results.json dict and its analysis units."""

    results: Mapping[str, Any]
    units: pd.DataFrame

    @property
    def township(self) -> str:
        """Township name from results.json."""
        return str(self.results["township"])

    @classmethod
    def of(cls, item: Assessment | TownshipAssessment | tuple) -> TownshipAssessment:
        """Accept an ``Assessment``, a ``TownshipAssessment`` or a (results, units) pair."""
        if isinstance(item, TownshipAssessment):
            return item
        if isinstance(item, Assessment):
            return cls(item.to_results(), item.units)
        results, units = item
        return cls(results, units)


@dataclass(frozen=True)
class DistrictSummary:
    """District tables and estimates for the district report."""

    townships: pd.DataFrame  # one row per township: verdicts and headline rates
    wrong_exit_rate: Estimate  # persons, townships as strata
    wrong_exit_rate_households: Estimate
    approval_rate: Estimate | None
    villages: pd.DataFrame  # exited key villages of every township with their verdicts
    follow_up: pd.DataFrame  # township, verdict, why
    level: float

    def to_frame(self) -> pd.DataFrame:
        """The district estimates, one row each."""
        named = {
            "wrong_exit_rate": self.wrong_exit_rate,
            "wrong_exit_rate_households": self.wrong_exit_rate_households,
            "approval_rate": self.approval_rate,
        }
        rows = [e.to_frame().assign(indicator=k) for k, e in named.items() if e is not None]
        return pd.concat(rows, ignore_index=True)

    def to_results(self) -> dict:
        """JSON-ready summary: district estimates, township verdicts and the follow-up list."""

        def est(e: Estimate | None) -> dict | None:
            if e is None:
                return None
            return {
                "estimate": e.estimate,
                "se": e.se,
                "ci_low": e.ci[0],
                "ci_high": e.ci[1],
                "upper_bound": e.upper_bound(self.level),
                "lower_bound": e.lower_bound(self.level),
                "n": e.n,
            }

        return json_ready(
            {
                "wrong_exit_rate": est(self.wrong_exit_rate),
                "wrong_exit_rate_households": est(self.wrong_exit_rate_households),
                "approval_rate": est(self.approval_rate),
                "townships": self.townships.to_dict(orient="records"),
                "follow_up": self.follow_up.to_dict(orient="records"),
                "level": self.level,
            }
        )

    def __repr__(self) -> str:
        e = self.wrong_exit_rate
        counts = self.townships["verdict"].value_counts().to_dict()
        return (
            f"DistrictSummary({len(self.townships)} townships {counts}; 错退率 {e.estimate:.2%} "
            f"[{e.ci[0]:.2%}, {e.ci[1]:.2%}], {len(self.follow_up)} to follow up)"
        )


def pooled_units(townships: Sequence[TownshipAssessment]) -> pd.DataFrame:
    """All townships' analysis units with township-prefixed strata, PSUs and unit ids."""
    frames = []
    for t in townships:
        prefix = t.township + "|"
        frames.append(
            t.units.assign(
                township=t.township,
                stratum=prefix + t.units["stratum"].astype("str"),
                psu=prefix + t.units["psu"].astype("str"),
                household_id=prefix + t.units["household_id"].astype("str"),
            )
        )
    return pd.concat(frames, ignore_index=True)


def _get(indicator: Mapping | None, key: str) -> Any:
    return None if indicator is None else indicator.get(key)


def _township_row(t: TownshipAssessment) -> dict:
    r = t.results
    ind, verdict, sample = r["indicators"], r["verdict"], r["sample"]
    wrong, approval = ind["wrong_exit_rate"], ind.get("approval_rate")
    villages = list((ind.get("village_incidence") or {}).values())
    return {
        "township": t.township,
        "verdict": verdict["statistical"],
        "verdict_zh": VERDICTS_ZH[verdict["statistical"]],
        "official_pass": verdict["official_pass"],
        "wrong_exit_rate": wrong["estimate"],
        "wrong_exit_ci_low": wrong["ci_low"],
        "wrong_exit_ci_high": wrong["ci_high"],
        "wrong_exit_upper_bound": wrong["bound_high"],
        "approval_rate": _get(approval, "estimate"),
        "approval_ci_low": _get(approval, "ci_low"),
        "approval_ci_high": _get(approval, "ci_high"),
        "exited_key_villages": len(villages),
        "villages_not_credible": sum(v["verdict"] == "not_credible" for v in villages),
        "procedure_compliance": _get(ind.get("procedure_compliance"), "estimate"),
        "planned": sample["planned"],
        "interviewed": sample["interviewed"],
        "verification_factor": r["income"]["verification_factor"]["estimate"],
        "additional_n": verdict.get("additional_n"),
        "summary_zh": verdict.get("summary_zh", ""),
    }


def _why(t: TownshipAssessment) -> str:
    """Chinese reasons a township needs follow-up ('' when none)."""
    v, reasons = t.results["verdict"], []
    failing, open_, missing = v["failing"], v["inconclusive"], v.get("missing", [])
    if failing:
        reasons.append("不可信指标：" + "、".join(map(label_zh, failing)))
    if open_:
        more = f"（建议再调查约{v['additional_n']}户）" if v.get("additional_n") else ""
        reasons.append("尚无定论：" + "、".join(map(label_zh, open_)) + more)
    if missing:
        reasons.append("缺少数据：" + "、".join(map(label_zh, missing)))
    official = [n for n in v["official_failing"] if n not in failing and n not in missing]
    if official:
        reasons.append("点估计未达标：" + "、".join(map(label_zh, official)))
    s = t.results["sample"]
    lost = 1 - s["interviewed"] / s["planned"]
    if lost > NONRESPONSE_ALERT:
        reasons.append(f"未访问户占{lost:.0%}")
    vf = t.results["income"]["verification_factor"]
    if vf.get("over_reporting_flag"):
        reasons.append(f"收入核实系数{vf['estimate']:.2f}＜0.90（疑似高报）")
    return "；".join(reasons)


def _villages(t: TownshipAssessment) -> pd.DataFrame:
    entries = t.results["indicators"].get("village_incidence") or {}
    rows = [{"township": t.township, "village_id": k, **v} for k, v in entries.items()]
    return pd.DataFrame(rows)


def summarise_district(
    townships: Sequence[Assessment | TownshipAssessment | tuple],
    method: str = "beta",
    level: float = 0.95,
    lonely_psu: str = "adjust",
) -> DistrictSummary:
    """District summary of the townships' assessments (see the module docstring)."""
    if not townships:
        raise RequestError("district summary needs at least one township assessment")
    towns = [TownshipAssessment.of(t) for t in townships]
    names = [t.township for t in towns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise RequestError(f"township(s) {dup} given more than once; pass one assessment each")
    units = pooled_units(towns)
    kind = "two-stage" if units["fpc_stage2"].notna().any() else "stratified"
    over_report = towns[0].results["parameters"]["over_report"]
    designs = Designs.build(units, {"design": kind}, lonely_psu, over_report)

    def est(variable: str, persons: bool = False, floor: bool = True) -> Estimate:
        return designs.estimate(variable, persons=persons, method=method, level=level, floor=floor)

    answered = designs.households.data["approves"].notna().any()
    follow = pd.DataFrame(
        [(t.township, t.results["verdict"]["statistical"], _why(t)) for t in towns],
        columns=["township", "verdict", "why"],
    )
    return DistrictSummary(
        townships=pd.DataFrame([_township_row(t) for t in towns]),
        wrong_exit_rate=est("wrong", persons=True),
        wrong_exit_rate_households=est("wrong"),
        approval_rate=est("approves", floor=False) if answered else None,
        villages=pd.concat([_villages(t) for t in towns], ignore_index=True),
        follow_up=follow.loc[follow["why"] != ""].reset_index(drop=True),
        level=level,
    )
