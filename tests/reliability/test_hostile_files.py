"""Hostile input files through ``exitcheck``: exit 1 or 2 with the file, row and column named,
never a traceback, never a partial output (catalogue: docs/reliability.md §1)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import TOWNSHIP, draw_without_report, sample_argv

from data_contracts.columns import KINDS, spec
from data_contracts.demo.files import csv_bytes
from workbench.cli import main

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADER = {c.name: c.header for c in spec("households")}
#: cell texts no household size or per-capita income may take
HOSTILE_NUMBERS = ("", " ", "nan", "NaN", "inf", "-inf", "1e309", "1000000000", "-5", "=1+1",
                   '=HYPERLINK("http://x","y")', "NULL", "#N/A", "abc", "\x00", "9" * 400,
                   "１２３万", "1;2")  # fmt: skip


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit status and everything printed; a traceback would fail the test right here."""
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def problem_lines(output: str) -> list[tuple[str, str]]:
    """(row, rest of line) of each line of a printed problem table."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^(\d+)\s+(.*)$", output, re.M)]


@pytest.fixture(scope="module")
def households(district) -> pd.DataFrame:
    """Six registry rows of one township as a user's file has them: Chinese headers, text."""
    rows = district.households.loc[district.households["township"].eq(TOWNSHIP)].head(6)
    data = csv_bytes(rows, spec("households"))
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def good_xlsx(households: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six rows as an XLSX workbook with Chinese headers."""
    path = tmp_path_factory.mktemp("xlsx") / "households.xlsx"
    households.to_excel(path, index=False)
    return path


@FUZZ
@given(
    data=st.binary(max_size=2000),
    suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".xls", ".txt", ""]),
    kind=st.sampled_from(KINDS),
)
def test_random_bytes_exit_1_or_2_naming_the_file(data, suffix, kind, tmp_path, capsys) -> None:
    path = tmp_path / f"回收表{suffix}"
    path.write_bytes(data)
    status, output = run_cli(["validate", kind, str(path)], capsys)
    assert status in (1, 2)
    assert str(path) in output


@FUZZ
@given(cut=st.floats(0.0, 0.99), suffix=st.sampled_from([".xlsx", ".parquet"]))
def test_truncated_workbooks_and_parquet(households, good_xlsx, cut, suffix, tmp_path, capsys):
    if suffix == ".xlsx":
        data = good_xlsx.read_bytes()
    else:
        buffer = io.BytesIO()
        households.to_parquet(buffer)
        data = buffer.getvalue()
    path = tmp_path / f"households{suffix}"
    path.write_bytes(data[: int(len(data) * cut)])
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 2
    assert f"{path}: not a readable" in output or f"{path} is empty" in output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_chinese_csv_in_any_common_encoding_loads(households, encoding, tmp_path, capsys):
    text = households.to_csv(index=False)
    path = tmp_path / "households.csv"
    path.write_bytes(text.encode(encoding))
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 0, output
    assert "6 rows" in output


@FUZZ
@given(
    text=st.text(max_size=300),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "big5", "shift_jis", "latin-1"]),
)
def test_random_text_in_random_encodings(text, encoding, tmp_path, capsys) -> None:
    path = tmp_path / "villages.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    status, output = run_cli(["validate", "villages", str(path)], capsys)
    assert status in (1, 2)
    assert str(path) in output


@FUZZ
@given(
    column=st.sampled_from(["household_size", "income_per_capita"]),
    row=st.integers(0, 5),
    value=st.sampled_from(HOSTILE_NUMBERS),
)
def test_bad_cell_is_named_by_row_and_column(households, column, row, value, tmp_path, capsys):
    frame = households.copy()
    frame.loc[row, HEADER[column]] = value
    path = tmp_path / "households.csv"
    frame.to_csv(path, index=False)
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 1, output
    assert (str(row + 2), HEADER[column]) in [(r, rest.split()[0]) for r, rest in
                                             problem_lines(output)]  # fmt: skip


@FUZZ
@given(
    value=st.one_of(
        st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1.0, 2.0**62]),
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not 0 <= x <= 1e6),
    ),
    row=st.integers(0, 5),
)
def test_parquet_with_nan_inf_and_huge_numbers(households, value, row, tmp_path, capsys):
    frame = households.copy()
    income = HEADER["income_per_capita"]
    frame[income] = pd.to_numeric(frame[income].str.replace(",", "")).astype("float64")
    frame.loc[row, income] = value
    path = tmp_path / "households.parquet"
    frame.to_parquet(path)
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 1, output
    assert (str(row + 2), HEADER["income_per_capita"]) in [
        (r, rest.split()[0]) for r, rest in problem_lines(output)
    ]


def test_wrong_types_in_parquet(households, tmp_path, capsys) -> None:
    frame = households.copy()
    frame[HEADER["household_size"]] = [b"\x00\x01"] * len(frame)  # bytes where a count belongs
    frame[HEADER["exit_year"]] = pd.Timestamp("2017-01-01")  # a date where a year belongs
    path = tmp_path / "households.parquet"
    frame.to_parquet(path)
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 1, output
    named = {rest.split()[0] for _, rest in problem_lines(output)}
    assert {HEADER["household_size"], HEADER["exit_year"]} <= named


def _edit(book_path: Path, out: Path, edit) -> Path:
    book = openpyxl.load_workbook(book_path)
    edit(book)
    book.save(out)
    return out


def test_formula_without_value_is_a_blank_required_cell(good_xlsx, tmp_path, capsys) -> None:
    """openpyxl-written formulas carry no computed value: reported, never evaluated."""

    def formula(book):
        book.active["I3"] = "=1+1"  # 家庭人口数 of the second household

    path = _edit(good_xlsx, tmp_path / "formula.xlsx", formula)
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 1
    assert ("3", HEADER["household_size"]) in [(r, rest.split()[0]) for r, rest in
                                               problem_lines(output)]  # fmt: skip


def test_merged_cells_leave_the_lower_cells_blank(good_xlsx, tmp_path, capsys) -> None:
    path = _edit(good_xlsx, tmp_path / "merged.xlsx", lambda b: b.active.merge_cells("C2:C4"))
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 1
    rows = [(r, rest.split()[0]) for r, rest in problem_lines(output)]
    assert ("3", HEADER["township"]) in rows and ("4", HEADER["township"]) in rows


def test_hidden_sheets_are_skipped_unless_named(good_xlsx, tmp_path, capsys) -> None:
    def hide(book):
        old = book.create_sheet("旧数据", 0)
        old.sheet_state = "hidden"
        old["A1"] = "上年度导出"

    path = _edit(good_xlsx, tmp_path / "hidden.xlsx", hide)
    status, output = run_cli(["validate", "households", str(path)], capsys)
    assert status == 0, output
    assert "(sheet Sheet1)" in output
    status, output = run_cli(["validate", "households", str(path), "--sheet", "旧数据"], capsys)
    assert status == 2 and "no data rows" in output


def test_full_height_sheet_with_a_stray_last_cell(district, tmp_path, capsys) -> None:
    """A sheet used down to Excel's last row (1,048,576): read, and the stray row is named."""
    small = tmp_path / "lines.xlsx"
    district.poverty_lines.rename(
        columns={c.name: c.header for c in spec("poverty-lines")}
    ).to_excel(small, index=False)
    path = tmp_path / "lines_full.xlsx"
    last = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>2099</t></is></c></row>'
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", last.encode() + b"</sheetData>")
            zout.writestr(item, data)
    status, output = run_cli(["validate", "poverty-lines", str(path)], capsys)
    assert status == 1
    assert "1048576" in {r for r, _ in problem_lines(output)}


@settings(FUZZ, max_examples=5)
@given(data=st.binary(max_size=500), value=st.sampled_from(HOSTILE_NUMBERS))
def test_sample_leaves_no_run_folder_on_bad_input(inputs, households, data, value, tmp_path):
    """Unreadable or invalid registry files: no run folder (not even an empty one) is left."""
    broken = tmp_path / "households.csv"
    broken.write_bytes(data)
    out = tmp_path / "run_a"
    assert draw_without_report(sample_argv({**inputs, "households": broken}, out)) in (1, 2)
    assert not out.exists()
    frame = pd.read_csv(inputs["households"], dtype=str)
    frame.loc[3, HEADER["household_size"]] = value
    invalid = tmp_path / "households_invalid.csv"
    frame.to_csv(invalid, index=False)
    out = tmp_path / "run_b"
    assert draw_without_report(sample_argv({**inputs, "households": invalid}, out)) == 1
    assert not out.exists()


@FUZZ
@given(data=st.binary(max_size=500), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_assess_writes_no_version_on_bad_returns(run_folder, data, suffix, tmp_path, capsys):
    run = tmp_path / "run"
    if not run.exists():
        shutil.copytree(run_folder, run)
    survey = tmp_path / f"survey{suffix}"
    survey.write_bytes(data)
    status, output = run_cli(["assess", str(run), "--survey", str(survey)], capsys)
    assert status in (1, 2)
    assert str(survey) in output
    assert not (run / "assessments").exists()


@pytest.mark.parametrize("row", [1, 40])
def test_megabyte_cell(households, row, tmp_path, capsys) -> None:
    """A 1,000,000-character cell: refused as unreadable among the first rows (the header search
    reads them with the csv module), further down as longer than any Excel cell (32,767)."""
    frame = pd.concat([households] * 8, ignore_index=True)
    frame[HEADER["household_id"]] = [f"H{i:05d}" for i in range(len(frame))]
    frame.loc[row, HEADER["household_size"]] = "9" * 1_000_000
    path = tmp_path / "households.csv"
    frame.to_csv(path, index=False)
    code, output = run_cli(["validate", "households", str(path)], capsys)
    assert code == 2 and len(output) < 5000
    expected = (
        f"{path}, row {row + 2}: not a readable CSV"
        if row == 1
        else f"{path}, row {row + 2}, column 家庭人口数: a cell of 1,000,000 characters; the limit "
        "is 32,767 (no Excel cell holds more)"
    )
    assert expected in output
