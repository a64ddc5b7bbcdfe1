"""``exitcheck district``: summarise the latest finished township assessments (区县汇总).

Reads the newest finished version of each run folder (``results.json`` and ``units.parquet``),
computes the district summary once, in-process (townships as strata), writes ``district.json``
into a new ``--out`` folder and renders ``district_report.html`` from that record
(:mod:`reports.district_report`, no notebook kernel). Prints the district verdict and the
report's headline sentence on the townships' verdicts (the not-credible ones named). Run folders
without a finished assessment are listed in the report as missing and make the exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from data_contracts.errors import InputError
from data_contracts.fileio import new_run_dir
from data_contracts.messages import LANGS, label, text
from data_contracts.records import DistrictRecord, write_record
from reports.district_report import DistrictReport, townships_sentence
from reports.formatting import level_pct, pct
from workbench.district_data import MissingRun, StaleRun, collect
from workbench.reporting import write_page

REPORT = "district_report.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``exitcheck district``."""
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="township run folders")
    parser.add_argument("--out", required=True, metavar="DIR", help="new folder for the report")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="report language")


@dataclass(frozen=True)
class DistrictOutput:
    """What ``exitcheck district`` wrote: the report, the record and the runs left out."""

    report: Path
    record: DistrictRecord
    missing: list[MissingRun]
    stale: list[StaleRun]


def write_district(run_dirs: list[str | Path], out: str | Path, lang: str = "zh") -> DistrictOutput:
    """Collect, compute the summary once, write ``district.json`` and render the report.

    Nothing is written (no ``out`` folder) when no township has a finished assessment or the
    summary cannot be computed.
    """
    district = collect(run_dirs)
    if not district.townships:
        reasons = "; ".join(f"{m.run}: {m.why}" for m in district.missing)
        raise InputError(f"no township has a finished assessment ({reasons}).")
    record = district.record()
    blocks = DistrictReport(record, lang).blocks()
    folder = new_run_dir(out)
    write_record(folder, record)
    html = write_page(folder / REPORT, blocks, lang)
    return DistrictOutput(html, record, district.missing, district.stale)


def summarise(
    run_dirs: list[str | Path], out: str | Path, lang: str = "zh"
) -> tuple[Path, list[MissingRun]]:
    """Write the district report; returns its path and the run folders listed as missing."""
    done = write_district(run_dirs, out, lang)
    return done.report, done.missing


def verdict_line(record: DistrictRecord, lang: str) -> str:
    """The district verdict in one line for the terminal."""
    ind = record.wrong_exit_indicator
    return text(
        "district.terminal.verdict",
        lang,
        verdict=label("verdict", record.verdict.statistical, lang),
        estimate=pct(ind.estimate.estimate),
        level=level_pct(ind.estimate.level),
        upper=pct(ind.estimate.upper_bound),
        threshold=pct(ind.threshold, 0),
    )


def run(args: argparse.Namespace) -> int:
    """Summarise, print the verdict and where the report is; exit 1 when a township is missing
    or its newest version is unfinished (an older one was used)."""
    done = write_district(args.run_dirs, args.out, args.lang)
    print(verdict_line(done.record, args.lang))
    print(townships_sentence(done.record, args.lang))
    print(f"district report: {done.report}")
    for missing in done.missing:
        print(
            f"exitcheck district: missing township run {missing.run}: {missing.why}",
            file=sys.stderr,
        )
    for stale in done.stale:
        print(
            f"exitcheck district: {stale.township}: the newest version {stale.newest} is "
            f"{stale.status}; the finished version {stale.used} was used instead "
            f"({stale.run}). Re-run `exitcheck assess` to finish it.",
            file=sys.stderr,
        )
    return 1 if done.missing or done.stale else 0
