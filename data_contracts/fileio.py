"""Atomic file writes and never-overwrite folders: nothing is half-written or lost."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data_contracts.errors import RequestError

if TYPE_CHECKING:
    from openpyxl import Workbook

_FIXED_TIME = dt.datetime(2020, 1, 1)


def _umask() -> int:
    """The process umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False
) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename.

    Refuses to replace an existing file unless ``overwrite`` is true, so rendered reports
    and survey returns are never clobbered.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not overwrite:
        raise RequestError(f"{target} already exists; refusing to overwrite it.")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails if target appeared meanwhile: no silent overwrite
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise RequestError(f"{target} already exists; refusing to overwrite it.") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, overwrite: bool = False) -> Path:
    """Write UTF-8 text atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, overwrite: bool = False) -> Path:
    """Write ``obj`` as pretty UTF-8 JSON atomically (non-ASCII kept readable)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n"
    return atomic_write_text(path, text, overwrite=overwrite)


def new_run_dir(path: str | os.PathLike[str]) -> Path:
    """Create a fresh run folder; refuse an existing non-empty one, or a name with control
    characters (a newline in a folder name breaks every later command that prints or passes it)."""
    run = Path(path)
    if re.search(r"[\x00-\x1f\x7f]", str(run)):
        raise RequestError(
            f"output folder {str(run)!r} contains a control character (newline, tab …); "
            "choose a plain folder name."
        )
    if run.exists() and (not run.is_dir() or any(run.iterdir())):
        raise RequestError(
            f"run folder {run} already exists and is not empty; choose a new --out folder."
        )
    run.mkdir(parents=True, exist_ok=True)
    return run


def workbook_bytes(book: Workbook) -> bytes:
    """Serialise an openpyxl workbook reproducibly: fixed document times and zip entry times.

    Same content gives byte-identical files, so input hashes and reruns with one seed agree.
    """
    book.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    body,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, body)
    return out.getvalue()
