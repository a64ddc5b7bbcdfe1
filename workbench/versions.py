"""Numbered assessment versions inside a run folder (评估版本): v001, v002, … never overwritten.

Each ``exitcheck assess`` gets a fresh ``RUN_DIR/assessments/vNNN/`` holding a ``STATUS`` file:
``running pid=…`` while it works, ``finished`` when every file is written, ``failed: reason`` when
it stopped on an error. A version killed outright keeps ``running`` with a dead pid and is reported
as incomplete;
only ``finished`` versions are ever read as results. :func:`changes_record` says what changed
against the previous finished version (``changes.json``). Version numbers are allocated under a file
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

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from data_contracts.errors import ExitcheckError, RequestError
from data_contracts.fileio import atomic_write_text
from data_contracts.privacy import PERSONAL_COLUMNS
from data_contracts.records import ChangesRecord, FieldChange, IndicatorChange, ResultsRecord

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
            # every name like a version counts, also a stray file or a dangling link: its number
            # is taken, never reused (mkdir on it would fail for every later assessment)
            numbers = [int(m.group(1)) for c in base.iterdir() if (m := _VERSION.match(c.name))]
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


# --------------------------------------------------------------------------- changes.json
_NOT_COMPARED = ("notes",)  # free text: may hold personal details; not shown in reports


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Cell-wise difference that ignores dtype (2 == 2.0) and treats two blanks as equal."""
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    numeric = (x.notna() | a.isna()) & (y.notna() | b.isna())
    if numeric.all():
        return ~np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-12, equal_nan=True)
    sa, sb = a.astype("string").fillna("\0"), b.astype("string").fillna("\0")
    return (sa != sb).to_numpy(dtype=bool)


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def survey_changes(
    previous: pd.DataFrame, current: pd.DataFrame
) -> tuple[list[str], list[str], list[FieldChange]]:
    """Survey returns added, removed, and every changed field of the others (by household ID).

    Personal columns and free-text notes are not compared (they never reach a report).
    """
    prev = previous.drop_duplicates("household_id").set_index("household_id")
    cur = current.drop_duplicates("household_id").set_index("household_id")
    common = prev.index.intersection(cur.index)
    skip = set(PERSONAL_COLUMNS) | set(_NOT_COMPARED)
    changes: list[FieldChange] = []
    for col in (c for c in cur.columns if c in prev.columns and c not in skip):
        before, after = prev.loc[common, col], cur.loc[common, col]
        moved = _differs(before, after)
        changes += [
            FieldChange(household_id=str(h), field=col, before=_text(b), after=_text(a))
            for h, b, a in zip(common[moved], before[moved], after[moved], strict=True)
        ]  # one per changed cell, not per household
    added = [str(h) for h in cur.index[~cur.index.isin(prev.index)]]
    removed = [str(h) for h in prev.index[~prev.index.isin(cur.index)]]
    return added, removed, sorted(changes, key=lambda c: (c.household_id, c.field))


def changes_record(
    previous: Version | None,
    previous_results: ResultsRecord | None,
    current: ResultsRecord,
    previous_survey: pd.DataFrame | None,
    survey: pd.DataFrame,
) -> ChangesRecord:
    """``changes.json``: how this version differs from the previous finished one."""
    if previous is None or previous_results is None:
        return ChangesRecord(verdict_after=current.verdict.statistical)
    added, removed, fields = (
        survey_changes(previous_survey, survey) if previous_survey is not None else ([], [], [])
    )
    before = {(i.kind, i.village_id): i for i in previous_results.indicators}
    after = {(i.kind, i.village_id): i for i in current.indicators}
    moved = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], k[1] or "")):
        b, a = before.get(key), after.get(key)
        vb, va = (b.estimate.estimate if b else None), (a.estimate.estimate if a else None)
        same_value = vb is not None and va is not None and abs(vb - va) <= 1e-9
        if b and a and same_value and b.verdict == a.verdict:
            continue
        moved.append(
            IndicatorChange(
                kind=key[0],
                village_id=key[1],
                before=vb,
                after=va,
                verdict_before=b.verdict if b else None,
                verdict_after=a.verdict if a else None,
            )
        )
    return ChangesRecord(
        previous=previous.name,
        verdict_before=previous_results.verdict.statistical,
        verdict_after=current.verdict.statistical,
        returns_added=added,
        returns_removed=removed,
        field_changes=fields,
        indicators=moved,
    )
