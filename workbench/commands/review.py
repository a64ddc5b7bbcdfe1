"""``exitcheck review``: placeholder until the methodology issue (#6) lands."""

from __future__ import annotations

import argparse

from data_contracts.errors import UserError

HELP = "Monte Carlo review of designs, intervals and verdict rules (方法评审)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept any arguments so the message below is what the user sees."""
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    """Explain that this command is not built yet."""
    raise UserError("`exitcheck review` arrives with the methodology issue (#6); it is not available in this version.")
