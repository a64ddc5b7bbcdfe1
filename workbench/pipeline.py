"""The demo pipeline (示范区县全流程): each township sampled, surveyed (simulated), assessed.

:func:`run_demo` writes the embedded demo district's registry into ``OUT/inputs/``, then for each
township — in parallel worker processes (``jobs``) — draws the sample with ``exitcheck sample``,
simulates the field survey, and assesses it with ``exitcheck assess``; finally the district summary.
Every report is rendered in-process from its records (no Jupyter kernel). A township that fails
is reported and listed as missing in the district report; the others still finish.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from data_contracts.columns import spec
from data_contracts.demo import (
    DEFAULT_SEED,
    DemoDistrict,
    generate_district,
    simulate_survey,
    simulate_village_survey,
)
from data_contracts.demo.files import csv_bytes
from data_contracts.errors import ExitcheckError, RequestError
from data_contracts.fileio import atomic_write_bytes, new_run_dir
from workbench.cli import build_parser
from workbench.commands.assess import assess
from workbench.commands.district import summarise
from workbench.township_run import TownshipRun

INPUT_FILES = {"households": "households.csv", "villages": "villages.csv",
               "poverty-lines": "poverty_lines.csv"}  # fmt: skip


@dataclass(frozen=True)
class TownshipOutcome:
    """What happened to one township: its run folder and report, or the error that stopped it."""

    township: str
    run_dir: Path
    report: Path | None
    error: str = ""


@dataclass(frozen=True)
class DemoResult:
    """All township outcomes and the district report."""

    townships: list[TownshipOutcome]
    district_report: Path | None
    district_error: str = ""

    @property
    def failed(self) -> list[TownshipOutcome]:
        """Townships that did not finish."""
        return [t for t in self.townships if t.error]

    @property
    def exit_code(self) -> int:
        """0 when every township and the district report finished, else 1."""
        return 1 if self.failed or self.district_report is None else 0

    def to_frame(self) -> pd.DataFrame:
        """One row per township: run folder, report, error."""
        return pd.DataFrame(
            [(t.township, str(t.run_dir), str(t.report or ""), t.error) for t in self.townships],
            columns=["township", "run_dir", "report", "error"],
        )

    def __repr__(self) -> str:
        return (
            f"DemoResult({len(self.townships) - len(self.failed)}/{len(self.townships)} townships "
            f"assessed, district report {self.district_report or 'missing'})"
        )


def write_inputs(folder: Path, seed: int) -> dict[str, Path]:
    """The demo registry as CSV exports with Chinese headers (fast to read in every worker)."""
    district = _district(seed)
    tables = {"households": district.households, "villages": district.villages,
              "poverty-lines": district.poverty_lines}  # fmt: skip
    return {
        kind: atomic_write_bytes(folder / INPUT_FILES[kind], csv_bytes(frame, spec(kind)))
        for kind, frame in tables.items()
    }


def _sample(
    inputs: dict[str, Path], township: str, run_dir: Path, n: int, seed: int, lang: str
) -> None:
    """Draw the township sample exactly as ``exitcheck sample`` does (same parser, same checks)."""
    argv = [
        "sample", "--households", str(inputs["households"]), "--villages", str(inputs["villages"]),
        "--poverty-lines", str(inputs["poverty-lines"]), "--township", township,
        "--design", "stratified", "--strata", "risk", "--n", str(n), "--reserves", "3",
        "--seed", str(seed), "--out", str(run_dir), "--lang", lang,
    ]  # fmt: skip
    args = build_parser("sample").parse_args(argv)
    args._module.run(args)


@cache
def _district(seed: int) -> DemoDistrict:
    """The demo district of ``seed``, generated once per worker process (it is deterministic)."""
    return generate_district(seed)


def _survey(run_dir: Path, township: str, survey_dir: Path, seed: int, demo_seed: int) -> tuple:
    """Simulated field returns for the drawn sample (households and exited key villages)."""
    district = _district(demo_seed)
    sample = pd.read_parquet(run_dir / "sample.parquet")
    drawn = TownshipRun.open(run_dir).design_info["created"][:10]  # visits follow the draw
    returns = simulate_survey(sample, district, seed=seed, sample_date=drawn)
    survey = atomic_write_bytes(survey_dir / f"{township}.csv", csv_bytes(returns, spec("survey")))
    v = district.villages
    key = v.loc[(v["township"] == township) & v["key_village"].astype(bool)
                & v["exited"].astype(bool), "village_id"]  # fmt: skip
    if key.empty:
        return survey, None
    villages = simulate_village_survey(key.tolist(), district, seed=seed)
    path = survey_dir / f"{township}_村级核查.csv"
    return survey, atomic_write_bytes(path, csv_bytes(villages, spec("village-survey")))


def township_task(
    township: str, root: str, inputs: dict[str, str], n: int, seed: int, demo_seed: int, lang: str
) -> TownshipOutcome:
    """Sample → simulated survey → assessment for one township (runs in a worker process)."""
    base = Path(root)
    run_dir = base / "townships" / township
    try:
        _sample({k: Path(v) for k, v in inputs.items()}, township, run_dir, n, seed, lang)
        survey, villages = _survey(run_dir, township, base / "survey", seed, demo_seed)
        report = assess(run_dir, survey, villages, lang=lang)
    except ExitcheckError as exc:
        return TownshipOutcome(township, run_dir, None, exc.message)
    return TownshipOutcome(township, run_dir, report)


def _outcome(future: Future, township: str, root: Path) -> TownshipOutcome:
    """The worker's outcome; a crashed worker (not a user mistake) becomes a failed township."""
    try:
        return future.result()
    except Exception as exc:  # a broken worker must not stop the other townships
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return TownshipOutcome(township, root / "townships" / township, None, error)


def _worker_context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux when this process has no other thread: workers inherit the imported
    modules (pandas, scipy, matplotlib, …) instead of importing them again; else ``spawn``.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_demo(
    out: str | os.PathLike[str],
    jobs: int | None = None,
    *,
    n: int = 150,
    seed: int = DEFAULT_SEED,
    townships: Sequence[str] | None = None,
    lang: str = "zh",
) -> DemoResult:
    """Run the whole pipeline on the demo district into the new folder ``out``.

    ``jobs`` worker processes (default: number of cores) handle townships in parallel; ``n`` is
    the stratified sample size per township; ``townships`` limits the run (default: all).
    """
    root = new_run_dir(out)
    inputs = write_inputs(root / "inputs", seed)
    names = sorted(_district(seed).households["township"].astype("str").unique())
    unknown = sorted(set(townships or ()) - set(names))
    if unknown:
        raise RequestError(f"not demo townships: {', '.join(unknown)}; known: {', '.join(names)}.")
    chosen = [t for t in names if townships is None or t in townships]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(chosen)))
    str_inputs = {k: str(v) for k, v in inputs.items()}
    outcomes: list[TownshipOutcome] = []
    with ProcessPoolExecutor(workers, _worker_context()) as pool:
        futures = {
            pool.submit(township_task, t, str(root), str_inputs, n, seed + i, seed, lang): t
            for i, t in enumerate(chosen)
        }
        for future in as_completed(futures):
            outcome = _outcome(future, futures[future], root)
            state = f"failed: {outcome.error}" if outcome.error else f"report {outcome.report}"
            print(f"exitcheck demo: {outcome.township}: {state}", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    outcomes.sort(key=lambda o: chosen.index(o.township))
    try:
        report, _ = summarise([o.run_dir for o in outcomes], root / "district", lang)
    except ExitcheckError as exc:
        return DemoResult(outcomes, None, exc.message)
    return DemoResult(outcomes, report)
