"""``exitcheck review``: the Monte Carlo methodology review → review.json and review.html."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from data_contracts.errors import RequestError

#: more replications would not fit in a laptop's memory (arrays of reps × sampled households)
MAX_REPS = 20_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--reps, --seed, --out, --lang and the synthetic township's main parameters."""
    parser.add_argument(
        "--reps", type=int, default=1000, help="replications per design and size (default 1000)"
    )
    parser.add_argument(
        "--seed", type=int, default=20161, help="seed of the township and every draw"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="new output folder (default ./review_<time>)"
    )
    parser.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="report language (default zh)"
    )
    parser.add_argument(
        "--households", type=int, default=1500, help="exited households in the township"
    )
    parser.add_argument("--villages", type=int, default=30, help="villages in the township")
    parser.add_argument(
        "--icc", type=float, default=0.15, help="intra-village correlation of wrong exits"
    )
    parser.add_argument(
        "--size-risk",
        type=float,
        default=0.0,
        help="γ of the township: wrong-exit propensity × household size^γ (default 0)",
    )
    parser.add_argument(
        "--size-risk-scenarios",
        type=_floats_or_none,
        default=(1.0, 2.0),
        help="γ of each wrong-exits-in-large-households scenario, comma-separated "
        "(default 1,2; 'none' for none)",
    )
    parser.add_argument(
        "--rates",
        type=_floats,
        default=None,
        help="true wrong-exit rates, comma-separated (default 0,0.005,0.01,...,0.08)",
    )
    parser.add_argument(
        "--band-risk",
        type=_floats,
        default=None,
        help="relative wrong-exit risk in the <10%%, 10-30%%, >30%% margin bands (default 6,2,1)",
    )
    parser.add_argument("--no-html", action="store_true", help="write review.json only")


def _floats(text: str) -> tuple[float, ...]:
    """Parse '0,0.005,0.02' into floats (argparse reports a ValueError as a bad option)."""
    return tuple(float(part) for part in text.split(","))


def _floats_or_none(text: str) -> tuple[float, ...]:
    """Like :func:`_floats`; 'none' (or an empty value) gives no scenario."""
    return () if text.strip().lower() in ("", "none") else _floats(text)


def run(args: argparse.Namespace) -> int:
    """Run the study, write review.json atomically into a new folder, then render review.html
    in-process from that record (no notebook kernel)."""
    from data_contracts.fileio import new_run_dir
    from data_contracts.records import write_record
    from evaluation.review import ReviewConfig, TownshipSpec, run_review

    if not 20 <= args.reps <= MAX_REPS:
        raise RequestError(f"--reps must be between 20 and {MAX_REPS}; got {args.reps}")
    out = args.out or Path(f"review_{dt.datetime.now():%Y%m%d-%H%M%S}")
    spec = {
        "households": args.households,
        "villages": args.villages,
        "icc": args.icc,
        "size_risk": args.size_risk,
    }
    if args.band_risk is not None:
        if len(args.band_risk) != 3:
            raise RequestError(
                f"--band-risk needs 3 numbers (one per margin band); got {args.band_risk}"
            )
        spec["band_risk"] = args.band_risk
    extra = {} if args.rates is None else {"rates": tuple(sorted(args.rates))}
    config = ReviewConfig(
        reps=args.reps,
        seed=args.seed,
        township=TownshipSpec(**spec),
        size_risk_scenarios=args.size_risk_scenarios,
        **extra,
    )
    config.check()
    folder = new_run_dir(out)
    result = run_review(config, progress=lambda msg: print(f"review: {msg}", file=sys.stderr))
    json_path = write_record(folder, result.to_record())
    print(f"review: {result!r}", file=sys.stderr)
    from reports.review_report import ReviewReport, finding_text

    level = result.config.thresholds.level
    for finding in result.findings():
        print(f"  - {finding_text(finding, args.lang, level)}")
    print(f"wrote {json_path}")
    if not args.no_html:
        from workbench.reporting import write_page

        report = ReviewReport.load(json_path, args.lang)
        html = write_page(folder / "review.html", report.blocks(), args.lang)
        print(f"wrote {html}")
    return 0
