"""Atomic writes never overwrite and leave ordinary file permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from data_contracts.errors import ExitcheckError
from data_contracts.fileio import atomic_write_json, atomic_write_text, new_run_dir


def test_atomic_write_refuses_existing_file(tmp_path: Path) -> None:
    target = atomic_write_text(tmp_path / "report.html", "first")
    with pytest.raises(ExitcheckError, match="refusing to overwrite"):
        atomic_write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left


def test_atomic_write_overwrite_and_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = atomic_write_json(tmp_path / "r.json", {"城镇": 1})
        atomic_write_json(target, {"城镇": 2}, overwrite=True)
    finally:
        os.umask(old)
    assert '"城镇": 2' in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_new_run_dir_refuses_non_empty(tmp_path: Path) -> None:
    run = new_run_dir(tmp_path / "run")
    (run / "design.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ExitcheckError, match="not empty"):
        new_run_dir(run)
    assert new_run_dir(tmp_path / "empty").is_dir()
