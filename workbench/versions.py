"""Numbered assessment versions inside a run folder (评估版本): v001, v002, … never overwritten.

Each ``exitcheck assess`` gets a fresh ``RUN_DIR/assessments/vNNN/`` holding a ``STATUS`` file:
``running pid=…`` while it works, ``finished`` when every file is written, ``failed: reason`` when
it stopped on an error. A version killed outright keeps ``running`` with a dead pid and is reported
as incomplete;
only ``finished`` versions are ever read as results. Version numbers are allocated under a file
lock and created with ``mkdir`` (atomic), so two assessors on one run folder get distinct versions.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from data_contracts.errors import ExitcheckError, RequestError
from data_contracts.fileio import atomic_write_text

ASSESSMENTS = "assessments"
STATUS = "STATUS"
_VERSION = re.compile(r"^v(\d{3,})$")


@dataclass(frozen=True)
class Version:
    """One assessment version folder and its state (finished / failed / running / incomplete)."""

    number: int
    path: Path
    status: str
    detail: str

    @property
    def name(self) -> str:
        """Folder name, e.g. ``v002``."""
        return self.path.name

    @property
    def finished(self) -> bool:
        """Whether this version completed and its results may be used."""
        return self.status == "finished"


def _read_status(folder: Path) -> tuple[str, str]:
    """(status word, detail) from ``STATUS``; a missing or unreadable file means incomplete."""
    try:
        text = (folder / STATUS).read_text(encoding="utf-8").strip()
    except OSError:
        return "incomplete", "no STATUS file"
    word, _, detail = text.partition(" ")
    word = word.rstrip(":")
    if word not in ("finished", "failed", "running"):
        return "incomplete", text
    pid = re.search(r"pid=(\d+)", detail)
    if word == "running" and pid and not _alive(int(pid.group(1))):
        return "incomplete", f"interrupted ({detail.strip()})"
    return word, detail.strip()


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a killed run's does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_versions(run_dir: str | os.PathLike[str]) -> list[Version]:
    """All assessment versions of a run folder, oldest first."""
    base = Path(run_dir) / ASSESSMENTS
    if not base.is_dir():
        return []
    found = []
    for child in base.iterdir():
        match = _VERSION.match(child.name)
        if match and child.is_dir():
            found.append(Version(int(match.group(1)), child, *_read_status(child)))
    return sorted(found, key=lambda v: v.number)


def latest_finished(run_dir: str | os.PathLike[str]) -> Version | None:
    """The newest version whose STATUS is ``finished``, or None."""
    done = [v for v in list_versions(run_dir) if v.finished]
    return done[-1] if done else None


def _write_status(folder: Path, text: str) -> None:
    atomic_write_text(folder / STATUS, text + "\n", overwrite=True)


def allocate_version(run_dir: str | os.PathLike[str], timeout: float = 30.0) -> Path:
    """Create the next ``assessments/vNNN`` folder with STATUS ``running``; returns its path."""
    run = Path(run_dir)
    if not run.is_dir():
        raise RequestError(f"run folder {run} does not exist.")
    base = run / ASSESSMENTS
    base.mkdir(exist_ok=True)
    try:
        with FileLock(str(base / ".lock"), timeout=timeout):
            numbers = [v.number for v in list_versions(run)]
            folder = base / f"v{(max(numbers, default=0) + 1):03d}"
            folder.mkdir()  # atomic; the lock makes a clash impossible between our processes
            started = datetime.now(UTC).isoformat(timespec="seconds")
            _write_status(folder, f"running pid={os.getpid()} started={started}")
    except Timeout:
        raise RequestError(
            f"another assessment is allocating a version in {base}; try again in a moment."
        ) from None
    return folder


@contextlib.contextmanager
def assessment_version(run_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """A new version folder: ``finished`` if the block completes, ``failed: why`` if it raises."""
    folder = allocate_version(run_dir)
    try:
        yield folder
    except ExitcheckError as exc:
        _write_status(folder, "failed: " + exc.message.splitlines()[0])
        raise
    except BaseException as exc:
        _write_status(folder, f"failed: {type(exc).__name__}: {exc}".splitlines()[0])
        raise
    _write_status(folder, "finished")
