"""District summary (区县汇总) from the assessments of several townships.

The townships' samples are independent, so the district estimate pools their analysis units in
one design with the **townships as strata**: each township's own strata and PSUs are prefixed
with the township name (its strata nest inside it) and every unit keeps its weight, so the
weighted totals add up to the district. 错退率 by persons and by households and 群众认可度 are
estimated as in a township (``evaluation.rates``), with the interviewed households as a domain.
The pooled wrong-exit rate is judged by the verdict module (:func:`evaluation.verdict.judge`)
against the townships' own threshold and confidence level, as a township's is.

The headline counts the townships by statistical verdict (:func:`verdict_counts`) and names the
not-credible ones (:func:`not_credible_townships`). The follow-up list names each township that
is not credible, inconclusive, fails the official rule, lost many sampled households, or shows
over-reported incomes, with every reason as a code and its numbers
(:class:`data_contracts.records.FollowUpReason`); the report words them.

Inputs are what a finished assessment version keeps on disk — its results.json record
(:class:`~data_contracts.records.ResultsRecord`) and its analysis units (``Assessment.units``,
e.g. units.parquet) — or the ``Assessment`` objects themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from data_contracts import records
from data_contracts.errors import RequestError
from data_contracts.records import TOWNSHIP_VERDICTS, ResultsRecord, parse_record
from evaluation.assessment import Assessment, advice_basis
from evaluation.estimates import Estimate
from evaluation.rates import Designs
from evaluation.recording import estimate_record, indicator_record, verdict_record
from evaluation.verdict import Indicator, Thresholds, Verdict, combine, judge

NONRESPONSE_ALERT = 0.10  # share of the main sample never interviewed that calls for a revisit


@dataclass(frozen=True)
class TownshipAssessment:
    """One township's finished assessment: its results.json record and its analysis units."""

    results: ResultsRecord
    units: pd.DataFrame

    @property
    def township(self) -> str:
        """Township name from results.json."""
        return self.results.township

    @classmethod
    def of(cls, item: Assessment | TownshipAssessment | tuple) -> TownshipAssessment:
        """Accept an ``Assessment``, a ``TownshipAssessment`` or a (results, units) pair; the
        results are a :class:`ResultsRecord` or its parsed JSON (validated here)."""
        if isinstance(item, TownshipAssessment):
            return item
        if isinstance(item, Assessment):
            return cls(item.to_record(), item.units)
        results, units = item
        if isinstance(results, Mapping):
            results = parse_record(dict(results), ResultsRecord)
        if not isinstance(results, ResultsRecord):
            raise TypeError(f"expected a ResultsRecord, got {type(results).__name__}")
        return cls(results, units)


@dataclass(frozen=True)
class DistrictSummary:
    """The district estimates, the pooled verdict and the per-township tables, as records."""

    wrong_exit_rate: Estimate  # persons, townships as strata
    wrong_exit_rate_households: Estimate
    approval_rate: Estimate | None
    indicator: Indicator  # the pooled wrong-exit rate judged by the verdict module
    verdict: Verdict  # the district verdict combined from ``indicator``
    townships: tuple[records.TownshipRow, ...]
    villages: tuple[records.DistrictVillage, ...]  # exited key villages of every township
    follow_up: tuple[records.TownshipFollowUp, ...]  # townships needing follow-up, with codes
    level: float
    approval_threshold: float | None = None

    @property
    def counties(self) -> list[str]:
        """The distinct counties the townships belong to (as recorded), in order of appearance."""
        return list(dict.fromkeys(t.county for t in self.townships if t.county))

    def to_frame(self) -> pd.DataFrame:
        """The district estimates, one row each."""
        named = {
            "wrong_exit_rate": self.wrong_exit_rate,
            "wrong_exit_rate_households": self.wrong_exit_rate_households,
            "approval_rate": self.approval_rate,
        }
        rows = [e.to_frame().assign(indicator=k) for k, e in named.items() if e is not None]
        return pd.concat(rows, ignore_index=True)

    def to_record(
        self,
        county: str | None = None,
        missing: Sequence[records.MissingTownship] = (),
        created: str = "",
    ) -> records.DistrictRecord:
        """The ``district.json`` record. ``county`` defaults to the townships' one county (None
        when they name none or several); ``missing`` lists the runs that could not be used."""
        counties = self.counties
        if county is None and len(counties) == 1:
            county = counties[0]
        level = self.level
        approval = self.approval_rate
        return records.DistrictRecord(
            county=county,
            level=level,
            wrong_exit_rate=estimate_record(self.wrong_exit_rate, level),
            wrong_exit_rate_households=estimate_record(self.wrong_exit_rate_households, level),
            approval_rate=None if approval is None else estimate_record(approval, level),
            verdict=verdict_record(self.verdict, level),
            wrong_exit_indicator=indicator_record(self.indicator, self.wrong_exit_rate),
            township_verdicts=verdict_counts(self.townships),
            not_credible_townships=not_credible_townships(self.townships),
            townships=list(self.townships),
            villages=list(self.villages),
            follow_up=list(self.follow_up),
            missing=list(missing),
            created=created,
            approval_threshold=self.approval_threshold,
        )

    def __repr__(self) -> str:
        e = self.wrong_exit_rate
        counts = verdict_counts(self.townships)
        return (
            f"DistrictSummary({len(self.townships)} townships {counts}; wrong_exit_rate "
            f"{e.estimate:.2%} [{e.ci[0]:.2%}, {e.ci[1]:.2%}] {self.verdict.statistical}; "
            f"{len(self.follow_up)} to follow up)"
        )


