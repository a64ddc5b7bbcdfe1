"""Place names given as parameters (乡镇名称等): checked before they reach paths or reports.

A township name is used to select rows, is written into ``design.json`` and reports, and the
demo makes a folder of it. A name that could leave its folder (``../x``, ``a/b``), break a line
or a quoted string (newline, quote, backslash) or hide control characters is refused; Chinese
and other letters, digits, spaces inside, dots and brackets are fine.
"""

from __future__ import annotations

import re

from data_contracts.errors import RequestError

MAX_NAME = 40
_FORBIDDEN = re.compile(r"""[\x00-\x1f\x7f/\\'"`$<>|;*?]""")


def check_name(value: str, what: str) -> str:
    """Return ``value`` stripped, or raise ``RequestError`` saying why it is refused."""
    name = value.strip()
    bad = _FORBIDDEN.search(value)
    if not name:
        raise RequestError(f"{what} is empty.")
    if bad or name in (".", "..") or name.startswith("..") or len(name) > MAX_NAME:
        why = (f"character {bad.group()!r} is not allowed" if bad else
               f"it is longer than {MAX_NAME} characters" if len(name) > MAX_NAME else
               "it would name a parent folder")  # fmt: skip
        raise RequestError(f"{what} {value!r} refused: {why} (use the name as in the registry).")
    return name
