"""Benchmark (not a test): one fresh `exitcheck assess` against the naive papermill floor.

Why: a township assessment must cost clearly less than the obvious way of running a notebook, and
the assessor should see the verdict long before the report is rendered. Targets (issue): assess
≤ 0.6 × floor, verdict printed ≤ 0.3 × floor, whole demo ≤ 35 s. Run from the project root:

    python benchmarks/bench_assess.py [--runs 3] [--demo-runs 1] [--json FILE] [--keep DIR]
                                      [--township NAME] [--verdict-marker TEXT]

Everything is a shell command in a subprocess, timed by wall clock (median of ``--runs``; floor and
assess runs alternate, so a change of machine load hits both alike):

1. **floor**: in a temporary folder, a two-cell notebook (``parameters`` cell ``x = 1``, then
   ``import pandas, seaborn``) run by ``papermill in.ipynb out.ipynb -p x 2 --kernel K`` and
   rendered by ``jupyter nbconvert --to html --no-input out.ipynb``, timed together. K is
   ``python3`` when that kernelspec exists, else ``exitcheck-bench`` (``ipykernel install --user``,
   removed again at the end).
2. **assess**: ``exitcheck assess RUN_DIR --survey FILE`` on one township of a demo district made
   once, untimed, by ``exitcheck demo`` (each run adds a version, v002, v003 …). **verdict** is the
   time until the verdict line appears on its stdout (``PYTHONUNBUFFERED=1``). Assumption: progress
   and warnings go to stderr, so the verdict is the first non-empty stdout line;
   ``--verdict-marker TEXT`` waits instead for the first line containing TEXT. Today the command
   prints only ``report: PATH`` when it has finished, so verdict ≈ assess until the verdict is
   printed before rendering.
3. **demo**: ``exitcheck demo --out NEW_FOLDER`` (``--demo-runs``, default 1).

Tools are the ones of this interpreter's environment (``sys.executable -m papermill`` / ``-m
jupyter``, ``exitcheck`` beside ``sys.executable``). A failing command prints its stderr tail and
the script exits 1. Temporary folders are removed unless ``--keep DIR`` (everything under DIR).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import nbformat

TARGETS = {"assess_ratio": 0.6, "verdict_ratio": 0.3, "demo_s": 35.0}
BENCH_KERNEL = "exitcheck-bench"
TAIL_LINES = 25


class CommandFailed(Exception):
    """A benchmarked or setup command exited non-zero (or could not be started)."""

    def __init__(self, argv: Sequence[str], code: int | None, stderr: str) -> None:
        super().__init__(" ".join(map(str, argv)))
        self.argv = [str(a) for a in argv]
        self.code = code
        self.stderr = stderr

    def report(self) -> str:
        """The command, its exit status and the tail of its stderr."""
        tail = "\n".join(self.stderr.rstrip().splitlines()[-TAIL_LINES:])
        status = "could not start" if self.code is None else f"exit status {self.code}"
        return f"bench_assess: command failed ({status}): {' '.join(self.argv)}\n{tail}"


def bench_env() -> dict[str, str]:
    """Environment for the subprocesses: unbuffered Python, this environment's bin/ first."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def start(argv: Sequence[str | Path], cwd: Path | None, stderr: IO[str] | int) -> subprocess.Popen:
    """Start a command in its own process group, stdout piped as text (raises CommandFailed)."""
    try:
        return subprocess.Popen(
            [str(a) for a in argv], cwd=cwd, env=bench_env(), stdout=subprocess.PIPE,
            stderr=stderr, text=True, encoding="utf-8", errors="replace", bufsize=1,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        raise CommandFailed(argv, None, str(exc)) from exc


def stop(proc: subprocess.Popen) -> None:
    """End a command and everything it started (demo workers, kernels): its process group."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
            return


def run(argv: Sequence[str | Path], cwd: Path | None = None) -> float:
    """Run one command to completion; its wall-clock seconds (raises CommandFailed)."""
    began = time.perf_counter()
    proc = start(argv, cwd, subprocess.PIPE)
    try:
        out, err = proc.communicate()
    except BaseException:
        stop(proc)
        raise
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, err or out)
    return seconds


def exitcheck_command() -> str:
    """The ``exitcheck`` script beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "exitcheck"
    found = str(beside) if beside.is_file() else shutil.which("exitcheck")
    if found is None:
        raise CommandFailed(["exitcheck"], None, "no exitcheck script beside sys.executable/PATH")
    return found


def choose_kernel() -> tuple[str, bool]:
    """Kernel name for the floor, and whether this script installed it (``--user``)."""
    argv = [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"]
    listing = subprocess.run(argv, env=bench_env(), capture_output=True, text=True)
    if listing.returncode != 0:
        raise CommandFailed(argv, listing.returncode, listing.stderr)
    try:
        specs = json.loads(listing.stdout).get("kernelspecs", {})
    except json.JSONDecodeError as exc:
        raise CommandFailed(argv, 0, f"not JSON ({exc}): {listing.stdout[:500]}") from exc
    if "python3" in specs:
        return "python3", False
    run([sys.executable, "-m", "ipykernel", "install", "--user", "--name", BENCH_KERNEL])
    return BENCH_KERNEL, True


def write_floor_notebook(path: Path, kernel: str) -> None:
    """The two-cell notebook of the floor: a parameters cell, then the heavy imports (with the
    kernelspec and language metadata a saved notebook has: papermill needs the language)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": kernel, "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import pandas, seaborn"),
    ]
    nbformat.write(nb, path)


def floor_once(root: Path, kernel: str) -> float:
    """papermill + nbconvert on the two-cell notebook in a new folder; seconds for both."""
    folder = Path(tempfile.mkdtemp(prefix="floor-", dir=root))
    write_floor_notebook(folder / "in.ipynb", kernel)
    papermill = [sys.executable, "-m", "papermill", "in.ipynb", "out.ipynb", "-p", "x", "2"]
    nbconvert = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--no-input"]
    seconds = run([*papermill, "--kernel", kernel], cwd=folder)
    seconds += run([*nbconvert, "out.ipynb"], cwd=folder)
    if not (folder / "out.html").is_file():
        raise CommandFailed(nbconvert, 0, f"nbconvert wrote no {folder / 'out.html'}")
    return seconds


def assess_once(
    exitcheck: str, run_dir: Path, survey: Path, marker: str | None, cwd: Path
) -> tuple[float, float | None, str]:
    """One ``exitcheck assess``: total seconds, seconds until the verdict line (None if it never
    came) and that line. stdout is read line by line as it is written; stderr goes to a file."""
    argv = [exitcheck, "assess", str(run_dir), "--survey", str(survey)]
    verdict_s: float | None = None
    verdict_line = ""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace", dir=cwd) as err:
        began = time.perf_counter()
        proc = start(argv, cwd, err)
        output = []
        try:
            for line in iter(proc.stdout.readline, ""):  # type: ignore[union-attr]
                output.append(line)
                hit = marker in line if marker is not None else line.strip() != ""
                if verdict_s is None and hit:
                    verdict_s = time.perf_counter() - began
                    verdict_line = line.strip()
            code = proc.wait()
        except BaseException:
            stop(proc)
            raise
        total_s = time.perf_counter() - began
        if code != 0:
            err.seek(0)
            raise CommandFailed(argv, code, err.read() or "".join(output))
    return total_s, verdict_s, verdict_line


def find_township(demo: Path, wanted: str | None) -> tuple[str, Path, Path]:
    """A township of the demo output with a run folder (it has design.json) and survey returns
    ``survey/<township>.csv``: ``wanted`` or the first by name. Returns name, run folder, survey."""
    runs = {p.parent.name: p.parent for p in sorted(demo.glob("*/*/design.json"))}
    surveys = {p.stem: p for p in (demo / "survey").glob("*.csv")}
    names = sorted(set(runs) & set(surveys))
    if wanted is not None and wanted not in names:
        raise CommandFailed(["find township"], None, f"{wanted!r} not in {names} under {demo}")
    if not names:
        layout = "\n".join(sorted(str(p.relative_to(demo)) for p in demo.glob("*/*")))
        raise CommandFailed(["find township"], None, f"no run + survey in {demo}:\n{layout}")
    name = wanted or names[0]
    return name, runs[name], surveys[name]


def ratio(value: float | None, floor: float) -> float | None:
    """``value / floor`` (None when there is no value)."""
    return None if value is None else value / floor


def fmt(value: float | None, spec: str = ".2f", suffix: str = "") -> str:
    """A number for the table, or ``—``."""
    return "—" if value is None else f"{value:{spec}}{suffix}"


def print_table(figures: dict) -> None:
    """The summary table and the machine it ran on."""
    m = figures["medians"]
    rows = [
        ("floor (papermill + nbconvert)", m["floor_s"], None, "", figures["runs"]["floor_s"]),
        ("exitcheck assess", m["assess_s"], figures["ratios"]["assess"],
         f"≤ {TARGETS['assess_ratio']} × floor", figures["runs"]["assess_s"]),
        ("verdict printed", m["verdict_s"], figures["ratios"]["verdict"],
         f"≤ {TARGETS['verdict_ratio']} × floor", figures["runs"]["verdict_s"]),
        ("exitcheck demo", m["demo_s"], None, f"≤ {TARGETS['demo_s']:.0f} s",
         figures["runs"]["demo_s"]),
    ]  # fmt: skip
    print(f"\n{'':31} {'median s':>9} {'× floor':>8}  {'target':<15} runs (s)")
    for label, median, rel, target, runs in rows:
        each = ", ".join(fmt(r, ".1f") for r in runs)
        print(f"{label:31} {fmt(median):>9} {fmt(rel):>8}  {target:<15} {each}")
    info = figures["machine"]
    load = " → ".join(" ".join(f"{x:.2f}" for x in la) for la in info["loadavg"])
    print(
        f"\nmachine: {info['nproc']} cores, load (1/5/15 min) {load}; Python {info['python']}; "
        f"kernel {figures['kernel']}; township {figures['township']}"
    )
    line = figures["verdict_line"]
    marker = figures["verdict_marker"]
    waited = "first non-empty stdout line" if marker is None else f"first line with {marker!r}"
    print(f"verdict = {waited}: {line!r}" if line else f"verdict line ({waited}) never printed")


def median(values: Sequence[float | None]) -> float | None:
    """Median of the values, None if any is missing (the verdict line never came)."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known and len(known) == len(values) else None


def measure(args: argparse.Namespace, root: Path) -> dict:
    """All measurements; the figures as a JSON-ready dict."""
    load_before = os.getloadavg()
    exitcheck = exitcheck_command()
    kernel, installed = choose_kernel()
    try:
        print(f"setup: exitcheck demo --out {root / 'setup' / 'demo'} (untimed) …", flush=True)
        (root / "setup").mkdir()
        setup_s = run([exitcheck, "demo", "--out", root / "setup" / "demo"], cwd=root / "setup")
        township, run_dir, survey = find_township(root / "setup" / "demo", args.township)
        print(f"setup: {setup_s:.1f} s; assessing {township} ({run_dir})", flush=True)
        floor_s: list[float] = []
        assess_s: list[float] = []
        verdict_s: list[float | None] = []
        line = ""
        for i in range(args.runs):
            floor_s.append(floor_once(root, kernel))
            total, verdict, line = assess_once(
                exitcheck, run_dir, survey, args.verdict_marker, root
            )
            assess_s.append(total)
            verdict_s.append(verdict)
            print(
                f"run {i + 1}/{args.runs}: floor {floor_s[-1]:.1f} s, assess {total:.1f} s, "
                f"verdict {fmt(verdict, '.1f', ' s')}",
                flush=True,
            )
        demo_s: list[float] = []
        for i in range(args.demo_runs):
            folder = Path(tempfile.mkdtemp(prefix="demo-", dir=root))
            demo_s.append(run([exitcheck, "demo", "--out", folder / "demo"], cwd=folder))
            print(f"demo {i + 1}/{args.demo_runs}: {demo_s[-1]:.1f} s", flush=True)
    finally:
        if installed:
            subprocess.run(
                [sys.executable, "-m", "jupyter", "kernelspec", "remove", "-y", BENCH_KERNEL],
                env=bench_env(), capture_output=True,
            )  # fmt: skip
    medians = {
        "floor_s": statistics.median(floor_s),
        "assess_s": statistics.median(assess_s),
        "verdict_s": median(verdict_s),
        "demo_s": statistics.median(demo_s) if demo_s else None,
    }
    return {
        "medians": medians,
        "ratios": {
            "assess": ratio(medians["assess_s"], medians["floor_s"]),
            "verdict": ratio(medians["verdict_s"], medians["floor_s"]),
        },
        "targets": TARGETS,
        "runs": dict(floor_s=floor_s, assess_s=assess_s, verdict_s=verdict_s, demo_s=demo_s),
        "setup_demo_s": setup_s,
        "township": township,
        "kernel": kernel,
        "verdict_marker": args.verdict_marker,
        "verdict_line": line,
        "machine": {
            "nproc": os.cpu_count(),
            "loadavg": [list(load_before), list(os.getloadavg())],
            "python": platform.python_version(),
            "platform": platform.platform(),
            "executable": sys.executable,
        },
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def main() -> int:
    """Parse options, measure, print the table (and write the JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="floor and assess runs (default 3)")
    parser.add_argument("--demo-runs", type=int, default=1, help="demo runs (default 1)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep", metavar="DIR", help="keep all temporary folders under DIR")
    parser.add_argument("--township", metavar="NAME", help="demo township (default: first)")
    parser.add_argument(
        "--verdict-marker",
        metavar="TEXT",
        help="verdict = first stdout line containing TEXT (default: first non-empty line)",
    )
    args = parser.parse_args()
    if args.runs < 1 or args.demo_runs < 0:
        parser.error("--runs must be ≥ 1 and --demo-runs ≥ 0")
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix="bench-assess-", dir=args.keep)).resolve()
    else:
        root = Path(tempfile.mkdtemp(prefix="bench-assess-")).resolve()
    try:
        figures = measure(args, root)
    except CommandFailed as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench_assess: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print_table(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
        print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
