"""``exitcheck sample``: draw a seeded spot-check sample for a township into a new run folder.

The sample files and ``design.json`` (with the report's planning parameters: threshold, good
rate, risks, design effect) are written first; then ``sampling_report.html`` is rendered in this
process from that folder's records (:class:`reports.sampling_report.SamplingReport`, the same
blocks the notebook ``sample_township.ipynb`` shows) — no Jupyter kernel, no second draw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from data_contracts import load
from data_contracts.demo import demo_input_paths
from data_contracts.errors import InputError, RequestError
from data_contracts.fileio import atomic_write_bytes, new_run_dir
from data_contracts.messages import LANGS
from data_contracts.names import check_name
from sampling.draw import DESIGNS, draw_sample
from sampling.frame import DEFAULT_CUT_POINTS, build_frame
from sampling.outputs import write_outputs
from sampling.plans import acceptance_plan
from sampling.sample import Sample

REPORT = "sampling_report.html"

#: flags that apply to each design (anything else given is refused)
_APPLIES = {
    "stratified": {"n", "strata", "allocation", "selection", "reserves", "error_rates", "fixed"},
    "cluster": {"villages_to_sample", "village_selection"},
    "two-stage": {"villages_to_sample", "households_per_village", "reserves"},
}
_REQUIRED = {
    "stratified": ("n",),
    "cluster": ("villages_to_sample",),
    "two-stage": ("villages_to_sample", "households_per_village"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of issue #3 plus poverty lines, exit years, risk cut points and report settings."""
    parser.add_argument("--households", required=True, help="households registry export")
    parser.add_argument("--villages", required=True, help="villages registry export")
    parser.add_argument(
        "--poverty-lines", help="poverty lines table (default: the shipped national lines)"
    )
    parser.add_argument("--township", required=True, help="township to sample (乡镇)")
    parser.add_argument("--design", required=True, choices=DESIGNS)
    parser.add_argument("--seed", required=True, type=int, help="random seed (recorded)")
    parser.add_argument("--out", required=True, help="new run folder")
    parser.add_argument("--n", type=int, help="stratified: sample size")
    parser.add_argument(
        "--district-plan",
        metavar="FILE",
        help="stratified: take the township's n from allocation.json (exitcheck allocate)",
    )
    parser.add_argument("--strata", choices=("village", "risk"), help="stratified: strata")
    parser.add_argument(
        "--allocation", choices=("proportional", "equal", "neyman", "fixed"), help="stratified"
    )
    parser.add_argument("--selection", choices=("srs", "systematic"), help="within strata")
    parser.add_argument("--error-rates", help="neyman: assumed rates, e.g. '<10%%=0.1,>=30%%=0.01'")
    parser.add_argument("--fixed", help="fixed allocation, e.g. 'V01=5,V02=3'")
    parser.add_argument("--villages-to-sample", type=int, help="cluster / two-stage: villages")
    parser.add_argument("--village-selection", choices=("pps", "srs"), help="cluster: villages")
    parser.add_argument("--households-per-village", type=int, help="two-stage: households")
    parser.add_argument("--reserves", type=int, help="reserves per stratum / village")
    parser.add_argument("--exit-years", help="only these exit years, e.g. 2016,2017")
    parser.add_argument("--risk-cuts", default="0.1,0.3", help="risk-band cut points of margin")
    parser.add_argument("--threshold", type=float, default=0.02, help="report: p0")
    parser.add_argument("--good-rate", type=float, default=0.005, help="report: p1")
    parser.add_argument("--alpha", type=float, default=0.10, help="report: plan α")
    parser.add_argument("--beta", type=float, default=0.05, help="report: plan β")
    parser.add_argument("--deff", type=float, default=1.0, help="report: design effect")
    parser.add_argument(
        "--lang", choices=LANGS, default="zh", help="report language: zh (简体中文) or en"
    )
    parser.add_argument(
        "--no-personal-data",
        action="store_true",
        help="manifest without names and phones (for teams with a separate lookup)",
    )


