"""A tampered or half-written run folder is refused before anything is written (issue 17).

After sampling: one weight multiplied by 100, one sampled household deleted, the seed changed
or the frame fingerprint zeroed in design.json, the manifest deleted, design.json missing (an
interrupted `sample`) — `exitcheck assess` exits 2 naming the file, and no version folder
exists afterwards.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import write_table

from data_contracts.records import DesignRecord, read_record
from data_contracts.seal import seal_of, seal_problems
from workbench.cli import main
from workbench.versions import list_versions


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _weight_times_100(run: Path) -> None:
    sample = pd.read_parquet(run / "sample.parquet")
    sample.loc[0, "weight"] = sample.loc[0, "weight"] * 100
    (run / "sample.parquet").write_bytes(_parquet(sample))


def _delete_household(run: Path) -> None:
    sample = pd.read_parquet(run / "sample.parquet")
    (run / "sample.parquet").write_bytes(_parquet(sample.iloc[1:]))


def _edit_design(run: Path, **changes: object) -> None:
    path = run / "design.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


CASES = {
    "weight x100": (_weight_times_100, "sample.parquet was changed"),
    "household deleted": (_delete_household, "sample.parquet was changed"),
    "seed changed": (lambda run: _edit_design(run, seed=8), "design.json was edited"),
    "fingerprint zeroed": (
        lambda run: _edit_design(run, frame_fingerprint="0" * 64),
        "design.json was edited",
    ),
    "manifest deleted": (lambda run: (run / "manifest.xlsx").unlink(), "manifest.xlsx is missing"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_tampered_run_is_refused_before_any_version(
    case: str, run_folder: Path, returns: pd.DataFrame, tmp_path: Path, capsys
) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    tamper, expected = CASES[case]
    tamper(run)
    assert main(["assess", str(run), "--survey", str(survey)]) == 2
    err = capsys.readouterr().err
    assert "does not match its seal" in err and expected in err, err
    assert list_versions(run) == [] and not (run / "assessments").exists()


def test_interrupted_sample_is_not_a_run(run_folder: Path, returns, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    (run / "design.json").unlink()  # `sample` writes it last: killed before, it is absent
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    assert main(["assess", str(run), "--survey", str(survey)]) == 2
    assert "design.json is missing" in capsys.readouterr().err
    assert not (run / "assessments").exists()


def test_intact_run_matches_its_seal(run_folder: Path) -> None:
    record = read_record(run_folder / DesignRecord.FILE, DesignRecord)
    assert record.seal == seal_of(record) and len(record.seal) == 64
    assert set(record.files) == {"sample.parquet", "sample.csv", "manifest.xlsx",
                                 "survey_form.xlsx", "survey_form.xlsform.xlsx",
                                 "households_preload.csv"}  # fmt: skip
    assert seal_problems(run_folder, record) == []


def test_district_and_report_refuse_a_tampered_run(run_folder, returns, tmp_path, capsys) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_folder, run)
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    assert main(["assess", str(run), "--survey", str(survey)]) == 0
    _weight_times_100(run)
    capsys.readouterr()
    assert main(["district", str(run), "--out", str(tmp_path / "d")]) == 2
    assert "sample.parquet was changed" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
    for folder in (run, run / "assessments" / "v001"):
        assert main(["report", str(folder), "--lang", "en"]) == 2
        assert "does not match its seal" in capsys.readouterr().err
    assert not list(run.glob("*.en.html")) and not list(run.rglob("report.en.html"))
