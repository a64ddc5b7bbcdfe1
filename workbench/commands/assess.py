"""``exitcheck assess``: assess a township from its survey returns into a new report version (评估).

Checks the returns against their contract and the run's sample before anything is written,
assesses the township once, in this process, and writes a new ``RUN_DIR/assessments/vNNN/``
(never overwriting an earlier version): copies of the survey files, ``inputs.json`` (SHA-256 of
every input), ``results.json``, ``units.parquet`` and ``changes.json``. It prints the verdict and
its reason, then renders ``report.html`` from those records (the same blocks the notebook
``assess_township.ipynb`` shows in Jupyter).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from data_contracts import LoadedTable, load
from data_contracts.errors import ExitcheckError, RequestError
from data_contracts.fileio import atomic_write_bytes
from data_contracts.loading import sha256_of
from data_contracts.messages import LANGS, label
from data_contracts.records import (
    FileRef,
    InputsRecord,
    ResultsRecord,
    read_record,
    write_record,
)
from reports.verdict_text import verdict_reason
from workbench.township_run import (
    TownshipRun,
    assess_loaded,
    check_returns,
    package_versions,
    save_results,
)
from workbench.versions import Version, assessment_version, changes_record, latest_finished

REPORT = "report.html"


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


def _copy_in(loaded: LoadedTable, version: Path, sub: str) -> FileRef:
    """Copy a validated input file into ``version/sub/``; returns its inputs.json entry.

    The copy must be the bytes that were validated and assessed (same SHA-256): a file replaced
    in between is refused, so a version never records returns other than the ones it used.
    """
    source = loaded.path
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != loaded.sha256:
        raise RequestError(
            f"{source} changed while it was being assessed (its SHA-256 differs from the file "
            "that was checked); nothing was recorded — run `exitcheck assess` again."
        )
    atomic_write_bytes(version / sub / source.name, data)
    return FileRef(file=str(Path(sub, source.name)), source=str(source.resolve()),
                   sha256=loaded.sha256)  # fmt: skip


def _previous(previous: Version | None) -> tuple[ResultsRecord | None, object]:
    """The previous finished version's results and its survey returns (None for a first)."""
    if previous is None:
        return None, None
    results = read_record(previous.path / ResultsRecord.FILE, ResultsRecord)
    inputs = read_record(previous.path / InputsRecord.FILE, InputsRecord)
    survey = inputs.files.get("survey")
    path = previous.path / survey.file if survey else None
    if path is None or not path.is_file():
        return results, None
    try:
        return results, load("survey", path).frame
    except ExitcheckError:  # e.g. read under an older contract: no field diff, still assess
        return results, None


def verdict_line(results: ResultsRecord, lang: str) -> str:
    """The verdict and its reason, for the terminal."""
    word = label("verdict", results.verdict.statistical, lang)
    return f"{results.township}: {word} — {verdict_reason(results, lang)}"


def assess(
    run_dir: str | Path,
    survey: str | Path,
    village_survey: str | Path | None = None,
    accept_warnings: bool = False,
    lang: str = "zh",
) -> Path:
    """Validate the returns, assess once, record, print the verdict, render; returns the report."""
    run = TownshipRun.open(run_dir)
    loaded, villages, warnings = check_returns(run, survey, village_survey, accept_warnings)
    for table in (loaded, villages):
        for note in table.notes if table is not None else ():
            print(f"exitcheck assess: {table.path.name}: note: {note}", file=sys.stderr)
    for warning in warnings:
        print(f"exitcheck assess: warning: {warning}", file=sys.stderr)
    previous = latest_finished(run.path)
    previous_results, previous_survey = _previous(previous)
    assessment = assess_loaded(run, loaded.frame, villages.frame if villages else None)
    with assessment_version(run.path) as folder:
        files = {"survey": _copy_in(loaded, folder, "survey")}
        if villages is not None:
            files["village_survey"] = _copy_in(villages, folder, "survey/village")
        sources = {"design": run.path / "design.json", "sample": run.path / "sample.parquet",
                   **run.input_files}  # fmt: skip
        for kind, path in sources.items():
            files[kind] = FileRef(
                file=str(Path("..", "..", path.relative_to(run.path))), sha256=sha256_of(path)
            )
        created = datetime.now(UTC).isoformat(timespec="seconds")
        write_record(
            folder,
            InputsRecord(
                files=files,
                previous=previous.name if previous else None,
                accepted_warnings=warnings,
                versions=package_versions(),
                created=created,
            ),
        )
        results = save_results(assessment, folder, folder.name, created)
        write_record(
            folder,
            changes_record(previous, previous_results, results, previous_survey, loaded.frame),
        )
        print(verdict_line(results, lang), flush=True)
        from reports.township_report import TownshipReport  # plotting: after the verdict
        from workbench.reporting import write_page

        report = TownshipReport.load(folder, lang)
        path = write_page(folder / REPORT, report.blocks(), lang)
    return path


def run(args: argparse.Namespace) -> int:
    """Run the assessment and say where the report is."""
    report = assess(args.run_dir, args.survey, args.village_survey, args.accept_warnings, args.lang)
    print(f"report: {report}")
    return 0
