"""Atomic file writes and never-overwrite folders: nothing is half-written or lost."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from data_contracts.errors import UserError


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
        raise UserError(f"{target} already exists; refusing to overwrite it.")
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
        raise UserError(f"{target} already exists; refusing to overwrite it.") from None
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
    """Create a fresh run folder; refuse an existing non-empty one."""
    run = Path(path)
    if run.exists() and (not run.is_dir() or any(run.iterdir())):
        raise UserError(
            f"run folder {run} already exists and is not empty; choose a new --out folder."
        )
    run.mkdir(parents=True, exist_ok=True)
    return run
