"""Errors that end a command with a clear message instead of a traceback.

Every package raises these for user mistakes; the ``exitcheck`` CLI prints the message
and exits with ``exit_code`` (1 = the input has problems, 2 = the request cannot be carried
out: bad option, unreadable or missing file, existing run folder, ...).
"""

from __future__ import annotations

import pandas as pd

from data_contracts.problems import format_problems


class UserError(Exception):
    """A mistake in what the user asked for or supplied; printed as one message."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ContractError(UserError):
    """An input table breaks its data contract; carries every problem found (exit status 1).

    ``problems`` has the columns file, row (as in Excel, header row = 1), column (as written in
    the file), value and expected.
    """

    def __init__(self, problems: pd.DataFrame, summary: str | None = None) -> None:
        self.problems = problems.reset_index(drop=True)
        files = ", ".join(dict.fromkeys(self.problems["file"].astype("str")))
        n = len(self.problems)
        self.summary = summary or f"{n} problem{'s' if n != 1 else ''} in {files}"
        super().__init__(f"{self.summary}:\n{format_problems(self.problems)}", exit_code=1)

    def to_frame(self) -> pd.DataFrame:
        """The problem table (a copy)."""
        return self.problems.copy()

    def __repr__(self) -> str:
        return f"ContractError({self.summary!r})"


class RecordError(UserError):
    """A record file (design.json, results.json, …) is missing, unreadable, of an incompatible
    schema version or does not validate against its model (exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)
