"""Failures of the environment end in one clear message and a usable folder (issue 17).

A full disk while `sample` writes, a control character in --out, a read-only run folder for
`assess`, Ctrl-C while Python is still importing: exit 2 (130 for Ctrl-C), one line naming what
failed and what to do, no traceback, nothing half-written that blocks the next run.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from reliability_helpers import draw_without_report, sample_argv, write_table

from data_contracts import fileio
from workbench import entry
from workbench.cli import main
from workbench.versions import list_versions

pytestmark = pytest.mark.slow


def test_disk_full_during_sample_leaves_nothing_and_rerun_works(
    inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    real = fileio.atomic_write_bytes
    calls = {"n": 0}

    def full_on_third(path, data, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # registry copies written, then the disk fills up
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data, *args, **kwargs)

    out = tmp_path / "run"
    with monkeypatch.context() as mp:
        mp.setattr("workbench.commands.sample.atomic_write_bytes", full_on_third)
        assert draw_without_report(sample_argv(inputs, out)) == 2
    err = capsys.readouterr().err
    assert "No space left on device (the disk is full; free some space" in err
    assert "Traceback" not in err
    assert not out.exists()  # the half-written folder is gone …
    assert draw_without_report(sample_argv(inputs, out)) == 0  # … so the same command works
    assert (out / "design.json").is_file()


def test_control_character_in_out_is_refused_before_anything(inputs, tmp_path, capsys) -> None:
    out = tmp_path / "run\nx"
    assert draw_without_report(sample_argv(inputs, out)) == 2
    assert "contains a control character" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_read_only_run_folder(run_folder, returns, tmp_path, capsys) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    run.chmod(0o555)
    try:
        assert main(["assess", str(run), "--survey", str(survey)]) == 2
    finally:
        run.chmod(0o755)
    err = capsys.readouterr().err
    assert "Permission denied" in err and "Traceback" not in err


def test_os_error_while_assessing_marks_the_version_failed(
    run_folder, returns, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, tmp_path / "survey.csv")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(run / "units.parquet"))

    monkeypatch.setattr("workbench.commands.assess.save_results", disk_full)
    assert main(["assess", str(run), "--survey", str(survey)]) == 2
    assert "the disk is full" in capsys.readouterr().err
    (version,) = list_versions(run)
    assert version.status == "failed" and not version.finished  # never read as results
    monkeypatch.undo()
    assert main(["assess", str(run), "--survey", str(survey)]) == 0  # the folder still works
    assert [v.finished for v in list_versions(run)] == [False, True]


def test_ctrl_c_while_importing(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    class Interrupting:
        def find_spec(self, name, path=None, target=None):
            if name == "workbench.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "workbench.cli")
    monkeypatch.setattr(sys, "meta_path", [Interrupting(), *sys.meta_path])
    assert entry.main() == 130
    assert capsys.readouterr().err == "exitcheck: interrupted\n"


def test_dangling_link_named_like_a_version_is_skipped(run_folder, returns, tmp_path) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    (run / "assessments").mkdir()
    (run / "assessments" / "v001").symlink_to(tmp_path / "nowhere")
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    assert main(["assess", str(run), "--survey", str(survey)]) == 0
    assert [v.name for v in list_versions(run)] == ["v002"]


def test_previous_returns_that_no_longer_load_do_not_block_assess(
    run_folder, returns, tmp_path
) -> None:
    """The previous version's survey copy unreadable (damaged, or valid only under an older
    contract): the new version is assessed, its changes.json simply lists no field changes."""
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    assert main(["assess", str(run), "--survey", str(survey)]) == 0
    (run / "assessments" / "v001" / "survey" / "survey.csv").write_bytes(b"\x00garbage")
    assert main(["assess", str(run), "--survey", str(survey)]) == 0
    changes = json.loads((run / "assessments" / "v002" / "changes.json").read_text("utf-8"))
    assert changes["previous"] == "v001" and changes["field_changes"] == []
