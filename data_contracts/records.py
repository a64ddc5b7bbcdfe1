"""Output records (输出记录): typed contracts of every JSON file the workbench writes and reads.

The input tables have pandera contracts (:mod:`data_contracts.schemas`); the files the workbench
itself writes have these pydantic models, one per file:

==================  =====================================================================
``design.json``     :class:`DesignRecord` — the sample's design, seed, frame and input hashes
``inputs.json``     :class:`InputsRecord` — what one assessment version was computed from
``results.json``    :class:`ResultsRecord` — one township's assessment (indicators, verdict)
``changes.json``    :class:`ChangesRecord` — what changed against the previous version
``district.json``   :class:`DistrictRecord` — the district summary
``review.json``     :class:`ReviewRecord` — the Monte Carlo methodology review
==================  =====================================================================

Every file carries ``schema_version``; :func:`write_record` dumps a model atomically and
:func:`read_record` validates a file against its model, raising :class:`RecordError` (naming the
file and what is wrong) for a missing, unreadable, foreign or incompatible file. Records hold
codes and numbers only — never prose: words live in the message catalogue
(:mod:`data_contracts.messages`). NaN and infinities are stored as ``null``.

Every estimate is one :class:`Estimate`; every indicator one :class:`Indicator`, identified by
its ``kind`` and, for village indicators, its ``village_id`` (never a string key to split).
The JSON Schemas are published under ``docs/schemas/`` (:func:`json_schemas`).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from data_contracts.errors import RecordError
from data_contracts.fileio import atomic_write_text

SCHEMA_VERSION = 1


def _finite_or_none(value: Any) -> Any:
    """NaN / ±inf (and pandas' NA) become None, so every stored number is finite or null."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return number if math.isfinite(number) else None


Number = Annotated[float | None, BeforeValidator(_finite_or_none)]
"""A float that is ``None`` where it is undefined (NaN, infinite, not computed)."""

VerdictCode = Literal["credible", "inconclusive", "not_credible", "not_assessable"]
TOWNSHIP_VERDICTS = ("credible", "inconclusive", "not_credible")
"""The statistical verdicts a township can carry (``not_assessable`` is for indicators only)."""
IndicatorKind = Literal[
    "wrong_exit_rate",
    "wrong_exit_rate_households",
    "approval_rate",
    "village_incidence",
    "procedure_compliance",
]
Direction = Literal["below", "at_least"]
IncomeConclusion = Literal["systematic_over_reporting", "inconclusive", "none_found"]
"""收入高报结论, worst to best (``evaluation.income.income_conclusion``)."""


class Model(BaseModel):
    """Base of every record: unknown fields are refused, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Record(Model):
    """A record stored as a file of its own (carries the schema version and its kind)."""

    FILE: ClassVar[str] = ""
    schema_version: Literal[1] = SCHEMA_VERSION


# --------------------------------------------------------------------------- shared parts
class Estimate(Model):
    """One design-based estimate (设计估计) with its uncertainty.

    ``ci_low``/``ci_high`` is the two-sided interval at ``level``; ``lower_bound``/``upper_bound``
    the one-sided bounds at ``level`` (what the statistical verdict uses). ``n`` counts the
    sampled records behind the estimate, ``n_effective`` the effective sample size of the
    proportion interval (Korn–Graubard), ``deff`` the design effect; ``df`` the design degrees of
    freedom (PSUs − strata; ``None`` = infinite / not applicable). A census value (全面核查) has
    ``method == "census"`` and ``se == 0``.
    """

    estimate: Number
    se: Number = None
    df: Number = None
    n: int = 0
    n_effective: Number = None
    deff: Number = None
    level: float = 0.95
    method: str = "t"
    ci_low: Number = None
    ci_high: Number = None
    lower_bound: Number = None
    upper_bound: Number = None


class IndicatorRef(Model):
    """Which indicator: its kind and, for a village indicator, the village."""

    kind: IndicatorKind
    village_id: str | None = None


class FollowUp(Model):
    """What would settle an inconclusive indicator or township (code + numbers, no prose).

    ``survey_more``: survey ``households`` more (in ``village_id`` when a village drives it);
    ``full_check``: the suggestion reached what is left in the frame — check all of them (全面核查).
    """

    code: Literal["survey_more", "full_check"]
    households: int
    village_id: str | None = None
    power: Number = None  # P(certified | planning rate) the suggestion delivers


class Indicator(Model):
    """One indicator: the estimate, the threshold, both readings and the follow-up.

    ``official_pass`` is the official rule (point estimate against the threshold);
    ``verdict`` the statistical verdict from the one-sided bounds. ``judged`` says whether the
    indicator enters the township verdict (the household-based wrong-exit rate is reported only).
    """

    kind: IndicatorKind
    village_id: str | None = None
    threshold: float
    direction: Direction
    estimate: Estimate
    official_pass: bool
    verdict: VerdictCode
    follow_up: FollowUp | None = None
    judged: bool = True
    p_fail: Number = None  # one-sided p-value of "meets the standard" (Holm's step-down input)

    @property
    def ref(self) -> IndicatorRef:
        """The indicator's identity."""
        return IndicatorRef(kind=self.kind, village_id=self.village_id)


class Verdict(Model):
    """A township's (or the district's) verdict combined from its indicators.

    ``statistical`` is ``credible`` only when every judged indicator is, ``not_credible`` when
    any is; ``missing`` lists indicators without data and ``not_assessable`` those that could
    not be checked (未核查) — the township cannot then be credible.
    """

    statistical: VerdictCode
    official_pass: bool
    failing: list[IndicatorRef] = Field(default_factory=list)
    inconclusive: list[IndicatorRef] = Field(default_factory=list)
    official_failing: list[IndicatorRef] = Field(default_factory=list)
    missing: list[IndicatorKind] = Field(default_factory=list)
    follow_up: FollowUp | None = None
    level: float = 0.95
    not_assessable: list[IndicatorRef] = Field(default_factory=list)


class FileRef(Model):
    """A file a record depends on: its path (relative to the record's folder) and SHA-256."""

    file: str
    sha256: str
    source: str | None = None


# --------------------------------------------------------------------------- design.json
class SamplingParameters(Model):
    """The options ``exitcheck sample`` drew with (``None`` = not used by the design)."""

    n: int | None = None
    strata: str | None = None
    allocation: str | None = None
    selection: str | None = None
    reserves: int | None = None
    error_rates: dict[str, float] = Field(default_factory=dict)
    fixed: dict[str, int] = Field(default_factory=dict)
    min_per_stratum: int | None = None
    risk_cut_points: list[float] = Field(default_factory=list)
    exit_years: list[int] | None = None
    villages_to_sample: int | None = None
    village_selection: str | None = None
    households_per_village: int | None = None
    inputs: dict[str, str] = Field(default_factory=dict)
    input_sha256: dict[str, str] = Field(default_factory=dict)
    personal_data_in_manifest: bool = True
    district_plan_sha256: str | None = None  # the allocation.json n was taken from (allocate)


class ReportParameters(Model):
    """The sampling report's planning parameters (threshold p0, good rate p1, risks, deff)."""

    threshold: float = 0.02
    good_rate: float = 0.005
    alpha: float = 0.10
    beta: float = 0.05
    deff: float = 1.0


class StratumAllocation(Model):
    """One stratum (or, in cluster and two-stage designs, one village) of the drawn sample."""

    stratum: str
    village_id: str | None = None
    households: int
    sampled: int
    reserves: int | None = None
    prob: Number = None
    weight: Number = None
    prob_village: Number = None
    selected: bool | None = None
    prob_household: Number = None


class DesignRecord(Record):
    """``design.json``: the design of one township's sample (抽样设计记录)."""

    FILE: ClassVar[str] = "design.json"
    kind: Literal["design"] = "design"
    design: Literal["stratified", "cluster", "two-stage"]
    township: str
    county: str | None = None
    seed: int
    parameters: SamplingParameters
    report: ReportParameters = Field(default_factory=ReportParameters)
    frame_fingerprint: str
    frame_households: int
    frame_persons: int
    replacement_rule: Literal[
        "reserve_in_order_stratum", "reserve_in_order_village", "none_cluster"
    ] = "reserve_in_order_stratum"
    allocation: list[StratumAllocation] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict)  # file name → SHA-256 of what sample wrote
    versions: dict[str, str] = Field(default_factory=dict)
    created: str
    seal: str = ""  # SHA-256 of this record with the seal blank (data_contracts.seal)


