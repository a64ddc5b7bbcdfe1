"""``exitcheck demo``: placeholder until the foundation issue (#2) lands."""

from __future__ import annotations

import argparse

from data_contracts.errors import UserError

HELP = "Run the whole pipeline on the embedded demo district (示范区县全流程演示)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept any arguments so the message below is what the user sees."""
    parser.add_argument("rest", nargs=argparse.REMAINDER)


def run(args: argparse.Namespace) -> int:
    """Explain that this command is not built yet."""
    raise UserError("`exitcheck demo` arrives with the foundation issue (#2); it is not available in this version.")
