"""Evaluation results as output records (结果记录): the one place estimates become records.

:mod:`data_contracts.records` defines what ``results.json`` and ``district.json`` hold; this
module converts the evaluation layer's objects (:class:`evaluation.estimates.Estimate`, the
verdict module's indicators and verdicts) into those records, so every estimate is serialised
the same way — with its one-sided bounds at the verdict's level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import pandas as pd
from pydantic import BaseModel

from data_contracts import records
from evaluation.estimates import Estimate
from evaluation.verdict import Indicator, Ref, Verdict

M = TypeVar("M", bound=BaseModel)


def rows_as(model: type[M], frame: pd.DataFrame, columns: Sequence[str]) -> list[M]:
    """One ``model`` per row of ``frame[columns]``; missing values (NaN, NA) become None."""
    table = frame[list(columns)]
    cells = table.astype(object).where(table.notna(), None)
    return [model.model_validate(row) for row in cells.to_dict(orient="records")]


def estimate_record(e: Estimate, level: float) -> records.Estimate:
    """The record of a design-based estimate, with its one-sided bounds at ``level``."""
    lower, upper = e.bounds(level)
    return records.Estimate(
        estimate=e.estimate,
        se=e.se,
        df=e.df,
        n=e.n,
        deff=e.deff,
        level=level,
        method=e.method,
        ci_low=e.ci[0],
        ci_high=e.ci[1],
        lower_bound=lower,
        upper_bound=upper,
    )


def ref_record(ref: Ref) -> records.IndicatorRef:
    """The record of an indicator identity ``(kind, village_id)``."""
    kind, village_id = ref
    return records.IndicatorRef(kind=kind, village_id=village_id)


def follow_up_record(
    households: int | None,
    capped: bool,
    village_id: str | None = None,
    power: float | None = None,
) -> records.FollowUp | None:
    """``survey_more`` households, or ``full_check`` when that is every household left;
    ``power`` is the chance the suggestion certifies at the planning rate."""
    if households is None:
        return None
    code = "full_check" if capped else "survey_more"
    return records.FollowUp(code=code, households=households, village_id=village_id, power=power)


def indicator_record(
    indicator: Indicator,
    estimate: Estimate | None = None,
    method: str = "t",
    judged: bool = True,
) -> records.Indicator:
    """The record of a judged indicator; ``estimate`` (when the indicator is one) adds its df,
    design effect and interval method, else ``method`` names how it was obtained."""
    i = indicator
    if estimate is not None:
        est = estimate_record(estimate, i.level)
    else:
        est = records.Estimate(
            estimate=i.estimate,
            se=i.se,
            n=i.n,
            level=i.level,
            method=method,
            ci_low=i.ci_low,
            ci_high=i.ci_high,
            lower_bound=i.bound_low,
            upper_bound=i.bound_high,
        )
    return records.Indicator(
        kind=i.kind,
        village_id=i.village_id,
        threshold=i.threshold,
        direction=i.direction,
        estimate=est,
        official_pass=i.official_pass,
        verdict=i.verdict,
        follow_up=follow_up_record(i.additional_n, i.capped, i.village_id, i.advice_power),
        judged=judged,
        p_fail=i.p_fail,
    )


def verdict_record(verdict: Verdict, level: float) -> records.Verdict:
    """The record of a combined verdict."""
    v = verdict
    return records.Verdict(
        statistical=v.statistical,
        official_pass=v.official_pass,
        failing=[ref_record(r) for r in v.failing],
        inconclusive=[ref_record(r) for r in v.inconclusive],
        official_failing=[ref_record(r) for r in v.official_failing],
        missing=list(v.missing),
        follow_up=follow_up_record(v.additional_n, v.capped, v.follow_up_village, v.advice_power),
        level=level,
        not_assessable=[ref_record(r) for r in v.not_assessable],
    )
