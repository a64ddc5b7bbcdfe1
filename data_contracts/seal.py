"""The seal of a township run folder (运行目录封存): nothing ``sample`` wrote may change later.

``exitcheck sample`` writes ``design.json`` last. It records the SHA-256 of every other file it
wrote (``files``) and its own ``seal``: the SHA-256 of the record's JSON with the seal left
blank. A run folder whose design.json is missing was never finished (the sample was
interrupted); one whose seal or file hashes do not match was edited or damaged — weights
multiplied, households deleted, the seed or the frame fingerprint changed. :func:`seal_problems`
lists what is wrong; the commands that read a run folder refuse it before doing anything.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from data_contracts.errors import RequestError
from data_contracts.records import DesignRecord, dump_record, read_record


def seal_of(record: DesignRecord) -> str:
    """The SHA-256 of ``record`` as JSON with its ``seal`` blank (what the seal must equal)."""
    blank = record.model_copy(update={"seal": ""})
    return hashlib.sha256(dump_record(blank).encode("utf-8")).hexdigest()


def sealed(record: DesignRecord) -> DesignRecord:
    """``record`` with its seal set."""
    return record.model_copy(update={"seal": seal_of(record)})


def seal_problems(run_dir: str | os.PathLike[str], record: DesignRecord) -> list[str]:
    """What in the run folder no longer matches design.json (empty when it is intact)."""
    run = Path(run_dir)
    problems = []
    if record.seal != seal_of(record):
        problems.append(f"{run / DesignRecord.FILE} was edited after the sample was drawn")
    for name, expected in record.files.items():
        path = run / name
        try:
            actual = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            problems.append(f"{path} is missing")
            continue
        except OSError as exc:
            problems.append(f"{path} cannot be read ({exc.strerror})")
            continue
        if actual != expected:
            problems.append(f"{path} was changed after the sample was drawn (SHA-256 differs)")
    return problems


def check_sealed(run_dir: str | os.PathLike[str]) -> DesignRecord:
    """The run folder's design record, after checking the seal; :class:`RequestError` (naming
    every file that does not match) when the folder was edited, damaged or never finished."""
    run = Path(run_dir)
    path = run / DesignRecord.FILE
    if not path.is_file():
        raise RequestError(
            f"{run} is not a township run folder: design.json is missing "
            "(create one with `exitcheck sample`)."
        )
    record = read_record(path, DesignRecord)
    problems = seal_problems(run, record)
    if problems:
        raise RequestError(
            f"{run}: the run folder does not match its seal in design.json — "
            + "; ".join(problems)
            + ". Restore the files exitcheck sample wrote, or draw a new sample."
        )
    return record
