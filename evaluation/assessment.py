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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data_contracts import records
from data_contracts.errors import RequestError
from data_contracts.privacy import mask_frame
from evaluation.advice import AdviceBasis, PersonBasis, design_effect
from evaluation.bounds import df_ratio, failure_p_values, size_factor
from evaluation.classify import OUTCOMES, REASONS, classify_exits, resolve_units
from evaluation.estimates import Estimate
from evaluation.income import OVER_REPORT, TOLERATED_SHARE, IncomeComparison, compare_income
from evaluation.procedure import ProcedureCheck, household_procedure, village_procedure
from evaluation.rates import Designs, Rates, estimate_rates
from evaluation.recording import estimate_record, indicator_record, rows_as, verdict_record
from evaluation.verdict import (
    NOT_ASSESSABLE,
    Indicator,
    Ref,
    Thresholds,
    Verdict,
    combine,
    failure_p_value,
    holm,
    judge,
)
from evaluation.villages import (
    exited_key_villages,
    infrastructure_check,
    judge_villages,
    key_village_incidence,
    own_rates,
    village_frame,
)

FOLLOW_UP_REASONS = ("wrong_exit", "borderline", "over_reported", "not_interviewed")
"""Why a sampled household is revisited (跟进原因), in the order reports list them."""


@dataclass(frozen=True)
class Parameters:
    """Every tunable of an assessment, recorded in results.json."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    tolerance: float = 0.05  # borderline: surveyed income within ±5% of the line
    over_report: float = OVER_REPORT
    tolerated_share: float = TOLERATED_SHARE  # over-reported share the income conclusion allows
    method: str = "beta"  # proportion interval method (Korn–Graubard)
    lonely_psu: str = "adjust"
    notice_days: int = 7
    announce_days: int = 5

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
            "planning_rate": t.planning_rate,
            "borderline_tolerance": self.tolerance,
            "over_report": self.over_report,
            "tolerated_over_report_share": self.tolerated_share,
            "interval_method": self.method,
            "lonely_psu": self.lonely_psu,
            "notice_days": self.notice_days,
            "announce_days": self.announce_days,
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
    villages: pd.DataFrame  # exited key villages: own evidence and comprehensive incidence
    infrastructure: pd.DataFrame
    household_procedure: ProcedureCheck
    village_procedure: ProcedureCheck
    indicators: dict[Ref, Indicator]  # keyed by (kind, village_id or None)
    verdict: Verdict
    frame_sizes: tuple[int, int, int] = (0, 0, 0)  # frame households, Σ sizes, Σ sizes²

    def indicator(self, kind: str, village_id: str | None = None) -> Indicator:
        """The indicator of ``kind`` (and ``village_id`` for a village); KeyError if none."""
        return self.indicators[(kind, village_id)]

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
        """Interviewed households classified as wrong exits, with reason codes (IDs masked)."""
        cols = ["household_id", "village_id", "village", "head_name", "head_id_number",
                "household_size", "surveyed_household_size", "income_per_capita",
                "surveyed_income_per_capita", "poverty_line", "borderline", "reasons"]  # fmt: skip
        u = self.units
        return u.loc[u["wrong_exit"], [c for c in cols if c in u.columns]].reset_index(drop=True)

    def follow_up_flags(self) -> pd.DataFrame:
        """One boolean column per follow-up reason (``FOLLOW_UP_REASONS``), one row per unit."""
        u = self.units
        over = u["household_id"].isin(
            self.income.households.loc[self.income.households["over_reported"], "household_id"]
        )
        return pd.DataFrame(
            {
                "wrong_exit": u["wrong_exit"].to_numpy(dtype=bool),
                "borderline": u["borderline"].to_numpy(dtype=bool),
                "over_reported": over.to_numpy(dtype=bool),
                "not_interviewed": ~u["responded"].to_numpy(dtype=bool),
            },
            index=u.index,
            columns=list(FOLLOW_UP_REASONS),
        )

    def follow_up(self) -> list[records.HouseholdFollowUp]:
        """Households to revisit: wrong exits, borderline incomes, over-reported incomes and
        sampled households never interviewed, each with its reason codes (no personal data)."""
        flags = self.follow_up_flags()
        keep = flags.any(axis=1).to_numpy()
        u = self.units.loc[keep]
        why = flags.loc[keep]
        wrong = u[[f"reason_{c}" for c in REASONS]].fillna(False).to_numpy(dtype=bool)
        codes = np.array(list(REASONS))
        rows = u.assign(
            reasons=[list(why.columns[r]) for r in why.to_numpy()],
            wrong_exit_reasons=[list(codes[r]) for r in wrong],
        )
        return rows_as(records.HouseholdFollowUp, rows, _FOLLOW_UP_FIELDS)

    # ----------------------------------------------------------------- results.json
    def to_record(self, version: str = "", created: str = "") -> records.ResultsRecord:
        """The ``results.json`` record: every number the township report shows, no personal data."""
        level = self.parameters.thresholds.level
        v = self.villages
        census = set(v.loc[v["census"].astype(bool), "village_id"].astype(str))
        estimates = {
            "wrong_exit_rate": self.rates.persons,
            "wrong_exit_rate_households": self.rates.households,
            "approval_rate": self.rates.approval,
        }
        indicators = [
            indicator_record(
                ind,
                estimates.get(kind) if village is None else None,
                method="census"
                if kind == "procedure_compliance" or village in census
                else "village",
                judged=kind != "wrong_exit_rate_households",
            )
            for (kind, village), ind in self.indicators.items()
        ]
        villages = _village_records(v, level)
        scenarios = [
            records.Scenario(
                unit=row["unit"],
                scenario=row["scenario"],
                estimate=records.Estimate(
                    estimate=row["estimate"],
                    se=row["se"],
                    n=int(row["n"]),
                    level=level,
                    method=self.parameters.method,
                    ci_low=row["ci_low"],
                    ci_high=row["ci_high"],
                    upper_bound=row["upper_bound"],
                ),
            )
            for row in self.rates.scenarios.to_dict(orient="records")
        ]
        reasons = [
            records.ReasonShare(
                reason=row["reason"],
                households=int(row["households"]),
                persons_share=records.Estimate(
                    estimate=row["persons_share"],
                    level=level,
                    ci_low=row["ci_low"],
                    ci_high=row["ci_high"],
                ),
            )
            for row in self.rates.reasons.to_dict(orient="records")
        ]
        procedure = [
            p.to_record() for p in (self.household_procedure, self.village_procedure) if p.assessed
        ]
        infrastructure = rows_as(
            records.InfrastructureItem,
            self.infrastructure,
            ("village_id", "item", "registry", "verified"),
        )
        ack = self.rates.acknowledgement
        by_village = self.sample_by_village()
        names = self.units.drop_duplicates("village_id").set_index("village_id")["village"]
        by_village["village"] = by_village["village_id"].map(names)
        return records.ResultsRecord(
            township=self.township,
            county=self.design_info.get("county"),
            version=version,
            verdict=verdict_record(self.verdict, level),
            indicators=indicators,
            villages=villages,
            procedure=procedure,
            scenarios=scenarios,
            reasons=reasons,
            acknowledgement=None if ack is None else estimate_record(ack, level),
            infrastructure=infrastructure,
            income=self.income.to_record(level),
            sample=records.SampleSummary(
                **self.sample_summary(),
                frame_households=self.frame_sizes[0],
                frame_persons=self.frame_sizes[1],
                frame_size_squares=self.frame_sizes[2],
                acknowledgement_rate=None if ack is None else ack.estimate,
            ),
            sample_by_village=rows_as(records.VillageSample, by_village, _SAMPLE_FIELDS),
            follow_up=self.follow_up(),
            parameters=records.AssessmentParameters(
                **self.parameters.to_dict(),
                design=self.design_info["design"],
                seed=self.design_info["seed"],
            ),
            created=created,
        )

    def __repr__(self) -> str:
        s = self.sample_summary()
        return (
            f"Assessment({self.township}: {self.verdict.statistical}, official "
            f"{'pass' if self.verdict.official_pass else 'fail'}; "
            f"{s['interviewed']}/{s['planned']} "
            f"interviewed; {self.rates!r})"
        )


_FOLLOW_UP_FIELDS = (
    "household_id",
    "sampled_household_id",
    "village_id",
    "village",
    "reasons",
    "outcome",
    "income_per_capita",
    "surveyed_income_per_capita",
    "poverty_line",
    "wrong_exit_reasons",
)
_SAMPLE_FIELDS = ("village_id", "village", "planned", *OUTCOMES, "wrong_exits")
_VILLAGE_FIELDS = (
    "village_id",
    "village",
    "registered_population",
    "poor_population_remaining",
    "registry_incidence",
    "verified_registered_population",
    "verified_poor_remaining",
    "verified_incidence",
    "frame_households",
    "interviewed",
    "wrong_households",
    "exited_persons",
    "equivalent",
    "size_factor",
    "wrong_exit_rate",
    "wrong_exit_persons",
    "rate_threshold",
    "not_assessable",
)


def _village_records(table: pd.DataFrame, level: float) -> list[records.VillageResult]:
    """The village table as records, each village's own wrong-exit rate as an ``Estimate``."""
    rates = [
        records.Estimate(
            estimate=row["rate"],
            se=row["rate_se"],
            df=row["rate_df"],
            n=int(row["interviewed"]),
            level=level,
            method="census" if row["census"] else "beta",
            ci_low=row["rate_ci_low"],
            ci_high=row["rate_ci_high"],
            lower_bound=row["rate_bound_low"],
            upper_bound=row["rate_bound_high"],
        )
        for row in table.to_dict(orient="records")
    ]
    return rows_as(records.VillageResult, table.assign(wrong_exit_rate=rates), _VILLAGE_FIELDS)


