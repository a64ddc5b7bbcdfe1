"""Writing rendered reports (报告文件): the page of a report's blocks, never overwriting one.

The command line renders every report in-process from its records (:mod:`reports`); this module
only decides the file name and writes it atomically. ``exitcheck report`` names the file for its
language (``report.en.html``) and takes the next free name when that exists
(``report.en-2.html``), so no rendered report is ever replaced.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from data_contracts.errors import RequestError
from data_contracts.fileio import atomic_write_text
from reports.page import page


def free_name(folder: Path, stem: str, suffix: str = ".html") -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3``… when taken (the first free one)."""
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{suffix}"
        number += 1
    return path


def write_page(
    path: str | os.PathLike[str], blocks: Iterable[str], lang: str, fallback_title: str = ""
) -> Path:
    """Write the report page of ``blocks`` to ``path`` atomically; refuses an existing file."""
    target = Path(path)
    if target.exists():
        raise RequestError(f"{target} already exists; refusing to overwrite it.")
    return atomic_write_text(target, page(blocks, lang, fallback_title or target.stem))
