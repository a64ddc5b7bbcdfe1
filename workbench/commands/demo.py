"""``exitcheck demo``: the whole pipeline on the embedded demo district (示范区县全流程演示)."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table
from rich.text import Text

from data_contracts.errors import RequestError
from data_contracts.messages import label, text
from data_contracts.names import check_name
from reports.formatting import level_pct, pct
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


def verdict_table(run_dirs: list[str], lang: str = "zh") -> Table:
    """Township, statistical verdict and wrong-exit rate of each finished township run.

    A rich table: columns keep their width with Chinese names (CJK characters are two cells).
    """
    towns = collect(run_dirs).townships
    level = towns[0].results.parameters.level if towns else 0.95
    table = Table(box=None, pad_edge=False)
    for key, params in (
        ("township", {}),
        ("verdict", {}),
        ("wrong_exit_rate", {"level": level_pct(level)}),
        ("report", {}),
    ):
        table.add_column(text(f"cli.demo.{key}", lang, **params), no_wrap=key != "report")
    for township in towns:
        results = township.results
        wrong = results.indicator("wrong_exit_rate")
        rate = wrong.estimate if wrong is not None else None
        cells = (
            township.township,
            label("verdict", results.verdict.statistical, lang),
            "—" if rate is None else
            f"{pct(rate.estimate, 2)} [{pct(rate.ci_low, 2)}, {pct(rate.ci_high, 2)}]",
            str(township.run / "assessments" / township.version / "report.html"),
        )  # fmt: skip
        table.add_row(*(Text(c) for c in cells))  # data as plain text, never rich markup
    return table


def run(args: argparse.Namespace) -> int:
    """Sample, simulate the survey, assess every township, then the district summary."""
    if args.jobs is not None and args.jobs < 1:
        raise RequestError("--jobs must be at least 1.")
    if args.n < 2:
        raise RequestError("--n must be at least 2 households per township.")
    if args.townships:
        args.townships = [check_name(t, "--townships") for t in args.townships]
    lang = args.lang
    print(text("cli.demo.start", lang, out=args.out))
    result = run_demo(args.out, args.jobs, n=args.n, townships=args.townships, lang=lang)
    console = Console(highlight=False, soft_wrap=False, width=200)
    console.print(verdict_table([str(t.run_dir) for t in result.townships if not t.error], lang))
    for failed in result.failed:
        print(text("cli.demo.failed", lang, township=failed.township, error=failed.error))
    if result.district_report is not None:
        print("\n" + text("cli.demo.district", lang, path=result.district_report))
    else:
        print("\n" + text("cli.demo.no_district", lang, error=result.district_error))
    return result.exit_code
