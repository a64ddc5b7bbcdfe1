"""Errors that end a command with a clear message instead of a traceback.

Every package raises these for user mistakes; the ``exitcheck`` CLI prints the message
and exits with ``exit_code`` (1 = the input has problems, 2 = the request cannot be carried
out: bad option, unreadable or missing file, existing run folder, ...).
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for or supplied; printed as one message."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
