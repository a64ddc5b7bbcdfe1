"""``exitcheck validate KIND FILE``: check one input table against its contract (校验输入表)."""

from __future__ import annotations

import argparse

import pandas as pd

from data_contracts import ContractError, LoadedTable, RequestError, check_villages_exist, load
from data_contracts.columns import KINDS
from data_contracts.problems import format_problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """KIND FILE [--sheet NAME] [--villages FILE]."""
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: " + ", ".join(KINDS))
    parser.add_argument("file", metavar="FILE", help="the table: .csv, .xlsx or .parquet")
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first sheet)")
    parser.add_argument(
        "--villages",
        metavar="FILE",
        help="households only: the villages table, to check every household's village exists",
    )


def _distinct(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].nunique()) if column in frame else 0


def summary(table: LoadedTable) -> str:
    """One line describing what the table holds."""
    df = table.frame
    parts = [f"{len(df)} rows"]
    if "township" in df:
        parts.append(f"{_distinct(df, 'township')} townships")
    if "village_id" in df:
        parts.append(f"{_distinct(df, 'village_id')} villages")
    if table.kind == "households":
        parts.append(f"{int(df['household_size'].sum())} persons")
    if table.kind == "villages":
        parts.append(
            f"{int(df['key_village'].sum())} key villages, {int(df['exited'].sum())} exited"
        )
    if table.kind == "survey":
        counts = df["visit_status"].value_counts()
        parts.append(", ".join(f"{k} {v}" for k, v in counts.items()))
    years = df["exit_year"].dropna() if "exit_year" in df else df.get("year", pd.Series())
    if len(years.dropna()):
        label = "exit years" if "exit_year" in df else "years"
        parts.append(f"{label} {int(years.min())}–{int(years.max())}")
    return ", ".join(parts)


def _check(args: argparse.Namespace) -> LoadedTable:
    table = load(args.kind, args.file, sheet=args.sheet)
    if args.villages is not None:
        if args.kind != "households":
            raise RequestError("--villages applies to KIND households only.")
        check_villages_exist(table, load("villages", args.villages))
    return table


def run(args: argparse.Namespace) -> int:
    """Load and check the table; print OK and a summary, or every problem found (exit 1)."""
    try:
        table = _check(args)
    except ContractError as exc:
        print(f"NOT OK {args.kind}: {exc.summary}")
        print(format_problems(exc.problems, limit=None))
        return 1
    where = f" (sheet {table.sheet})" if table.sheet else ""
    print(f"OK {table.kind}: {table.path}{where}: {summary(table)}")
    for note in table.notes:
        print(f"note: {note}")
    return 0
