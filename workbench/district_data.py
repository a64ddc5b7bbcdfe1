"""The district summary's inputs (区县汇总): the latest finished assessment of each township run.

:func:`collect` reads the newest ``finished`` version of each run folder — its ``results.json``
record and its analysis units (``units.parquet``); a run without a usable one is listed as
missing, with a reason code and, for the terminal, what was found. :meth:`District.summarise`
hands them to ``evaluation.district.summarise_district`` (townships as strata) and
:meth:`District.record` gives the ``district.json`` record.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from data_contracts.errors import RecordError, RequestError
from data_contracts.records import (
    DesignRecord,
    DistrictRecord,
    MissingTownship,
    ResultsRecord,
    read_record,
)
from data_contracts.seal import check_sealed
from evaluation.district import DistrictSummary, summarise_district
from workbench.township_run import UNITS
from workbench.versions import latest_finished, list_versions

MissingReason = Literal["no_finished_version", "not_a_run_folder", "unreadable"]


@dataclass(frozen=True)
class TownshipResult:
    """One township's latest finished assessment (its results.json record)."""

    run: Path
    version: str
    results: ResultsRecord

    @property
    def township(self) -> str:
        """Township name from results.json."""
        return self.results.township

    def units(self) -> pd.DataFrame:
        """The analysis units saved beside results.json (personal columns already dropped)."""
        return pd.read_parquet(self.run / "assessments" / self.version / UNITS)


@dataclass(frozen=True)
class MissingRun:
    """A run folder that could not be used: the reason code, what was found (for the terminal)
    and the township its design.json names, when it can be read."""

    run: str
    reason: MissingReason
    why: str
    township: str | None = None

    def to_record(self) -> MissingTownship:
        """The ``district.json`` entry (the run folder as an absolute path)."""
        run = str(Path(self.run).resolve())
        return MissingTownship(run=run, township=self.township, reason=self.reason)


@dataclass(frozen=True)
class StaleRun:
    """A run folder whose newest version did not finish: an older finished one is used."""

    run: str
    township: str
    newest: str  # e.g. "v003"
    status: str  # its STATUS word (running, failed, incomplete) and detail
    used: str  # the finished version used instead


@dataclass(frozen=True)
class District:
    """The townships to summarise, the run folders that could not be used, and those whose
    newest version is unfinished (an older finished version is used for them)."""

    townships: list[TownshipResult]
    missing: list[MissingRun]
    stale: list[StaleRun] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per run folder: township, version used, or why it is missing."""
        rows = [(t.township, str(t.run), t.version, "") for t in self.townships]
        rows += [(m.township or "", m.run, "", m.why) for m in self.missing]
        return pd.DataFrame(rows, columns=["township", "run", "version", "missing"])

    def summarise(self, level: float | None = None) -> DistrictSummary:
        """The district summary of the collected townships (townships as strata); ``level``
        defaults to the townships' own."""
        if not self.townships:
            raise RequestError("no township has a finished assessment; nothing to summarise.")
        pairs = []
        for t in self.townships:
            results = t.results
            if not results.version:
                results = results.model_copy(update={"version": t.version})
            pairs.append((results, t.units()))
        return summarise_district(pairs, level=level)

    def record(
        self, summary: DistrictSummary | None = None, created: str | None = None
    ) -> DistrictRecord:
        """The ``district.json`` record: the summary with the missing runs."""
        summary = summary or self.summarise()
        stamp = datetime.now(UTC).isoformat(timespec="seconds") if created is None else created
        return summary.to_record(missing=[m.to_record() for m in self.missing], created=stamp)

    def __repr__(self) -> str:
        return f"District({len(self.townships)} townships, {len(self.missing)} missing)"


def _design_township(run: Path) -> str | None:
    """The township a run folder's design.json names (None when it cannot be read)."""
    try:
        return read_record(run / DesignRecord.FILE, DesignRecord).township
    except RecordError:
        return None


def _unusable(run: Path) -> MissingRun:
    """Why a run folder has no finished assessment."""
    if not run.is_dir():
        return MissingRun(str(run), "not_a_run_folder", "run folder not found")
    township = _design_township(run)
    versions = list_versions(run)
    if not versions:
        return MissingRun(str(run), "no_finished_version", "not assessed yet", township)
    last = versions[-1]
    why = f"latest version {last.name} is {last.status}" + (
        f": {last.detail}" if last.detail else ""
    )
    return MissingRun(str(run), "no_finished_version", why, township)


def collect(run_dirs: Sequence[str | os.PathLike[str]]) -> District:
    """Latest finished assessment of each run folder; the others are listed as missing."""
    if not run_dirs:
        raise RequestError("give at least one township run folder.")
    found: list[TownshipResult] = []
    missing: list[MissingRun] = []
    stale: list[StaleRun] = []
    for run_dir in run_dirs:
        run = Path(run_dir)
        if (run / DesignRecord.FILE).is_file():
            check_sealed(run)  # a tampered run folder is refused, naming the file
        version = latest_finished(run) if run.is_dir() else None
        if version is None:
            missing.append(_unusable(run))
            continue
        try:
            results = read_record(version.path / ResultsRecord.FILE, ResultsRecord)
        except RecordError as exc:
            why = f"{version.name}/{ResultsRecord.FILE} unreadable: {exc.message}"
            missing.append(MissingRun(str(run), "unreadable", why, _design_township(run)))
            continue
        if not (version.path / UNITS).is_file():
            why = f"{version.name}/{UNITS} missing"
            missing.append(MissingRun(str(run), "unreadable", why, results.township))
            continue
        found.append(TownshipResult(run, version.name, results))
        newest = list_versions(run)[-1]
        if newest.number > version.number:
            status = newest.status + (f": {newest.detail}" if newest.detail else "")
            stale.append(StaleRun(str(run), results.township, newest.name, status, version.name))
    names = [t.township for t in found]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise RequestError(f"townships given more than once: {', '.join(dup)}; give one run each.")
    return District(found, missing, stale)
