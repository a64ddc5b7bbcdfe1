"""A township run folder (乡镇抽样运行目录) as the assessment step reads it.

``exitcheck sample`` leaves ``design.json``, ``sample.parquet`` and copies of the registry inputs in
``inputs/``; ``exitcheck assess`` checks survey returns against that sample before anything is
written (:func:`check_returns`), assesses the township once (:func:`assess_loaded`) and records
the result (:func:`save_results`). Everything reads the folder through :class:`TownshipRun`.
"""

from __future__ import annotations

import io
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from data_contracts import LoadedTable, load
from data_contracts.errors import InputError, RequestError
from data_contracts.fileio import atomic_write_bytes
from data_contracts.loading import sha256_of
from data_contracts.privacy import PERSONAL_COLUMNS
from data_contracts.records import ResultsRecord, write_record
from data_contracts.seal import check_sealed
from evaluation.assessment import Assessment, assess_township
from evaluation.classify import resolve_units
from sampling.sample import ESTIMATION_COLUMNS, RESERVE_COLUMNS

INPUT_KINDS = ("households", "villages")
RESULTS = "results.json"
UNITS = "units.parquet"
SOFT_HINT = "use --accept-warnings to assess anyway"


@dataclass(frozen=True)
class TownshipRun:
    """The sample side of a run folder: design, sample table and registry inputs."""

    path: Path
    design_info: dict[str, Any]
    sample: pd.DataFrame
    input_files: dict[str, Path]

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> TownshipRun:
        """Read ``design.json`` and ``sample.parquet``; locate the registry input copies."""
        run = Path(path)
        for name in ("design.json", "sample.parquet"):
            if not (run / name).is_file():
                raise RequestError(
                    f"{run} is not a township run folder: {name} is missing "
                    "(create one with `exitcheck sample`)."
                )
        record = check_sealed(run)
        design = record.model_dump(mode="json")
        try:
            sample = pd.read_parquet(run / "sample.parquet")
        except (OSError, ValueError) as exc:
            raise RequestError(f"{run}: cannot read the run folder's sample: {exc}") from None
        lacking = [
            c
            for c in ("household_id", *ESTIMATION_COLUMNS, *RESERVE_COLUMNS)
            if c not in sample.columns
        ]
        if lacking:
            raise RequestError(
                f"{run / 'sample.parquet'}: not a sample table; columns {', '.join(lacking)} "
                "are missing (was it edited? draw a new sample with `exitcheck sample`)."
            )
        return cls(run, design, sample, _input_files(run, design))

    def check_input_copies(self) -> None:
        """Refuse registry copies whose SHA-256 differs from the one recorded at sampling time
        (an edited or damaged copy would silently change the assessment)."""
        recorded = (self.design_info.get("parameters") or {}).get("input_sha256") or {}
        changed = [str(path) for kind, path in self.input_files.items()
                   if kind in recorded and sha256_of(path) != recorded[kind]]  # fmt: skip
        if changed:
            raise RequestError(
                f"registry copies changed since the sample was drawn: {', '.join(changed)} "
                "(SHA-256 differs from design.json); restore them or draw a new sample."
            )

    @property
    def township(self) -> str:
        """The township name recorded in design.json."""
        return str(self.design_info.get("township", ""))

    def __repr__(self) -> str:
        design = self.design_info.get("design")
        return (
            f"TownshipRun({self.township}, {design}, {len(self.sample)} sample rows, {self.path})"
        )

    def load_input(self, kind: str) -> LoadedTable:
        """Load the registry input copy of ``kind`` (households or villages)."""
        return load(kind, self.input_files[kind])


def _input_files(run: Path, design: dict[str, Any]) -> dict[str, Path]:
    """Registry input copies, as recorded in design.json (``parameters.inputs``)."""
    recorded = design["parameters"]["inputs"]
    found: dict[str, Path] = {}
    for kind in INPUT_KINDS:
        entry = recorded.get(kind)
        if not entry or not (run / entry).is_file():
            raise RequestError(
                f"{run}: the {kind} registry copy recorded in design.json "
                f"({entry or 'none'}) is missing; draw a new sample with `exitcheck sample`."
            )
        found[kind] = run / entry
    return found