# --------------------------------------------------------------------------- inputs.json
class InputsRecord(Record):
    """``inputs.json``: what one assessment version was computed from (with hashes)."""

    FILE: ClassVar[str] = "inputs.json"
    kind: Literal["inputs"] = "inputs"
    files: dict[str, FileRef]
    previous: str | None = None
    accepted_warnings: list[str] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)
    created: str


# --------------------------------------------------------------------------- results.json
class AssessmentParameters(Model):
    """Every tunable of an assessment (thresholds, level, interval method, tolerances)."""

    wrong_exit_threshold: float
    approval_threshold: float
    incidence_threshold: float
    procedure_threshold: float
    level: float
    power: float
    planning_rate: float = 0.005  # rate assumed for the households the follow-up would add
    borderline_tolerance: float
    over_report: float
    tolerated_over_report_share: float
    interval_method: str
    lonely_psu: str
    notice_days: int
    announce_days: int
    design: str
    seed: int


class SampleSummary(Model):
    """Planned, interviewed and lost households of the main sample."""

    planned: int
    interviewed: int
    completed: int
    replacements: int
    refused: int
    not_found: int
    missing: int
    acknowledgement_rate: Number = None
    frame_households: int = 0  # exited households of the frame (the registry)
    frame_persons: int = 0  # Σ registered household sizes of the frame
    frame_size_squares: int = 0  # Σ sizes²: with the two above, the frame's size factor


