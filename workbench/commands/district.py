"""``exitcheck district``: summarise the latest finished township assessments (区县汇总).

Reads the newest finished version of each run folder, runs ``notebooks/district_summary.ipynb``
into a new ``--out`` folder and renders ``district_report.html``. Run folders without a finished
assessment are listed in the report as missing and make the exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_contracts.errors import InputError
from data_contracts.fileio import new_run_dir
from workbench.district_data import collect
from workbench.runner import LANGS, run_notebook

NOTEBOOK = "district_summary"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``exitcheck district``."""
    parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="township run folders")
    parser.add_argument("--out", required=True, metavar="DIR", help="new folder for the report")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="report language")


def summarise(
    run_dirs: list[str | Path], out: str | Path, lang: str = "zh"
) -> tuple[Path, list[tuple[str, str]]]:
    """Write the district report; returns its path and the run folders listed as missing."""
    district = collect(run_dirs)
    if not district.townships:
        reasons = "; ".join(f"{run}: {why}" for run, why in district.missing)
        raise InputError(f"no township has a finished assessment ({reasons}).")
    folder = new_run_dir(out)
    params = {"run_dirs": [str(Path(r).resolve()) for r in run_dirs]}
    html = run_notebook(NOTEBOOK, params, folder, "district_report.html", lang=lang)
    return html, district.missing


def run(args: argparse.Namespace) -> int:
    """Summarise and say where the report is; exit 1 when some township is missing."""
    html, missing = summarise(args.run_dirs, args.out, args.lang)
    print(f"district report: {html}")
    for run_dir, why in missing:
        print(f"exitcheck district: missing township run {run_dir}: {why}", file=sys.stderr)
    return 1 if missing else 0
