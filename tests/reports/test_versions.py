"""Assessment versions: numbered, never reused, STATUS tells finished from failed/killed."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from data_contracts.errors import ExitcheckError, InputError
from workbench.versions import (
    allocate_version,
    assessment_version,
    latest_finished,
    list_versions,
)

pytestmark = pytest.mark.notebook


def test_versions_count_up_and_only_finished_count(tmp_path: Path) -> None:
    with assessment_version(tmp_path) as v1:
        (v1 / "results.json").write_text("{}")
    with pytest.raises(ExitcheckError), assessment_version(tmp_path) as v2:
        raise InputError("survey file has problems\nsecond line")
    v3 = allocate_version(tmp_path)  # still running (this process)
    with pytest.raises(ZeroDivisionError), assessment_version(tmp_path):
        _ = 1 / 0
    versions = list_versions(tmp_path)
    assert [v.name for v in versions] == ["v001", "v002", "v003", "v004"]
    assert [v.status for v in versions] == ["finished", "failed", "running", "failed"]
    assert versions[1].detail == "survey file has problems"
    assert versions[3].detail == "ZeroDivisionError: division by zero"
    assert (v2 / "STATUS").read_text() == "failed: survey file has problems\n"
    assert v3.name == "v003"
    assert latest_finished(tmp_path).path == v1
    assert (v1 / "results.json").read_text() == "{}"


def test_missing_status_is_incomplete_and_no_finished_means_none(tmp_path: Path) -> None:
    (tmp_path / "assessments" / "v001").mkdir(parents=True)
    (tmp_path / "assessments" / "notes").mkdir()
    assert [(v.name, v.status) for v in list_versions(tmp_path)] == [("v001", "incomplete")]
    assert latest_finished(tmp_path) is None
    assert allocate_version(tmp_path).name == "v002"


def test_missing_run_folder(tmp_path: Path) -> None:
    with pytest.raises(ExitcheckError, match="does not exist"):
        allocate_version(tmp_path / "nope")


def _allocate(run: str) -> str:
    return allocate_version(run).name


def test_concurrent_assessors_get_distinct_versions(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        names = pool.map(_allocate, [str(tmp_path)] * 8)
    assert sorted(names) == [f"v{i:03d}" for i in range(1, 9)]


def test_killed_run_is_incomplete(tmp_path: Path) -> None:
    folder = allocate_version(tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a finished process id stands for a run killed with SIGKILL
    (folder / "STATUS").write_text(f"running pid={gone.pid} started=2026-11-28T00:00:00+00:00\n")
    [version] = list_versions(tmp_path)
    assert version.status == "incomplete"
    assert version.detail.startswith("interrupted (pid=")
    assert not version.finished