def verdict_counts(townships: Sequence[records.TownshipRow]) -> dict[str, int]:
    """How many townships carry each statistical verdict (the district headline): the three
    township verdicts always (0 included), then any other code the townships carry, in order of
    appearance. The counts add up to the number of townships."""
    counts = dict.fromkeys(TOWNSHIP_VERDICTS, 0)
    for t in townships:
        counts[t.verdict] = counts.get(t.verdict, 0) + 1
    return counts


def not_credible_townships(townships: Sequence[records.TownshipRow]) -> list[str]:
    """The not-credible (不可信) townships by name, in township order, every one of them."""
    return [t.township for t in townships if t.verdict == "not_credible"]


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


def county_of(t: TownshipAssessment) -> str | None:
    """The township's county: as recorded, else the one county of its units (None if unsure)."""
    if t.results.county:
        return t.results.county
    if "county" not in t.units.columns:
        return None
    names = t.units["county"].dropna().astype("str").unique()
    return str(names[0]) if len(names) == 1 else None


def township_row(r: ResultsRecord, county: str | None = None) -> records.TownshipRow:
    """One township's line of the district table (its verdict and headline indicators);
    ``county`` defaults to the one in the record."""
    wrong = r.indicator("wrong_exit_rate")
    if wrong is None:
        raise RequestError(f"results of {r.township!r} hold no wrong-exit rate")
    approval = r.indicator("approval_rate")
    procedure = r.indicator("procedure_compliance")
    villages = [i for i in r.indicators if i.kind == "village_incidence"]
    return records.TownshipRow(
        township=r.township,
        version=r.version,
        verdict=r.verdict.statistical,
        official_pass=r.verdict.official_pass,
        wrong_exit_rate=wrong.estimate,
        approval_rate=None if approval is None else approval.estimate,
        exited_key_villages=len(villages),
        villages_not_credible=sum(v.verdict == "not_credible" for v in villages),
        procedure_compliance=None if procedure is None else procedure.estimate.estimate,
        planned=r.sample.planned,
        interviewed=r.sample.interviewed,
        verification_factor=r.income.verification_factor.estimate.estimate,
        follow_up=r.verdict.follow_up,
        county=county or r.county,
    )


def follow_up_reasons(
    r: ResultsRecord, nonresponse_alert: float = NONRESPONSE_ALERT
) -> list[records.FollowUpReason]:
    """Why a township needs follow-up, as codes with the indicators or numbers (empty: none).

    ``not_credible`` / ``inconclusive`` (with the suggested extra sample) / ``not_assessable``
    (villages not checked) / ``missing`` name the indicators; ``official_fail`` those failing
    only the official rule; ``nonresponse`` the share of the main sample never interviewed when
    it exceeds ``nonresponse_alert``; ``over_reporting`` the over-reported share when the income
    conclusion is systematic over-reporting (收入系统性高报).
    """
    v, reasons = r.verdict, []
    Reason = records.FollowUpReason
    if v.failing:
        reasons.append(Reason(code="not_credible", indicators=v.failing))
    if v.inconclusive:
        reasons.append(
            Reason(code="inconclusive", indicators=v.inconclusive, follow_up=v.follow_up)
        )
    if v.not_assessable:
        reasons.append(Reason(code="not_assessable", indicators=v.not_assessable))
    if v.missing:
        missing = [records.IndicatorRef(kind=kind) for kind in v.missing]
        reasons.append(Reason(code="missing", indicators=missing))
    listed = v.failing + v.not_assessable
    official = [
        ref
        for ref in v.official_failing
        if ref not in listed and not (ref.village_id is None and ref.kind in v.missing)
    ]
    if official:
        reasons.append(Reason(code="official_fail", indicators=official))
    s = r.sample
    lost = 1 - s.interviewed / s.planned if s.planned else 0.0
    if lost > nonresponse_alert:
        reasons.append(Reason(code="nonresponse", value=lost))
    income = r.income
    if income.conclusion == "systematic_over_reporting":
        reasons.append(Reason(code="over_reporting", value=income.over_reported_share.estimate))
    return reasons


