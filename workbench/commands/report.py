"""``exitcheck report FOLDER [--lang en]``: render a finished folder's report again (重新生成报告).

Nothing is recomputed: the report is built from the records the folder already holds —
``results.json`` of an assessment version, ``district.json`` of a district summary,
``design.json`` of a township run (the sampling report) or ``review.json`` of a methodology
review. The new file is named for its language (``report.en.html``) and never replaces an
existing one (the next free name, ``report.en-2.html``, is taken instead). ``--notebook`` runs
the report's notebook with papermill instead — the same blocks, for those who want the executed
notebook.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from pathlib import Path

from data_contracts.errors import RequestError
from data_contracts.messages import LANGS
from data_contracts.records import (
    DesignRecord,
    DistrictRecord,
    ResultsRecord,
    ReviewRecord,
)
from data_contracts.seal import check_sealed
from workbench.reporting import free_name, write_page
from workbench.versions import ASSESSMENTS, STATUS


@dataclass(frozen=True)
class Kind:
    """One kind of report folder: its record, report module, file stem and notebook."""

    record: str  # the record file that marks the folder
    module: str  # the reports module whose ``build(folder, lang)`` gives the blocks
    stem: str  # the rendered file's name without language and suffix
    notebook: str  # the notebook showing the same blocks (the Jupyter path)
    parameter: str  # the notebook's folder (or record) parameter


KINDS = (
    Kind(ResultsRecord.FILE, "reports.township_report", "report", "assess_township", "version_dir"),
    Kind(DistrictRecord.FILE, "reports.district_report", "district_report", "district_summary",
         "district_dir"),
    Kind(DesignRecord.FILE, "reports.sampling_report", "sampling_report", "sample_township",
         "run_dir"),
    Kind(ReviewRecord.FILE, "reports.review_report", "review", "methodology_review",
         "review_path"),
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FOLDER, --lang and --notebook."""
    parser.add_argument(
        "folder",
        metavar="FOLDER",
        help="an assessment version (RUN_DIR/assessments/vNNN), a district folder, a township "
        "run folder (its sampling report) or a review folder",
    )
    parser.add_argument(
        "--lang", choices=LANGS, default="zh", help="report language (default zh: 简体中文)"
    )
    parser.add_argument(
        "--notebook",
        action="store_true",
        help="run the report notebook with papermill instead (same report; also keeps the "
        "executed notebook, in a new folder notebook.LANG/)",
    )


def _finished(folder: Path) -> None:
    """Refuse an assessment version that did not finish (its records may be incomplete)."""
    status = folder / STATUS
    if status.is_file() and not status.read_text(encoding="utf-8").startswith("finished"):
        raise RequestError(
            f"{folder} is not a finished assessment version ({status.name}: "
            f"{status.read_text(encoding='utf-8').strip()}); run `exitcheck assess` again."
        )


def kind_of(folder: Path) -> Kind:
    """Which kind of report folder ``folder`` is (by the record it holds)."""
    for kind in KINDS:
        if (folder / kind.record).is_file():
            return kind
    raise RequestError(
        f"{folder} holds no report records (results.json, district.json, design.json or "
        "review.json); give an assessment version, district, run or review folder."
    )


def render(folder: str | Path, lang: str = "zh", notebook: bool = False) -> Path:
    """Render the report of ``folder`` in ``lang`` into a new file; returns its path.

    In-process from the records by default; with ``notebook`` the report notebook is run by
    papermill (in a new folder ``notebook.<lang>/`` keeping the executed notebook) and converted.
    """
    path = Path(folder)
    if not path.is_dir():
        raise RequestError(f"{path} is not a folder.")
    kind = kind_of(path)
    if kind.record == ResultsRecord.FILE:
        _finished(path)
        if path.parent.name == ASSESSMENTS:  # a version of a run folder: the run must be intact
            check_sealed(path.parent.parent)
    if kind.record == DesignRecord.FILE:
        check_sealed(path)
    if notebook:
        from workbench.runner import run_notebook

        target = path / kind.record if kind.parameter == "review_path" else path
        out = free_name(path, f"notebook.{lang}", "")
        params = {kind.parameter: str(target.resolve())}
        return run_notebook(kind.notebook, params, out, f"{kind.stem}.{lang}.html", lang=lang)
    build = importlib.import_module(kind.module).build
    return write_page(free_name(path, f"{kind.stem}.{lang}"), build(path, lang), lang)


def run(args: argparse.Namespace) -> int:
    """Render and say where the report is."""
    print(f"report: {render(args.folder, args.lang, args.notebook)}")
    return 0
