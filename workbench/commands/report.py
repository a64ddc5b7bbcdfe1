"""``exitcheck report FOLDER [--lang en]``: render a finished folder's report again (重新生成报告).

Nothing is recomputed: the report is built from the records the folder already holds —
``results.json`` of an assessment version, ``district.json`` of a district summary,
``design.json`` of a township run (the sampling report) or ``review.json`` of a methodology
review. The new file is named for its language (``report.en.html``) and never replaces an
existing one (the next free name, ``report.en-2.html``, is taken instead).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from data_contracts.errors import RequestError
from data_contracts.records import (
    DesignRecord,
    DistrictRecord,
    ResultsRecord,
    ReviewRecord,
)
from workbench.reporting import free_name, write_page
from workbench.runner import LANGS
from workbench.versions import STATUS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FOLDER and --lang."""
    parser.add_argument(
        "folder",
        metavar="FOLDER",
        help="an assessment version (RUN_DIR/assessments/vNNN), a district folder, a township "
        "run folder (its sampling report) or a review folder",
    )
    parser.add_argument(
        "--lang", choices=LANGS, default="zh", help="report language (default zh: 简体中文)"
    )


def _finished(folder: Path) -> None:
    """Refuse an assessment version that did not finish (its records may be incomplete)."""
    status = folder / STATUS
    if status.is_file() and not status.read_text(encoding="utf-8").startswith("finished"):
        raise RequestError(
            f"{folder} is not a finished assessment version ({status.name}: "
            f"{status.read_text(encoding='utf-8').strip()}); run `exitcheck assess` again."
        )


def _via_notebook(name: str, params: dict, folder: Path, stem: str, lang: str) -> Path:
    """Run a report notebook in a scratch folder and keep only its page, under a free name."""
    from workbench.runner import run_notebook

    scratch = Path(tempfile.mkdtemp(prefix=".render-", dir=folder))
    try:
        html = run_notebook(name, params, scratch, "page.html", lang=lang)
        target = free_name(folder, stem)
        html.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def render(folder: str | Path, lang: str = "zh") -> Path:
    """Render the report of ``folder`` in ``lang`` into a new file; returns its path."""
    path = Path(folder)
    if not path.is_dir():
        raise RequestError(f"{path} is not a folder.")
    if (path / ResultsRecord.FILE).is_file():
        from reports.township_report import build

        _finished(path)
        return write_page(free_name(path, f"report.{lang}"), build(path, lang), lang)
    if (path / DistrictRecord.FILE).is_file():
        from reports.district_report import build as build_district

        blocks = build_district(path, lang)
        return write_page(free_name(path, f"district_report.{lang}"), blocks, lang)
    if (path / DesignRecord.FILE).is_file():
        from reports.sampling_report import build as build_sampling

        blocks = build_sampling(path, lang)
        return write_page(free_name(path, f"sampling_report.{lang}"), blocks, lang)
    if (path / ReviewRecord.FILE).is_file():
        from reports.review_report import build as build_review

        return write_page(free_name(path, f"review.{lang}"), build_review(path, lang), lang)
    raise RequestError(
        f"{path} holds no report records (results.json, district.json, design.json or "
        "review.json); give an assessment version, district, run or review folder."
    )


def run(args: argparse.Namespace) -> int:
    """Render and say where the report is."""
    print(f"report: {render(args.folder, args.lang)}")
    return 0
