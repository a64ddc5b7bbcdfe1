"""The workbench's errors: one hierarchy, no exit codes.

Library code raises these for problems a user can fix; only the ``exitcheck`` CLI
(``workbench/cli.py``) maps the classes to exit statuses and prints the message.

- :class:`ExitcheckError` — base; carries ``.message``.
- :class:`InputError` — the input has problems (the CLI exits 1); :class:`ContractError` is an
  input table breaking its data contract, with every problem found.
- :class:`RequestError` — the request cannot be carried out: bad option, unreadable or missing
  file, existing run folder, refused name (the CLI exits 2); :class:`RecordError` is a record
  file (design.json, results.json, …) that is missing, unreadable, of an incompatible schema
  version or fails its hash check.
- :class:`DesignError` — a survey design cannot be built or estimated from the data given
  (gaps in design columns, PSUs not nested in strata, a lonely PSU, inconsistent fpc, …); also a
  ``ValueError``. Misuse of the design API itself raises plain ``ValueError`` / ``TypeError``.
"""

from __future__ import annotations

import pandas as pd

from data_contracts.problems import format_problems


class ExitcheckError(Exception):
    """A problem the user can fix; printed as one message, never as a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(ExitcheckError):
    """The input (tables, survey returns, …) has problems."""


class ContractError(InputError):
    """An input table breaks its data contract; carries every problem found.

    ``problems`` has the columns file, row (as in Excel, header row = 1), column (as written in
    the file), value and expected.
    """

    def __init__(self, problems: pd.DataFrame, summary: str | None = None) -> None:
        self.problems = problems.reset_index(drop=True)
        files = ", ".join(dict.fromkeys(self.problems["file"].astype("str")))
        n = len(self.problems)
        self.summary = summary or f"{n} problem{'s' if n != 1 else ''} in {files}"
        super().__init__(f"{self.summary}:\n{format_problems(self.problems)}")

    def to_frame(self) -> pd.DataFrame:
        """The problem table (a copy)."""
        return self.problems.copy()

    def __repr__(self) -> str:
        return f"ContractError({self.summary!r})"


class RequestError(ExitcheckError):
    """The request cannot be carried out: bad option, unreadable or missing file, existing run
    folder, refused name, …"""


class RecordError(RequestError):
    """A record file (design.json, results.json, …) is missing, unreadable, of an incompatible
    schema version, fails its hash check or does not validate against its model."""


class DesignError(ExitcheckError, ValueError):
    """A survey design cannot be built, or an estimate computed, from the data given."""
