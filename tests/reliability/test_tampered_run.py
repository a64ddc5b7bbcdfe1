"""A run folder damaged or edited after sampling (docs/reliability.md §2b): ``exitcheck assess``
refuses with the file named, before any version folder exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import write_table

from workbench.cli import main


def _drop_reserve(run: Path) -> None:
    sample = pd.read_parquet(run / "sample.parquet").drop(columns=["reserve"])
    sample.to_parquet(run / "sample.parquet")


def _edit_registry(run: Path) -> None:
    path = run / "inputs" / "households.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 1))  # one line ending changed


TAMPER = {
    "design.json not an object": (
        lambda r: (r / "design.json").write_text("[]"),
        "design.json: not a design.json record",
    ),
    "design.json cut off": (
        lambda r: (r / "design.json").write_text("{"),
        "design.json: cannot read it as JSON",
    ),
    "sample.parquet garbage": (
        lambda r: (r / "sample.parquet").write_bytes(b"xx"),
        "sample.parquet was changed after the sample was drawn",
    ),
    "sample column dropped": (
        _drop_reserve,
        "sample.parquet was changed after the sample was drawn",
    ),
    "registry copies removed": (
        lambda r: shutil.rmtree(r / "inputs"),
        "the households registry copy recorded in design.json",
    ),
    "registry copy edited": (_edit_registry, "registry copies changed since the sample was drawn"),
}


@pytest.mark.parametrize("case", list(TAMPER))
def test_tampered_run_folder_is_refused(run_folder, returns, case, tmp_path, capsys) -> None:
    tamper, message = TAMPER[case]
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    tamper(run)
    survey = write_table("survey", returns, tmp_path / "returns.csv")
    assert main(["assess", str(run), "--survey", str(survey)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(run) in err
    assert not (run / "assessments").exists()
