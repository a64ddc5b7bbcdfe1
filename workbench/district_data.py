"""The district summary's inputs (区县汇总): the latest finished assessment of each township run.

:func:`collect` reads the newest ``finished`` version of each run folder (a run without one is
listed as missing, with why); :meth:`District.summarise` hands the townships' results and
analysis units to ``evaluation.district.summarise_district`` (townships as strata).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from data_contracts.errors import RequestError
from data_contracts.fileio import atomic_write_json
from evaluation.district import DistrictSummary, summarise_district
from workbench.township_run import RESULTS, UNITS
from workbench.versions import latest_finished, list_versions


@dataclass(frozen=True)
class TownshipResult:
    """One township's latest finished assessment."""

    run: Path
    version: str
    results: dict[str, Any]

    @property
    def township(self) -> str:
        """Township name from results.json."""
        return str(self.results.get("township", self.run.name))

    def units(self) -> pd.DataFrame:
        """The analysis units saved beside results.json (personal columns already dropped)."""
        return pd.read_parquet(self.run / "assessments" / self.version / UNITS)


@dataclass(frozen=True)
class District:
    """The townships to summarise and the run folders that could not be used."""

    townships: list[TownshipResult]
    missing: list[tuple[str, str]]  # (run folder, why)

    def to_frame(self) -> pd.DataFrame:
        """One row per run folder: township, version used, or why it is missing."""
        rows = [(t.township, str(t.run), t.version, "") for t in self.townships]
        rows += [("", run, "", why) for run, why in self.missing]
        return pd.DataFrame(rows, columns=["township", "run", "version", "missing"])

    def summarise(self, level: float = 0.95) -> DistrictSummary:
        """The district summary of the collected townships (townships as strata)."""
        if not self.townships:
            raise RequestError("no township has a finished assessment; nothing to summarise.")
        return summarise_district([(t.results, t.units()) for t in self.townships], level=level)

    def __repr__(self) -> str:
        return f"District({len(self.townships)} townships, {len(self.missing)} missing)"


def _why_unusable(run: Path) -> str:
    """Why a run folder has no finished assessment."""
    if not run.is_dir():
        return "run folder not found"
    versions = list_versions(run)
    if not versions:
        return "not assessed yet"
    last = versions[-1]
    return f"latest version {last.name} is {last.status}" + (
        f": {last.detail}" if last.detail else ""
    )


def collect(run_dirs: Sequence[str | os.PathLike[str]]) -> District:
    """Latest finished assessment of each run folder; the others are listed as missing."""
    if not run_dirs:
        raise RequestError("give at least one township run folder.")
    found, missing = [], []
    for run_dir in run_dirs:
        run = Path(run_dir)
        version = latest_finished(run) if run.is_dir() else None
        if version is None:
            missing.append((str(run), _why_unusable(run)))
            continue
        try:
            results = json.loads((version.path / RESULTS).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            missing.append((str(run), f"{version.name}/results.json unreadable: {exc}"))
            continue
        found.append(TownshipResult(run, version.name, results))
    names = [t.township for t in found]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise RequestError(f"townships given more than once: {', '.join(dup)}; give one run each.")
    return District(found, missing)


def save_summary(
    district: District, summary: DistrictSummary, folder: str | os.PathLike[str] = "."
) -> Path:
    """Write ``district.json``: the summary's results, the versions used and the missing runs."""
    payload = {
        **summary.to_results(),
        "versions_used": {t.township: t.version for t in district.townships},
        "missing": [{"run": run, "why": why} for run, why in district.missing],
    }
    return atomic_write_json(Path(folder) / "district.json", payload)