ScenarioCode = Literal[
    "interviewed",
    "borderline_as_wrong",
    "borderline_as_correct",
    "nonrespondents_correct",
    "nonrespondents_wrong",
]


class Scenario(Model):
    """The wrong-exit rate (persons or households) under one treatment of borderline or
    unanswered households (敏感性分析); ``interviewed`` is the reported rate itself."""

    unit: Literal["persons", "households"]
    scenario: ScenarioCode
    estimate: Estimate


class ReasonShare(Model):
    """One reason an exit was wrong (错退原因): households and the share of exited persons."""

    reason: Literal["income_below_line", "food_clothing", "education", "medical", "housing"]
    households: int
    persons_share: Estimate


class VillageSample(Model):
    """Outcomes of the main sample in one village (by the interviewed household's village)."""

    village_id: str
    village: str | None = None
    planned: int
    completed: int
    replacement: int
    refused: int
    not_found: int
    missing: int
    wrong_exits: int


FollowUpCode = Literal["wrong_exit", "borderline", "over_reported", "not_interviewed"]
Outcome = Literal["completed", "replacement", "refused", "not_found", "missing"]


class HouseholdFollowUp(Model):
    """A sampled household to revisit (需跟进户) and why; household IDs only, no personal data."""

    household_id: str
    sampled_household_id: str | None = None
    village_id: str
    village: str | None = None
    reasons: list[FollowUpCode]
    outcome: Outcome
    income_per_capita: Number = None
    surveyed_income_per_capita: Number = None
    poverty_line: Number = None
    wrong_exit_reasons: list[str] = Field(default_factory=list)


NotAssessableReason = Literal["no_village_survey", "no_sampled_households", "too_few_households"]


class VillageResult(Model):
    """An exited key village's evidence (the incidence indicator itself is in ``indicators``).

    The registry's counts and incidence; the village survey's verified counts and incidence
    (``None`` without a village survey row); the village's own wrong-exit rate by persons
    ``wrong_exit_rate`` (综合贫困发生率 uses it), estimated from its ``interviewed`` households
    alone out of its ``frame_households`` exited households in the frame (SRS without
    replacement within the village, df = interviewed − 1; its bounds count ``wrong_households``
    among ``equivalent`` households = Kish size × ``size_factor``); ``exited_persons`` X_v and
    ``wrong_exit_persons`` X_v·r_v; ``rate_threshold`` the rate r* that puts the incidence on the
    threshold. ``not_assessable`` says why the village could not be checked (未核查) when its
    indicator is ``not_assessable``, else None.
    """

    village_id: str
    village: str
    registered_population: Number = None
    poor_population_remaining: Number = None
    registry_incidence: Number
    verified_registered_population: Number = None
    verified_poor_remaining: Number = None
    verified_incidence: Number = None
    frame_households: int = 0
    interviewed: int = 0
    wrong_households: int = 0
    exited_persons: Number = None
    equivalent: Number = None
    size_factor: Number = None
    wrong_exit_rate: Estimate
    wrong_exit_persons: Number = None
    rate_threshold: Number = None
    not_assessable: NotAssessableReason | None = None


class ProcedureResult(Model):
    """Census of the exit procedure (公示、公告) in the registry, for households or villages.

    ``violations`` counts units per violation code (notice_too_short, announcement_too_short,
    steps_out_of_order, dates_incomplete, acknowledgement_missing).
    """

    unit: Literal["household", "village"]
    assessed: int
    not_assessable: int
    compliant: int
    rate: Number = None
    violations: dict[str, int] = Field(default_factory=dict)


class InfrastructureItem(Model):
    """One infrastructure or public-service item of an exited key village: registry vs verified."""

    village_id: str
    item: Literal["roads", "drinking_water", "electricity", "clinic", "school_access"]
    registry: bool | None = None
    verified: bool | None = None


