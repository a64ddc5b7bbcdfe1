"""``exitcheck assess``: assess a township from its survey returns into a new report version (评估).

Checks the returns against their contract and the run's sample before anything is written, then
runs ``notebooks/assess_township.ipynb`` into ``RUN_DIR/assessments/vNNN/`` (never overwriting an
earlier version) with copies of the survey files, ``inputs.json`` (SHA-256 of every input),
``results.json`` and ``report.html``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from data_contracts.errors import InputError
from data_contracts.fileio import atomic_write_bytes
from data_contracts.loading import sha256_of
from data_contracts.records import FileRef, InputsRecord, write_record
from workbench.runner import LANGS, run_notebook, validate_parameters
from workbench.township_run import (
    RESULTS,
    TownshipRun,
    check_returns,
    package_versions,
)
from workbench.versions import Version, assessment_version, latest_finished

NOTEBOOK = "assess_township"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``exitcheck assess``."""
    parser.add_argument("run_dir", metavar="RUN_DIR", help="township run folder from `sample`")
    parser.add_argument(
        "--survey", required=True, metavar="FILE", help="survey returns (调查回收表)"
    )
    parser.add_argument("--village-survey", metavar="FILE", help="village survey (村级核查表)")
    parser.add_argument(
        "--accept-warnings",
        action="store_true",
        help="assess despite soft problems: sampled households without a return (they count "
        "as unanswered), survey dates before the draw, reserves used out of order",
    )
    parser.add_argument("--lang", choices=LANGS, default="zh", help="report language")


def _copy_in(source: Path, version: Path, sub: str) -> FileRef:
    """Copy an input file into ``version/sub/``; returns its inputs.json entry."""
    target = atomic_write_bytes(version / sub / source.name, source.read_bytes())
    return FileRef(
        file=str(Path(sub, source.name)), source=str(source.resolve()), sha256=sha256_of(target)
    )


def _parameters(
    run: TownshipRun,
    survey: Path,
    village_survey: Path | None,
    previous: Version | None,
    version: str,
) -> dict[str, str]:
    """The notebook's parameters (absolute paths: the kernel's working folder does not matter)."""
    return {
        "run_dir": str(run.path.resolve()),
        "survey_file": str(Path(survey).resolve()),
        "village_survey_file": str(Path(village_survey).resolve()) if village_survey else "",
        "previous_dir": str(previous.path.resolve()) if previous else "",
        "version": version,
    }


def assess(
    run_dir: str | Path,
    survey: str | Path,
    village_survey: str | Path | None = None,
    accept_warnings: bool = False,
    lang: str = "zh",
) -> Path:
    """Validate the returns, then write and render a new assessment version; returns report path."""
    run = TownshipRun.open(run_dir)
    loaded, villages, warnings = check_returns(run, survey, village_survey, accept_warnings)
    for warning in warnings:
        print(f"exitcheck assess: warning: {warning}", file=sys.stderr)
    previous = latest_finished(run.path)
    village_path = villages.path if villages is not None else None
    validate_parameters(NOTEBOOK, _parameters(run, loaded.path, village_path, previous, ""))
    with assessment_version(run.path) as folder:
        files = {"survey": _copy_in(loaded.path, folder, "survey")}
        if villages is not None:
            files["village_survey"] = _copy_in(villages.path, folder, "survey/village")
        sources = {"design": run.path / "design.json", "sample": run.path / "sample.parquet",
                   **run.input_files}  # fmt: skip
        for kind, path in sources.items():
            files[kind] = FileRef(
                file=str(Path("..", "..", path.relative_to(run.path))), sha256=sha256_of(path)
            )
        write_record(
            folder,
            InputsRecord(
                files=files,
                previous=previous.name if previous else None,
                accepted_warnings=warnings,
                versions=package_versions(),
                created=datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        survey_copy = folder / files["survey"].file
        village_copy = folder / files["village_survey"].file if villages is not None else None
        parameters = _parameters(run, survey_copy, village_copy, previous, folder.name)
        report = run_notebook(NOTEBOOK, parameters, folder, "report.html", lang=lang)
        if not (folder / RESULTS).is_file():
            raise InputError(f"the notebook did not write {folder / RESULTS}.")
    return report


def run(args: argparse.Namespace) -> int:
    """Run the assessment and say where the report is."""
    report = assess(args.run_dir, args.survey, args.village_survey, args.accept_warnings, args.lang)
    print(f"report: {report}")
    return 0
