"""The district summary's data (区县汇总): latest finished township assessments, pooled estimate.

:func:`collect` reads the newest ``finished`` version of each township run (a run without one is
listed as missing, with why). :func:`district_wrong_exit` estimates the district's wrong-exit
rate by persons with townships as strata: every township's units keep their own design, with
stratum and PSU labels prefixed by the township, so the pooled Taylor-linearised estimate is
Σ Ŷ_t ÷ Σ X̂_t with variance Σ_t Var_t — townships were sampled independently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from data_contracts.errors import UserError
from evaluation.estimates import Estimate
from evaluation.rates import Designs
from evaluation.report_tables import indicator_frame
from workbench.fsutil import atomic_write_json
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
        """One row per township: verdict and headline indicators (machine-readable)."""
        rows = []
        for t in self.townships:
            ind = indicator_frame(t.results).set_index("key")
            row = {"township": t.township, "version": t.version,
                   "verdict": t.results["verdict"]["statistical"],
                   "official_pass": t.results["verdict"]["official_pass"]}  # fmt: skip
            for key in ("wrong_exit_rate", "approval_rate", "procedure_compliance"):
                if key in ind.index:
                    for col in ("estimate", "ci_low", "ci_high", "verdict"):
                        row[f"{key}_{col}"] = ind.loc[key, col]
            rows.append(row)
        return pd.DataFrame(rows)

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
        raise UserError("give at least one township run folder.")
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
        raise UserError(f"townships given more than once: {', '.join(dup)}; give one run each.")
    return District(found, missing)


def pooled_units(district: District) -> pd.DataFrame:
    """All townships' units with stratum and PSU labels made unique per township."""
    parts = []
    for t in district.townships:
        units = t.units()
        prefix = t.township + "|"
        parts.append(
            units.assign(
                stratum=prefix + units["stratum"].astype("str"),
                psu=prefix + units["psu"].astype("str"),
            )
        )
    return pd.concat(parts, ignore_index=True)


def district_wrong_exit(district: District, level: float = 0.95, method: str = "beta") -> Estimate:
    """District 错退率 by persons, townships as strata (see the module docstring)."""
    if not district.townships:
        raise UserError("no township has a finished assessment; nothing to summarise.")
    # the design label is only checked; each stratum's fpc columns decide its variance terms
    designs = Designs.build(pooled_units(district), {"design": "stratified"}, lonely_psu="adjust")
    return designs.estimate("wrong", persons=True, method=method, level=level)


def save_summary(
    district: District, estimate: Estimate, folder: str | os.PathLike[str] = "."
) -> Path:
    """Write ``district.json``: townships with verdicts, the pooled estimate, missing runs."""
    summary = district.to_frame().astype(object)
    payload = {
        "townships": summary.where(summary.notna(), None).to_dict(orient="records"),
        "district_wrong_exit_rate": estimate.to_frame().iloc[0].to_dict(),
        "missing": [{"run": run, "why": why} for run, why in district.missing],
    }
    return atomic_write_json(Path(folder) / "district.json", payload)