class Discrepancy(Model):
    """An interviewed household with a large reported-vs-surveyed income discrepancy."""

    household_id: str
    reported: Number
    surveyed: Number
    ratio: Number = None


class VerificationFactor(Model):
    """Surveyed ÷ reported income (核验系数) and whether it signals over-reporting."""

    estimate: Estimate
    over_reporting_flag: bool


class LimitsOfAgreement(Model):
    """Bland–Altman limits of agreement of log income (and as ratios)."""

    bias: Number
    sd: Number
    lower: Number
    upper: Number
    level: float
    n: int
    excluded: int
    ratio_bias: Number
    ratio_lower: Number
    ratio_upper: Number


class SignedRank(Model):
    """One-sided Wilcoxon signed-rank test of reported > surveyed income; ``rejects`` at
    α = 1 − level (p ≤ α)."""

    statistic: Number
    p_value: Number
    n: int
    rejects: bool


class IncomeResult(Model):
    """Reported vs surveyed income of the interviewed households (收入比对).

    ``conclusion`` (收入高报结论) is decided from the signed-rank test and the bounds of
    ``over_reported_share`` (households reported more than ``over_report_threshold`` above the
    survey) against ``tolerated_share``; the verification factor is context.
    """

    mean_difference: Estimate
    verification_factor: VerificationFactor
    over_reported_share: Estimate
    over_report_threshold: float
    conclusion: IncomeConclusion
    tolerated_share: float
    limits_of_agreement: LimitsOfAgreement
    signed_rank: SignedRank
    households: int
    typical_poverty_line: Number = None
    discrepancies: list[Discrepancy] = Field(default_factory=list)


class ResultsRecord(Record):
    """``results.json``: one township's assessment (乡镇评估结果), no personal data."""

    FILE: ClassVar[str] = "results.json"
    kind: Literal["results"] = "results"
    township: str
    county: str | None = None
    version: str = ""
    verdict: Verdict
    indicators: list[Indicator]
    villages: list[VillageResult] = Field(default_factory=list)
    procedure: list[ProcedureResult] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    reasons: list[ReasonShare] = Field(default_factory=list)
    acknowledgement: Estimate | None = None
    infrastructure: list[InfrastructureItem] = Field(default_factory=list)
    income: IncomeResult
    sample: SampleSummary
    sample_by_village: list[VillageSample] = Field(default_factory=list)
    follow_up: list[HouseholdFollowUp] = Field(default_factory=list)
    parameters: AssessmentParameters
    created: str = ""

    def indicator(self, kind: IndicatorKind, village_id: str | None = None) -> Indicator | None:
        """The indicator of ``kind`` (and ``village_id``), or None when it was not computed."""
        for item in self.indicators:
            if item.kind == kind and item.village_id == village_id:
                return item
        return None


# --------------------------------------------------------------------------- changes.json
class FieldChange(Model):
    """One changed field of one household's survey return."""

    household_id: str
    field: str
    before: str | None
    after: str | None


class IndicatorChange(Model):
    """How one indicator moved against the previous version."""

    kind: IndicatorKind
    village_id: str | None = None
    before: Number
    after: Number
    verdict_before: VerdictCode | None
    verdict_after: VerdictCode | None


class ChangesRecord(Record):
    """``changes.json``: what changed against the previous finished version (版本变化)."""

    FILE: ClassVar[str] = "changes.json"
    kind: Literal["changes"] = "changes"
    previous: str | None = None
    verdict_before: VerdictCode | None = None
    verdict_after: VerdictCode
    returns_added: list[str] = Field(default_factory=list)
    returns_removed: list[str] = Field(default_factory=list)
    field_changes: list[FieldChange] = Field(default_factory=list)
    indicators: list[IndicatorChange] = Field(default_factory=list)


# --------------------------------------------------------------------------- district.json
class TownshipRow(Model):
    """One township in the district summary (its latest finished version)."""

    township: str
    version: str = ""
    verdict: VerdictCode
    official_pass: bool
    wrong_exit_rate: Estimate
    approval_rate: Estimate | None = None
    exited_key_villages: int
    villages_not_credible: int
    procedure_compliance: Number = None
    planned: int
    interviewed: int
    verification_factor: Number = None
    follow_up: FollowUp | None = None
    county: str | None = None  # the township's county (the report warns when they differ)


class DistrictVillage(Model):
    """An exited key village of one township with its incidence indicator."""

    township: str
    village: VillageResult
    indicator: Indicator