def _numbers(text: str | None, flag: str, kind: type) -> list[Any] | None:
    if text is None:
        return None
    try:
        return [kind(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise RequestError(f"{flag} must be comma-separated numbers; got {text!r}.") from None


def _mapping(text: str | None, flag: str, kind: type) -> dict[str, Any] | None:
    if text is None:
        return None
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.rpartition("=")
        try:
            out[key.strip()] = kind(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise RequestError(f"{flag} must look like 'A=1,B=2'; cannot read {part!r}.")
    return out


def design_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The design parameters the flags give, refusing flags that do not apply to the design."""
    given = {
        "n": args.n,
        "strata": args.strata,
        "allocation": args.allocation,
        "selection": args.selection,
        "reserves": args.reserves,
        "error_rates": _mapping(args.error_rates, "--error-rates", float),
        "fixed": _mapping(args.fixed, "--fixed", int),
        "villages_to_sample": args.villages_to_sample,
        "village_selection": args.village_selection,
        "households_per_village": args.households_per_village,
    }
    given = {k: v for k, v in given.items() if v is not None}
    stray = sorted(set(given) - _APPLIES[args.design])
    if stray:
        flags = ", ".join("--" + s.replace("_", "-") for s in stray)
        verb = "does" if len(stray) == 1 else "do"
        raise RequestError(f"{flags} {verb} not apply to the {args.design} design.")
    required = _REQUIRED[args.design]
    if args.design == "stratified" and given.get("allocation") == "fixed":
        required = ("fixed",)
    missing = [k for k in required if k not in given]
    if missing:
        flags = ", ".join("--" + s.replace("_", "-") for s in missing)
        raise RequestError(f"the {args.design} design needs {flags}.")
    if args.seed < 0:
        raise RequestError(f"--seed must be a whole number ≥ 0; got {args.seed}.")
    acceptance_plan(args.threshold, args.good_rate, args.alpha, args.beta, deff=args.deff)
    return given


def _take_district_plan(args: argparse.Namespace) -> str | None:
    """Set ``args.n`` to the township's allocated interviews in ``--district-plan`` (the
    allocation.json of ``exitcheck allocate``); the file's SHA-256, recorded in design.json."""
    if args.district_plan is None:
        return None
    if args.design != "stratified" or args.n is not None:
        raise RequestError("--district-plan gives n to a stratified design; leave out --n.")
    path = Path(args.district_plan)
    raw = path.read_bytes()
    try:
        record = json.loads(raw.decode("utf-8"))
        rows = {row["township"]: int(row["allocated"]) for row in record["townships"]}
        kind = record["kind"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        kind = None
    if kind != "district_allocation":
        raise InputError(f"{path}: not an allocation.json written by exitcheck allocate.")
    if args.township not in rows:
        raise InputError(
            f"{path}: township {args.township!r} is not in this allocation "
            f"(it has {', '.join(sorted(rows))})."
        )
    args.n = rows[args.township]
    return hashlib.sha256(raw).hexdigest()


def _progress(message: str) -> None:
    print(f"exitcheck sample: {message}", file=sys.stderr, flush=True)


def _copy_inputs(paths: dict[str, Path], run: Path) -> dict[str, str]:
    """Copy the input files into RUN_DIR/inputs/; returns their paths relative to the run."""
    copied = {}
    for kind, path in paths.items():
        target = Path("inputs") / f"{kind}{''.join(path.suffixes[-1:])}"
        atomic_write_bytes(run / target, path.read_bytes())
        copied[kind] = target.as_posix()
    return copied


def _remove_half_written(run_dir: Path, existed: bool) -> None:
    """Undo an interrupted or failed draw: everything in the run folder is this run's (it was
    new or empty) and it has no design.json yet, so it is removed — a folder this run created
    entirely — and a re-run with the same --out works."""
    for child in run_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    if not existed:
        run_dir.rmdir()


def run(args: argparse.Namespace) -> int:
    """Validate, create the run folder, load, draw, write the files and render the report.

    The run folder is claimed right after the flags are checked (an existing non-empty one is
    refused at once); if a later step fails or is interrupted before design.json (written last)
    exists, what this run wrote is removed again, so the same command can simply be re-run.
    """
    args.township = check_name(args.township, "--township")
    plan_sha256 = _take_district_plan(args)
    params = design_parameters(args)
    exit_years = _numbers(args.exit_years, "--exit-years", int)
    cuts = _numbers(args.risk_cuts, "--risk-cuts", float) or list(DEFAULT_CUT_POINTS)
    existed = Path(args.out).exists()
    run_dir = new_run_dir(args.out)
    try:
        sample = _draw_into(run_dir, args, params, exit_years, cuts, plan_sha256)
    except BaseException:
        _remove_half_written(run_dir, existed)
        raise
    _progress(f"{sample!r}; rendering the sampling report …")
    html = render_report(run_dir, args.lang)
    print(f"sample written to {run_dir}; report: {html}")
    return 0


def render_report(run_dir: Path, lang: str) -> Path:
    """Render ``sampling_report.html`` in-process from the run folder's records."""
    from reports.sampling_report import SamplingReport  # the plotting stack: after the draw
    from workbench.reporting import write_page

    return write_page(run_dir / REPORT, SamplingReport.load(run_dir, lang).blocks(), lang)


def _draw_into(
    run_dir: Path,
    args: argparse.Namespace,
    params: dict[str, Any],
    exit_years: list[int] | None,
    cuts: list[float],
    plan_sha256: str | None = None,
) -> Sample:
    """Load the inputs, build the frame, draw, copy the inputs and write the sample files."""
    paths = {
        "households": Path(args.households),
        "villages": Path(args.villages),
        "poverty-lines": Path(args.poverty_lines or demo_input_paths()["poverty-lines"]),
    }
    if args.poverty_lines is None:
        _progress("no --poverty-lines given: using the shipped national poverty lines.")
    _progress("reading inputs …")
    loaded = {kind: load(kind, path) for kind, path in paths.items()}
    tables = {kind: table.frame for kind, table in loaded.items()}
    frame = build_frame(
        tables["households"],
        tables["villages"],
        tables["poverty-lines"],
        args.township,
        exit_years,
        cuts,
    )
    _progress(f"frame: {frame.households} exited households; drawing the {args.design} sample …")
    sample = draw_sample(frame, args.design, args.seed, params)
    sample.design["parameters"].update(
        exit_years=list(frame.exit_years),
        risk_cut_points=list(frame.cut_points),
        inputs=_copy_inputs(paths, run_dir),
        input_sha256={kind: table.sha256 for kind, table in loaded.items()},
        personal_data_in_manifest=not args.no_personal_data,
        district_plan_sha256=plan_sha256,
    )
    sample.design["report"] = {  # the sampling report's planning parameters (design.json)
        "threshold": args.threshold,
        "good_rate": args.good_rate,
        "alpha": args.alpha,
        "beta": args.beta,
        "deff": args.deff,
    }
    write_outputs(sample, run_dir, personal=not args.no_personal_data)
    return sample
