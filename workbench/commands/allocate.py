"""``exitcheck allocate``: interviews per township for the district (全县样本量分配).

Reads the district's exited-household registry, allocates interviews over its townships
(:func:`sampling.district_plan.allocate_district`) and prints the allocation beside the cost of
certifying every township on its own; with ``--out`` also writes ``allocation.json`` and
``allocation.xlsx`` (new files only).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from openpyxl import Workbook

from data_contracts import load
from data_contracts.errors import RequestError
from data_contracts.fileio import atomic_write_bytes, atomic_write_json, workbook_bytes
from data_contracts.inert import append_row
from data_contracts.messages import LANGS, text
from sampling.district_plan import (
    DETECT_POWER,
    DETECT_RATE,
    DistrictGoals,
    DistrictPlan,
    allocate_district,
)

FILES = ("allocation.json", "allocation.xlsx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``exitcheck allocate``."""
    parser.add_argument("--households", required=True, metavar="FILE",
                        help="exited-household registry of the district")  # fmt: skip
    parser.add_argument("--threshold", type=float, default=0.02, help="wrong-exit threshold")
    parser.add_argument("--good-rate", type=float, default=0.005,
                        help="true rate at which the district should be certified")  # fmt: skip
    parser.add_argument("--power", type=float, default=0.8,
                        help="P(district certified | good rate)")  # fmt: skip
    parser.add_argument("--confidence", type=float, default=0.95, help="one-sided confidence")
    parser.add_argument("--detect-rate", type=float, default=DETECT_RATE,
                        help="township rate that must be found not credible")  # fmt: skip
    parser.add_argument("--detect-power", type=float, default=DETECT_POWER,
                        help="P(township not credible | detect rate)")  # fmt: skip
    parser.add_argument("--response-rate", type=float, default=0.9,
                        help="expected share of drawn households interviewed")  # fmt: skip
    parser.add_argument("--out", metavar="DIR", help="folder for allocation.json and .xlsx")
    parser.add_argument("--lang", choices=LANGS, default="zh", help="language of the table")


def goals_from(args: argparse.Namespace) -> DistrictGoals:
    """The allocation's goals from the flags."""
    return DistrictGoals(args.threshold, args.good_rate, args.power, args.confidence,
                         args.detect_rate, args.detect_power, args.response_rate)  # fmt: skip


def labelled(plan: DistrictPlan, lang: str):
    """The plan's table with headers in ``lang``."""
    frame = plan.to_frame()
    rate = plan.goals.detect_rate
    return frame.rename(columns={c: text(f"allocation.col.{c}", lang, rate=rate) for c in frame})


def summary(plan: DistrictPlan, lang: str) -> list[str]:
    """The two sentences printed under the table."""
    g, t = plan.goals, plan.table
    common = {"good": g.good_rate, "power": g.power, "threshold": g.threshold}
    return [
        text(
            "allocation.summary",
            lang,
            total=plan.total,
            draws=int(t["allocated_draws"].sum()),
            response=g.response_rate,
            effective=plan.achieved_effective,
            need=plan.district_effective,
            rate=g.detect_rate,
            detect=g.detect_power,
            **common,
        ),
        text(
            "allocation.own", lang, total=plan.total_own, draws=int(t["own_draws"].sum()), **common
        ),
    ]


def allocation_xlsx(plan: DistrictPlan, lang: str) -> bytes:
    """The allocation as one sheet (township names written as text)."""
    book = Workbook()
    sheet = book.active
    sheet.title = text("allocation.sheet", lang)
    frame = labelled(plan, lang)
    append_row(sheet, list(frame.columns))
    for row in frame.itertuples(index=False):  # one row per township
        append_row(sheet, [v if isinstance(v, str) else int(v) for v in row])
    return workbook_bytes(book)


def run(args: argparse.Namespace) -> int:
    """Print the allocation; write it with ``--out`` (refusing existing files)."""
    goals = goals_from(args)
    out = Path(args.out) if args.out else None
    taken = [name for name in FILES if out is not None and (out / name).exists()]
    if taken:  # checked before anything is read or computed
        raise RequestError(f"{out}: {', '.join(taken)} exist already; choose another --out.")
    households = load("households", args.households).frame
    plan = allocate_district(households.groupby("township", observed=True).size(), goals)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_json(out / FILES[0], plan.to_dict())
        atomic_write_bytes(out / FILES[1], allocation_xlsx(plan, args.lang))
    print(labelled(plan, args.lang).to_string(index=False))
    for line in summary(plan, args.lang):
        print(line)
    if out is not None:
        print(text("allocation.written", args.lang, files=", ".join(str(out / f) for f in FILES)))
    return 0
