"""Nothing lost (docs/reliability.md §4): ``exitcheck assess`` killed with SIGKILL at random
points, and two assessors at once on one run folder.

The commands run as real subprocesses; only the rendering of the report page is slowed down
(``fake_notebook/sitecustomize.py``) so that a kill can land in every step.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import write_table

from workbench.versions import latest_finished, list_versions

pytestmark = pytest.mark.slow

FAKE = Path(__file__).parent / "fake_notebook"


def start_assess(run: Path, survey: Path, seconds: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(FAKE), "FAKE_NOTEBOOK_SECONDS": str(seconds)}
    argv = [sys.executable, "-m", "workbench.cli", "assess", str(run), "--survey", str(survey)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def assessed(run_folder, returns, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the run folder with a finished v001, and the survey file it used."""
    base = tmp_path_factory.mktemp("lost")
    run = base / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, base / "回收表.csv")
    done = start_assess(run, survey, 0.1)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err.decode()
    return run, survey


def wait_for_new_version(run: Path, known: int, proc: subprocess.Popen) -> bool:
    """Wait until ``proc`` has created version ``known + 1`` (False if it ended first)."""
    while proc.poll() is None:
        if len(list_versions(run)) > known:
            return True
        time.sleep(0.02)
    return False


def test_sigkill_at_random_points_leaves_earlier_versions_intact(assessed) -> None:
    run, survey = assessed
    v001 = run / "assessments" / "v001"
    before, survey_hash = digest(v001), hashlib.sha256(survey.read_bytes()).hexdigest()
    rng = random.Random(20261128)
    # killed while starting up, right after its version folder appears, and at a random moment
    # while the version is being written
    points = [("start", rng.uniform(0.2, 1.0)), ("version", 0.0), ("version", rng.uniform(0, 2))]
    for phase, delay in points:
        known = len(list_versions(run))
        proc = start_assess(run, survey, 2.0)
        if phase == "version":
            assert wait_for_new_version(run, known, proc)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        versions = list_versions(run)
        assert versions[0].finished and digest(v001) == before
        assert all(v.status == "incomplete" for v in versions[1:]), versions
        assert latest_finished(run).name == "v001"
    assert any(v.status == "incomplete" for v in list_versions(run)), "no kill hit a version"
    assert hashlib.sha256(survey.read_bytes()).hexdigest() == survey_hash
    after = start_assess(run, survey, 0.1)
    _, err = after.communicate(timeout=120)
    assert after.returncode == 0, err.decode()
    newest = latest_finished(run)
    assert newest.number == list_versions(run)[-1].number > 1
    assert digest(v001) == before


def test_two_assessors_at_once_get_distinct_finished_versions(assessed) -> None:
    run, survey = assessed
    known = {v.name for v in list_versions(run)}
    procs = [start_assess(run, survey, 1.0) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    new = [v for v in list_versions(run) if v.name not in known]
    assert len(new) == 2 and all(v.finished for v in new)
    source = hashlib.sha256(survey.read_bytes()).hexdigest()
    for version in new:
        copy = version.path / "survey" / survey.name
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == source
        assert source in (version.path / "inputs.json").read_text(encoding="utf-8")
        results = json.loads((version.path / "results.json").read_text(encoding="utf-8"))
        assert results["version"] == version.name and results["kind"] == "results"
