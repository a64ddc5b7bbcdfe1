"""``exitcheck sample``: placeholder until the sampling issue (#3) lands."""

from __future__ import annotations

import argparse

from data_contracts.errors import UserError

HELP = "Draw a seeded spot-check sample for a township; write manifest and survey form (抽样)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept any arguments so the message below is what the user sees."""
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    """Explain that this command is not built yet."""
    raise UserError("`exitcheck sample` arrives with the sampling issue (#3); it is not available in this version.")
