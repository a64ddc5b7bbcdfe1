"""``exitcheck demo``: the whole pipeline on the embedded demo district (示范区县全流程演示)."""

from __future__ import annotations

import argparse

import pandas as pd

from data_contracts.errors import RequestError
from data_contracts.names import check_name
from reports.formatting import pct
from workbench.district_data import collect
from workbench.pipeline import run_demo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Output folder, parallelism, per-township sample size, report language."""
    parser.add_argument(
        "--out", default="exitcheck-demo", help="new output folder (default ./exitcheck-demo)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="townships in parallel (default: cores)"
    )
    parser.add_argument(
        "--n", type=int, default=150, help="households sampled per township (default 150)"
    )
    parser.add_argument("--townships", nargs="+", metavar="NAME", help="only these demo townships")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language")


def verdict_table(run_dirs: list[str]) -> pd.DataFrame:
    """Township, statistical verdict and wrong-exit rate of each finished township run."""
    rows = []
    for township in collect(run_dirs).townships:
        results = township.results
        wrong = results.indicator("wrong_exit_rate")
        rate = wrong.estimate if wrong is not None else None
        rows.append({
            "township": township.township,
            "verdict": results.verdict.statistical,
            "wrong_exit_rate": "—" if rate is None else
            f"{pct(rate.estimate, 2)} [{pct(rate.ci_low, 2)}, {pct(rate.ci_high, 2)}]",
            "report": str(township.run / "assessments" / township.version / "report.html"),
        })  # fmt: skip
    return pd.DataFrame(rows)


def run(args: argparse.Namespace) -> int:
    """Sample, simulate the survey, assess every township, then the district summary."""
    if args.jobs is not None and args.jobs < 1:
        raise RequestError("--jobs must be at least 1.")
    if args.n < 2:
        raise RequestError("--n must be at least 2 households per township.")
    if args.townships:
        args.townships = [check_name(t, "--townships") for t in args.townships]
    print(
        f"exitcheck demo: writing the demo district into {args.out}/ and assessing every township …"
    )
    result = run_demo(args.out, args.jobs, n=args.n, townships=args.townships, lang=args.lang)
    table = verdict_table([str(t.run_dir) for t in result.townships if not t.error])
    with pd.option_context("display.width", 200, "display.max_colwidth", 120):
        print(table.to_string(index=False))
    for failed in result.failed:
        print(f"FAILED {failed.township}: {failed.error}")
    if result.district_report is not None:
        print(f"\ndistrict report 区县汇总报告: {result.district_report}")
    else:
        print(f"\ndistrict report not written: {result.district_error}")
    return result.exit_code
