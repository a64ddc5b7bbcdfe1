"""District summary (区县汇总) from the assessments of several townships.

The townships' samples are independent, so the district estimate pools their analysis units in
one design with the **townships as strata**: each township's own strata and PSUs are prefixed
with the township name (its strata nest inside it) and every unit keeps its weight, so the
weighted totals add up to the district. 错退率 by persons and by households and 群众认可度 are
estimated as in a township (``evaluation.rates``), with the interviewed households as a domain.

The follow-up list names each township that is not credible, inconclusive, fails the official
rule, lost many sampled households, or shows over-reported incomes, and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from data_contracts.errors import UserError
from evaluation.assessment import Assessment, json_ready
from evaluation.estimates import Estimate
from evaluation.rates import Designs
from evaluation.verdict import VERDICTS_ZH, label_zh

NONRESPONSE_ALERT = 0.10  # share of the main sample never interviewed that calls for a revisit


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


def pooled_units(assessments: Sequence[Assessment]) -> pd.DataFrame:
    """All townships' analysis units with township-prefixed strata, PSUs and unit ids."""
    frames = []
    for a in assessments:
        prefix = a.township + "|"
        frames.append(
            a.units.assign(
                township=a.township,
                stratum=prefix + a.units["stratum"].astype("str"),
                psu=prefix + a.units["psu"].astype("str"),
                household_id=prefix + a.units["household_id"].astype("str"),
            )
        )
    return pd.concat(frames, ignore_index=True)


def _township_row(a: Assessment) -> dict:
    ind = a.indicators
    wrong = ind["wrong_exit_rate"]
    approval = ind.get("approval_rate")
    villages = [v for k, v in ind.items() if k.startswith("village_incidence:")]
    procedure = ind.get("procedure_compliance")
    s = a.sample_summary()
    return {
        "township": a.township,
        "verdict": a.verdict.statistical,
        "verdict_zh": VERDICTS_ZH[a.verdict.statistical],
        "official_pass": a.verdict.official_pass,
        "wrong_exit_rate": wrong.estimate,
        "wrong_exit_ci_low": wrong.ci_low,
        "wrong_exit_ci_high": wrong.ci_high,
        "wrong_exit_upper_bound": wrong.bound_high,
        "approval_rate": None if approval is None else approval.estimate,
        "approval_ci_low": None if approval is None else approval.ci_low,
        "approval_ci_high": None if approval is None else approval.ci_high,
        "exited_key_villages": len(villages),
        "villages_not_credible": sum(v.verdict == "not_credible" for v in villages),
        "procedure_compliance": None if procedure is None else procedure.estimate,
        "planned": s["planned"],
        "interviewed": s["interviewed"],
        "verification_factor": a.income.verification_factor.estimate,
        "additional_n": a.verdict.additional_n,
        "summary_zh": a.verdict.summary_zh,
    }


def _why(a: Assessment) -> str:
    """Chinese reasons a township needs follow-up ('' when none)."""
    v, reasons = a.verdict, []
    if v.failing:
        reasons.append("不可信指标：" + "、".join(map(label_zh, v.failing)))
    if v.inconclusive:
        more = f"（建议再调查约{v.additional_n}户）" if v.additional_n else ""
        reasons.append("尚无定论：" + "、".join(map(label_zh, v.inconclusive)) + more)
    if v.missing:
        reasons.append("缺少数据：" + "、".join(map(label_zh, v.missing)))
    official = [n for n in v.official_failing if n not in v.failing]
    if official:
        reasons.append("点估计未达标：" + "、".join(map(label_zh, official)))
    s = a.sample_summary()
    lost = 1 - s["interviewed"] / s["planned"]
    if lost > NONRESPONSE_ALERT:
        reasons.append(f"未访问户占{lost:.0%}")
    if a.income.over_reporting_flag:
        vf = a.income.verification_factor.estimate
        reasons.append(f"收入核实系数{vf:.2f}＜0.90（疑似高报）")
    return "；".join(reasons)


def summarise_district(
    assessments: Sequence[Assessment],
    method: str = "beta",
    level: float = 0.95,
    lonely_psu: str = "adjust",
) -> DistrictSummary:
    """District summary of the townships' assessments (see the module docstring)."""
    if not assessments:
        raise UserError("district summary needs at least one township assessment")
    names = [a.township for a in assessments]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise UserError(f"township(s) {dup} given more than once; pass one assessment each")
    units = pooled_units(assessments)
    kind = "two-stage" if units["fpc_stage2"].notna().any() else "stratified"
    designs = Designs.build(
        units, {"design": kind}, lonely_psu, assessments[0].parameters.over_report
    )

    def est(variable: str, persons: bool = False) -> Estimate:
        return designs.estimate(variable, persons=persons, method=method, level=level)

    answered = designs.households.data["approves"].notna().any()
    villages = []
    for a in assessments:
        v = a.villages.assign(township=a.township)
        v["verdict"] = [a.indicators[f"village_incidence:{i}"].verdict for i in v["village_id"]]
        villages.append(v)
    follow = [(a.township, a.verdict.statistical, _why(a)) for a in assessments]
    follow_up = pd.DataFrame(follow, columns=["township", "verdict", "why"])
    return DistrictSummary(
        townships=pd.DataFrame([_township_row(a) for a in assessments]),
        wrong_exit_rate=est("wrong", persons=True),
        wrong_exit_rate_households=est("wrong"),
        approval_rate=est("approves") if answered else None,
        villages=pd.concat(villages, ignore_index=True),
        follow_up=follow_up.loc[follow_up["why"] != ""].reset_index(drop=True),
        level=level,
    )