def skipped_reserves(sample: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Replacements that passed over reserves of their list without saying so in ``notes``.

    Reserves are used in ``reserve_order`` within their ``reserve_group`` (备用户按序顺延); a
    reserve that could not be interviewed has no row, so the next replacement's notes must say
    how many were skipped (e.g. "顺延：跳过1户"). Returns ``household_id`` and ``skipped`` of the
    replacements whose notes do not state the number passed over.
    """
    repl = survey.loc[survey["visit_status"].eq("replacement"), ["household_id"]]
    if repl.empty:
        return pd.DataFrame({"household_id": pd.Series(dtype="str"), "skipped": []})
    info = sample.set_index("household_id")[["reserve_group", "reserve_order"]]
    repl = repl.join(info, on="household_id").sort_values(["reserve_group", "reserve_order"])
    order = repl["reserve_order"].astype("int64")
    previous = order.groupby(repl["reserve_group"]).shift(1, fill_value=0)
    repl["skipped"] = order - previous - 1
    notes = survey["notes"] if "notes" in survey.columns else pd.Series("", index=survey.index)
    stated = (
        notes.reindex(repl.index)
        .astype("str")
        .str.extract(r"(?:跳过|skipped)\D{0,3}(\d+)", expand=False)
    )
    said = pd.to_numeric(stated, errors="coerce").eq(repl["skipped"])
    bad = repl.loc[repl["skipped"].gt(0) & ~said, ["household_id", "skipped"]]
    return bad.reset_index(drop=True)


def soft_problems(run: TownshipRun, survey: pd.DataFrame) -> list[str]:
    """Problems that do not make the returns unusable but need the assessor's consent.

    Sampled households without any return (they count as non-respondents), replacements that
    passed over reserves without saying why, and survey dates before the sample was drawn.
    """
    sample, problems = run.sample, []
    main = sample.loc[~sample["reserve"].astype(bool), "household_id"]
    replaced = survey.loc[survey["visit_status"].eq("replacement"), "replaces_household_id"]
    missing = main[~main.isin(survey["household_id"]) & ~main.isin(replaced)]
    if len(missing):
        shown = ", ".join(missing.head(10).astype(str))
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        problems.append(
            f"{len(missing)} sampled household(s) have no survey row and will count as "
            f"non-respondents: {shown}{more}"
        )
    skipped = skipped_reserves(sample, survey)
    if len(skipped):
        shown = ", ".join(f"{h} (skips {k})" for h, k in skipped.head(10).itertuples(index=False))
        problems.append(
            f"{len(skipped)} replacement(s) not taken from the reserve list in order, and their "
            f"notes do not say how many reserves were skipped (e.g. '跳过1户'): {shown}"
        )
    created = run.design_info.get("created")
    if created and "survey_date" in survey.columns:
        drawn = pd.Timestamp(created)
        drawn = (drawn.tz_convert(None) if drawn.tzinfo else drawn).normalize()
        early = survey.loc[pd.to_datetime(survey["survey_date"]) < drawn, "household_id"]
        if len(early):
            problems.append(
                f"{len(early)} return(s) dated before the sample was drawn on {drawn.date()}: "
                + ", ".join(early.head(10).astype(str))
            )
    return problems


def check_returns(
    run: TownshipRun,
    survey_path: str | os.PathLike[str],
    village_survey_path: str | os.PathLike[str] | None = None,
    accept_warnings: bool = False,
) -> tuple[LoadedTable, LoadedTable | None, list[str]]:
    """Validate survey returns against their contract and against the run's sample.

    Contract problems raise ``ContractError``; returns that cannot be matched to the sample
    (unknown IDs, duplicates, bad replacements, blank interviews) raise ``InputError``;
    soft problems raise too unless ``accept_warnings``, and are returned as warnings.
    """
    run.check_input_copies()
    survey = load("survey", survey_path)
    villages = load("village-survey", village_survey_path) if village_survey_path else None
    resolve_units(run.sample, survey.frame)
    warnings = soft_problems(run, survey.frame)
    if warnings and not accept_warnings:
        raise InputError(
            f"survey returns {survey.path}: " + "; ".join(warnings) + f" ({SOFT_HINT})."
        )
    return survey, villages, warnings


def assess_loaded(
    run: TownshipRun, survey: pd.DataFrame, village_survey: pd.DataFrame | None = None
) -> Assessment:
    """Assess the township of ``run`` from already-validated returns (the one computation)."""
    return assess_township(
        run.sample,
        survey,
        run.load_input("households").frame,
        run.load_input("villages").frame,
        run.design_info,
        village_survey=village_survey,
    )


def save_results(
    assessment: Assessment, folder: str | os.PathLike[str], version: str = "", created: str = ""
) -> ResultsRecord:
    """Write ``units.parquet`` (analysis units, personal columns dropped) and ``results.json``.

    The units let ``exitcheck district`` pool townships as strata and the report draw its
    figures; neither file holds names, ID numbers or phones. Existing files are never
    overwritten. Returns the record written.
    """
    out = Path(folder)
    units = assessment.units.drop(columns=list(PERSONAL_COLUMNS), errors="ignore")
    buffer = io.BytesIO()
    units.to_parquet(buffer, index=False)
    atomic_write_bytes(out / UNITS, buffer.getvalue())
    record = assessment.to_record(version=version, created=created)
    write_record(out, record)
    return record


INPUTS = "inputs.json"
VERSIONED_PACKAGES = ("exitcheck", "pandas", "numpy", "scipy", "statsmodels", "papermill",
                      "nbconvert", "matplotlib")  # fmt: skip


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the report."""
    found = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