def _from_estimate(
    kind: str,
    e: Estimate,
    threshold: float,
    direction: str,
    t: Thresholds,
    population: int,
    persons: PersonBasis | None = None,
) -> Indicator:
    """Judge a sampled rate: bounds at the verdict level, Holm's p-value and the advice
    (``persons``: the sizes behind a person rate's advice)."""
    bounds = e.bounds(t.level)
    if e.basis is not None:  # a wrong-exit rate: the count rule's closed-form p-value
        b = e.basis
        args = (e.estimate, e.se, e.df, b.equivalent, b.fraction, b.events, b.element_df)
        p_fail = float(failure_p_values(*args, threshold, t.level))
    else:
        failing_side = 0 if direction == "below" else 1
        p_fail = failure_p_value(lambda lv: e.bounds(lv)[failing_side], threshold, direction)
    return judge(
        kind,
        e.estimate,
        e.se,
        e.ci,
        bounds,
        threshold,
        direction,
        e.n,
        t.level,
        t.power,
        advice=advice_basis(e, population, threshold, direction, t),
        planning_rate=t.planning_rate if direction == "below" else 1.0 - e.estimate,
        p_fail=p_fail,
        persons=persons,
    )


def person_basis(units: pd.DataFrame, frame: pd.DataFrame) -> PersonBasis:
    """Sizes behind a person rate's advice: the interviewed households' (all and wrong) and
    the frame's households not yet sampled (registered sizes)."""
    resp = units.loc[units["responded"].to_numpy(dtype=bool)]
    size = pd.to_numeric(resp["surveyed_household_size"]).to_numpy(dtype=float)
    wrong = resp["wrong_exit"].to_numpy(dtype=bool)
    rest = ~frame["household_id"].isin(units["household_id"]).to_numpy()
    remaining = pd.to_numeric(frame.loc[rest, "household_size"]).to_numpy(dtype=float)
    return PersonBasis(
        float(size.sum()),
        float(np.square(size).sum()),
        float(size[wrong].sum()),
        float(np.square(size[wrong]).sum()),
        remaining,
    )


