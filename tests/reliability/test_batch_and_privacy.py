"""One real ``exitcheck demo`` run with one township's returns broken (docs/reliability.md §5-6):
the other township finishes, the broken one is reported and listed as missing, the exit status
says so; and no file of the run except the field manifest shows a name, ID number or phone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from reliability_helpers import draw_without_report, sample_argv

from data_contracts.records import DistrictRecord, read_record
from workbench.cli import main

pytestmark = pytest.mark.notebook

BROKEN, GOOD = "白马镇", "松林乡"
HOOK = Path(__file__).parent / "broken_township"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``exitcheck demo`` on two townships, 白马镇's returns broken; its folder and its output."""
    out = tmp_path_factory.mktemp("batch") / "demo"
    env = {**os.environ, "PYTHONPATH": str(HOOK), "BROKEN_TOWNSHIP": BROKEN}
    argv = [sys.executable, "-m", "workbench.cli", "demo", "--out", str(out), "--n", "30",
            "--jobs", "2", "--townships", GOOD, BROKEN]  # fmt: skip
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    (out / "exitcheck.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return out, done


def test_broken_township_is_reported_and_the_other_finishes(demo) -> None:
    out, done = demo
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert f"失败 {BROKEN}：2 problems in" in done.stdout
    assert "unique; the same value is on rows 2," in done.stdout
    assert (out / "townships" / GOOD / "assessments" / "v001" / "report.html").is_file()
    assert not (out / "townships" / BROKEN / "assessments").exists()
    district = json.loads((out / "district" / "district.json").read_text(encoding="utf-8"))
    [missing] = district["missing"]
    assert missing["run"].endswith(BROKEN)
    assert BROKEN in (out / "district" / "district_report.html").read_text(encoding="utf-8")


def _text_of(path: Path) -> str:
    """Searchable text of an output file (cells of workbooks and tables included)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(c) for ws in book for row in ws.iter_rows(values_only=True)
                         for c in row if c is not None)  # fmt: skip
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype("str").to_csv()
    return path.read_text(encoding="utf-8", errors="replace")


def test_no_personal_data_outside_the_manifest(demo) -> None:
    """Reports, notebooks, results, tables, logs: no name, 18-digit ID or 11-digit phone."""
    out, _ = demo
    households = pd.read_csv(out / "inputs" / "households.csv", dtype=str)
    secrets = set(households["证件号码"].dropna()) | set(households["联系电话"].dropna())
    # enumerators (调查员, staff named in the returns) may share a household head's name
    returns = [pd.read_csv(f, dtype=str) for f in (out / "survey").glob("*.csv")]
    staff = {n for r in returns if "调查员" in r for n in r["调查员"].dropna()}
    names = set(households["户主姓名"].dropna()) - staff
    outputs = [p for p in out.rglob("*") if p.is_file() and "inputs" not in p.parts
               and p.name != "manifest.xlsx" and p.suffix != ".lock"]  # fmt: skip
    kinds = {p.suffix for p in outputs}
    assert {".html", ".json", ".parquet", ".csv", ".xlsx", ".log"} <= kinds
    for path in outputs:
        text = _text_of(path)
        assert not set(re.findall(r"\d{17}[\dX]|\d{11}", text)) & secrets, path
        words = set(re.findall(r"[\u4e00-\u9fff]{2,4}", text))
        assert not {n for n in names if len(n) >= 2} & words, path
    manifest = _text_of(out / "townships" / GOOD / "manifest.xlsx")
    assert any(n in manifest for n in names)  # the field manifest does hold them


def test_sample_without_personal_data(inputs, tmp_path) -> None:
    out = tmp_path / "run"
    assert draw_without_report(sample_argv(inputs, out, "--no-personal-data")) == 0
    book = openpyxl.load_workbook(out / "manifest.xlsx", read_only=True)
    for sheet in book:
        header = next(sheet.iter_rows(values_only=True))
        assert "户主姓名" not in header and "联系电话" not in header
        assert "户编号" in header and "证件号码" in header
    design = json.loads((out / "design.json").read_text(encoding="utf-8"))
    assert design["parameters"]["personal_data_in_manifest"] is False


def test_district_command_lists_the_broken_township(demo, tmp_path, capsys) -> None:
    """``exitcheck district`` on both runs: report written in-process, 白马镇 listed as missing,
    exit 1; with no finished township at all: exit 1 and no output folder."""
    out, _ = demo
    runs = [str(out / "townships" / t) for t in (GOOD, BROKEN)]
    assert main(["district", *runs, "--out", str(tmp_path / "d1")]) == 1
    err = capsys.readouterr().err
    assert f"missing township run {runs[1]}: " in err and GOOD not in err
    record = read_record(tmp_path / "d1" / "district.json", DistrictRecord)
    assert [t.township for t in record.townships] == [GOOD]
    assert [(m.township, m.reason) for m in record.missing] == [(BROKEN, "no_finished_version")]
    assert BROKEN in (tmp_path / "d1" / "district_report.html").read_text(encoding="utf-8")
    assert main(["district", runs[1], "--out", str(tmp_path / "d2")]) == 1
    assert "no township has a finished assessment" in capsys.readouterr().err
    assert not (tmp_path / "d2").exists()


def test_district_names_an_unfinished_newest_version(demo, tmp_path, capsys) -> None:
    """The newest version interrupted: `district` uses the finished one, says so, exits 1."""
    out, _ = demo
    run = tmp_path / GOOD
    shutil.copytree(out / "townships" / GOOD, run)
    (run / "assessments" / "v002").mkdir()
    (run / "assessments" / "v002" / "STATUS").write_text("failed: disk full\n", encoding="utf-8")
    assert main(["district", str(run), "--out", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err
    assert f"{GOOD}: the newest version v002 is failed: disk full; the finished version v001 " \
        "was used instead" in err  # fmt: skip
    record = read_record(tmp_path / "d" / "district.json", DistrictRecord)
    assert [(t.township, t.version) for t in record.townships] == [(GOOD, "v001")]