def district_villages(r: ResultsRecord) -> list[records.DistrictVillage]:
    """The township's exited key villages, each with its incidence indicator."""
    out = []
    for village in r.villages:
        indicator = r.indicator("village_incidence", village.village_id)
        if indicator is not None:
            out.append(
                records.DistrictVillage(township=r.township, village=village, indicator=indicator)
            )
    return out


def _common(towns: Sequence[TownshipAssessment], name: str) -> Any:
    """The assessment parameter ``name`` shared by every township (RequestError if they differ)."""
    values = {t.township: getattr(t.results.parameters, name) for t in towns}
    if len(set(values.values())) > 1:
        shown = ", ".join(f"{k}: {v}" for k, v in values.items())
        raise RequestError(
            f"the townships were assessed with different {name} ({shown}); "
            "assess them with the same parameters before pooling them."
        )
    return next(iter(values.values()))


def summarise_district(
    townships: Sequence[Assessment | TownshipAssessment | tuple],
    method: str | None = None,
    level: float | None = None,
    lonely_psu: str | None = None,
    nonresponse_alert: float = NONRESPONSE_ALERT,
) -> DistrictSummary:
    """District summary of the townships' assessments (see the module docstring).

    ``method``, ``level`` and ``lonely_psu`` default to the townships' own (recorded)
    interval method, confidence level and lonely-PSU rule; the wrong-exit threshold, the
    verdict's power and the over-report margin are always theirs. Townships assessed with
    different values of a parameter the pooled estimate needs are refused.
    """
    if not townships:
        raise RequestError("district summary needs at least one township assessment")
    towns = [TownshipAssessment.of(t) for t in townships]
    names = [t.township for t in towns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise RequestError(f"township(s) {dup} given more than once; pass one assessment each")
    method = method or _common(towns, "interval_method")
    level = level if level is not None else _common(towns, "level")
    lonely_psu = lonely_psu or _common(towns, "lonely_psu")
    threshold = _common(towns, "wrong_exit_threshold")
    power = _common(towns, "power")
    planning = _common(towns, "planning_rate")
    thresholds = Thresholds(wrong_exit=threshold, level=level, power=power, planning_rate=planning)
    units = pooled_units(towns)
    kind = "two-stage" if units["fpc_stage2"].notna().any() else "stratified"
    frames = np.array(
        [
            (s.frame_households, s.frame_persons, s.frame_size_squares)
            for s in (t.results.sample for t in towns)
        ],
        dtype=float,
    ).sum(axis=0)
    factor = frames[1] ** 2 / (frames[0] * frames[2]) if frames[2] > 0 else 1.0
    designs = Designs.build(
        units, {"design": kind}, lonely_psu, _common(towns, "over_report"), factor
    )

    def est(variable: str, persons: bool = False, counts: bool = True) -> Estimate:
        return designs.estimate(
            variable, persons=persons, method=method, level=level, counts=counts
        )

    answered = designs.households.data["approves"].notna().any()
    wrong = est("wrong", persons=True)
    indicator = judge(
        "wrong_exit_rate",
        wrong.estimate,
        wrong.se,
        wrong.ci,
        wrong.bounds(level),
        threshold,
        "below",
        wrong.n,
        level,
        power,
        advice=advice_basis(wrong, int(frames[0]), threshold, "below", thresholds),
        planning_rate=thresholds.planning_rate,
    )
    follow = [
        records.TownshipFollowUp(
            township=t.township, verdict=t.results.verdict.statistical, reasons=reasons
        )
        for t in towns
        if (reasons := follow_up_reasons(t.results, nonresponse_alert))
    ]
    return DistrictSummary(
        wrong_exit_rate=wrong,
        wrong_exit_rate_households=est("wrong"),
        approval_rate=est("approves", counts=False) if answered else None,
        indicator=indicator,
        verdict=combine([indicator]),
        townships=tuple(township_row(t.results, county_of(t)) for t in towns),
        villages=tuple(v for t in towns for v in district_villages(t.results)),
        follow_up=tuple(follow),
        level=level,
        approval_threshold=_common(towns, "approval_threshold"),
    )