def advice_basis(
    e: Estimate, population: int, threshold: float, direction: str, t: Thresholds
) -> AdviceBasis | None:
    """The evidence :mod:`evaluation.advice` needs for a sampled rate (households counted).

    A rate that must reach its threshold (approval) is advised on its complement (the share
    not approving must stay below 1 − threshold), at the observed share as planning rate.
    """
    b = e.basis
    n = e.n
    if direction == "below":
        events = b.events if b is not None else round(e.estimate * n)
        rate, limit = e.estimate, threshold
    else:
        events, rate, limit = round((1.0 - e.estimate) * n), 1.0 - e.estimate, 1 - threshold
    if direction != "below" and rate >= limit:
        return None  # at the observed share no extra sample would certify it
    deff = design_effect(rate, e.se, n, n / population if population > 0 else 1.0)
    equivalent = b.equivalent if b is not None else float(n)
    ratio = float(df_ratio(b.element_df, e.df, 1 - t.level)) if b is not None else 1.0
    return AdviceBasis(n, events, population, min(equivalent, n), deff, ratio, limit)


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
    frame = _township_frame(households, township, design_info)
    sizes = pd.to_numeric(frame["household_size"]).to_numpy(dtype=float)
    designs = Designs.build(units, design_info, p.lonely_psu, p.over_report, size_factor(sizes))
    rates = estimate_rates(designs, p.method, t.level)
    income = compare_income(
        designs.households, units, p.over_report, p.method, t.level, p.tolerated_share
    )

    hh_proc = household_procedure(frame, p.notice_days, p.announce_days)
    key = exited_key_villages(villages, township)
    v_proc = village_procedure(key, p.notice_days, p.announce_days)
    interviewed = units.loc[units["responded"].to_numpy(dtype=bool)]
    own = own_rates(
        interviewed.assign(
            size=interviewed["surveyed_household_size"], wrong=interviewed["wrong_exit"]
        ),
        village_frame(frame, key["village_id"]),
        t.level,
    )
    village_table = key_village_incidence(key, own, village_survey, t.incidence)

    left = len(frame)  # the frame's exited households (the advice samples the rest)
    indicators: dict[Ref, Indicator] = {
        ("wrong_exit_rate", None): _from_estimate(
            "wrong_exit_rate",
            rates.persons,
            t.wrong_exit,
            "below",
            t,
            left,
            person_basis(units, frame),
        ),
        ("wrong_exit_rate_households", None): _from_estimate(
            "wrong_exit_rate_households", rates.households, t.wrong_exit, "below", t, left
        ),
    }
    missing: list[str] = []
    if rates.approval is not None:
        indicators[("approval_rate", None)] = _from_estimate(
            "approval_rate", rates.approval, t.approval, "at_least", t, left
        )
    else:
        missing.append("approval_rate")
    village_persons = {  # one per exited key village: the sizes its advice simulates
        str(v): person_basis(
            units.loc[units["village_id"].eq(v)], frame.loc[frame["village_id"].eq(v)]
        )
        for v in village_table["village_id"]
    }
    indicators.update(judge_villages(village_table, t, village_persons))
    if hh_proc.assessed:
        rate = hh_proc.rate
        indicators[("procedure_compliance", None)] = judge(
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
    judged = holm(
        [v for v in indicators.values() if v.kind != "wrong_exit_rate_households"],
        1 - t.level,
    )
    indicators.update({i.ref: i for i in judged})
    unchecked = [
        indicators[("village_incidence", str(v))].verdict == NOT_ASSESSABLE
        for v in village_table["village_id"]
    ]
    village_table["not_assessable"] = village_table["uncertifiable"].where(unchecked, None)
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
        frame_sizes=(len(sizes), int(sizes.sum()), int(np.square(sizes).sum())),
    )
