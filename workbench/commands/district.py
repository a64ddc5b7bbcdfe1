"""``exitcheck district``: placeholder until the reports issue (#5) lands."""

from __future__ import annotations

import argparse

from data_contracts.errors import UserError

HELP = "Summarise the latest township assessments into a district report (区县汇总)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept any arguments so the message below is what the user sees."""
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    """Explain that this command is not built yet."""
    raise UserError("`exitcheck district` arrives with the reports issue (#5); it is not available in this version.")