class FollowUpReason(Model):
    """Why a township needs follow-up: a code with the indicators or numbers it concerns."""

    code: Literal[
        "not_credible",
        "inconclusive",
        "not_assessable",
        "missing",
        "official_fail",
        "nonresponse",
        "over_reporting",
    ]
    indicators: list[IndicatorRef] = Field(default_factory=list)
    value: Number = None
    follow_up: FollowUp | None = None


class TownshipFollowUp(Model):
    """A township on the district's follow-up list, with every reason."""

    township: str
    verdict: VerdictCode
    reasons: list[FollowUpReason]


class MissingTownship(Model):
    """A township run given to ``district`` without a usable finished version."""

    run: str
    township: str | None = None
    reason: Literal["no_finished_version", "not_a_run_folder", "unreadable"]


class DistrictRecord(Record):
    """``district.json``: the district summary (区县汇总), townships as strata.

    The headline: ``verdict``, then ``township_verdicts`` — how many townships carry each
    statistical verdict (the three township verdicts always, 0 included; any other code the
    townships carry after them; the counts add up to ``townships``) — and
    ``not_credible_townships``, every not-credible township by name in township order.
    """

    FILE: ClassVar[str] = "district.json"
    kind: Literal["district"] = "district"
    county: str | None = None
    level: float
    wrong_exit_rate: Estimate
    wrong_exit_rate_households: Estimate
    approval_rate: Estimate | None = None
    verdict: Verdict
    wrong_exit_indicator: Indicator
    township_verdicts: dict[VerdictCode, int]
    not_credible_townships: list[str]
    townships: list[TownshipRow]
    villages: list[DistrictVillage] = Field(default_factory=list)
    follow_up: list[TownshipFollowUp] = Field(default_factory=list)
    missing: list[MissingTownship] = Field(default_factory=list)
    created: str = ""
    approval_threshold: float | None = None  # the townships' 群众认可度 threshold


# --------------------------------------------------------------------------- review.json
class Finding(Model):
    """One finding of the methodology review: a code and its numbers (words in the catalogue)."""

    code: str
    params: dict[str, float | int | str | list[str] | None] = Field(default_factory=dict)


class ReviewTruth(Model):
    """The simulated township's known truth."""

    households: int
    persons: int
    villages: int
    rates: list[float]
    true_rate_persons: list[float]
    true_rate_households: list[float]


class ReviewRecord(Record):
    """``review.json``: the Monte Carlo methodology review (方法评审)."""

    FILE: ClassVar[str] = "review.json"
    kind: Literal["review"] = "review"
    parameters: dict[str, Any]
    truth: ReviewTruth
    tables: dict[str, list[dict[str, Any]]]
    findings: list[Finding]
    seconds: float
    created: str = ""


RECORDS: tuple[type[Record], ...] = (
    DesignRecord,
    InputsRecord,
    ResultsRecord,
    ChangesRecord,
    DistrictRecord,
    ReviewRecord,
)
R = TypeVar("R", bound=Record)


# --------------------------------------------------------------------------- reading, writing
def dump_record(record: Record) -> str:
    """The record as JSON text (UTF-8, Chinese kept readable, sorted by the model's field order)."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def write_record(folder: str | os.PathLike[str], record: Record, name: str | None = None) -> Path:
    """Write ``record`` into ``folder`` under its file name, atomically; never overwrites."""
    return atomic_write_text(Path(folder) / (name or record.FILE), dump_record(record))


def read_record(path: str | os.PathLike[str], model: type[R]) -> R:
    """Read and validate a record file; :class:`RecordError` names the file and the problem."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(f"{path}: missing (expected a {model.FILE} record).") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"{path}: cannot read it as JSON ({exc}).") from None
    return parse_record(data, model, str(path))


def parse_record(data: Any, model: type[R], source: str = "<memory>") -> R:
    """Validate already-parsed JSON against ``model`` (see :func:`read_record`)."""
    if not isinstance(data, dict):
        raise RecordError(f"{source}: not a {model.FILE} record (expected a JSON object).")
    expected = model.model_fields["kind"].default
    if data.get("kind", expected) != expected:
        raise RecordError(f"{source}: a {data.get('kind')!r} record, not {expected!r}.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise RecordError(
            f"{source}: written by an incompatible version of exitcheck (schema_version "
            f"{version!r}, this version reads {SCHEMA_VERSION}); re-run the step that wrote it."
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RecordError(f"{source}: field {where}: {first['msg']}{more}.") from None


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every record, keyed by file name (published under docs/schemas/)."""
    return {model.FILE: model.model_json_schema() for model in RECORDS}
