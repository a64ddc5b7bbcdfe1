"""Reading files: encodings, title rows, sheets, Parquet, and unreadable or empty files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from contract_tables import (
    chinese,
    households_table,
    survey_table,
    villages_table,
    write_csv,
    write_xlsx,
)

from data_contracts import ContractError, ExitcheckError, RequestError, load
from data_contracts.columns import spec
from workbench.cli import exit_code


@pytest.fixture
def households() -> pd.DataFrame:
    return chinese("households", households_table(8))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_are_detected(
    tmp_path: Path, households: pd.DataFrame, encoding: str
) -> None:
    path = write_csv(households, tmp_path / "hh.csv", encoding)
    loaded = load("households", path)
    assert loaded.frame["township"].tolist()[:2] == ["城关镇", "柳青街道"]
    assert loaded.frame["head_name"].tolist()[1] == "欧阳娜娜"
    assert loaded.encoding == ("gb18030" if encoding.startswith("gb") else "utf-8-sig")
    assert loaded.header_map["township"] == "乡镇（街道）"
    assert len(loaded.sha256) == 64


def test_xlsx_with_two_title_rows(tmp_path: Path, households: pd.DataFrame) -> None:
    households["公示开始日期"] = pd.Timestamp("2016-08-03")  # Excel date cells
    households["家庭人口数"] = 3  # number cells
    path = write_xlsx(households, tmp_path / "hh.xlsx", title_rows=2)
    loaded = load("households", path)
    assert (loaded.frame["notice_start"] == pd.Timestamp("2016-08-03")).all()
    assert loaded.frame["household_size"].tolist() == [3] * 8
    assert len(loaded.frame) == 8
    assert loaded.rows.tolist() == list(range(4, 12))  # header on Excel row 3
    assert any("skipped 2 title row(s)" in note for note in loaded.notes)
    assert loaded.frame["income_per_capita"].tolist()[:2] == [4200.0, 3500.0]


def test_problem_rows_count_title_rows(tmp_path: Path, households: pd.DataFrame) -> None:
    households.loc[2, "家庭人口数"] = "0"
    path = write_xlsx(households, tmp_path / "hh.xlsx", title_rows=2)
    with pytest.raises(ContractError) as info:
        load("households", path)
    assert info.value.to_frame()[["file", "row", "column"]].values.tolist() == [
        [str(path), 6, "家庭人口数"]
    ]


def test_named_sheet_and_wrong_sheet(tmp_path: Path, households: pd.DataFrame) -> None:
    path = write_xlsx(households, tmp_path / "hh.xlsx", sheet="脱贫户")
    assert load("households", path, sheet="脱贫户").sheet == "脱贫户"
    with pytest.raises(
        RequestError, match=r"no sheet named '户表'; its sheets are: 脱贫户"
    ) as info:
        load("households", path, sheet="户表")
    assert exit_code(info.value) == 2


def test_extra_columns_are_dropped_with_a_note(tmp_path: Path, households: pd.DataFrame) -> None:
    households.insert(0, "序号", range(1, 9))
    households["备注"] = "x"
    loaded = load("households", write_csv(households, tmp_path / "hh.csv"))
    assert list(loaded.frame.columns) == [c.name for c in spec("households")]
    assert loaded.notes[0] == "2 column(s) not in the households contract dropped: 序号, 备注"


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    typed = load("villages", write_csv(chinese("villages", villages_table()), tmp_path / "v.csv"))
    typed.frame.to_parquet(tmp_path / "v.parquet")
    again = load("villages", tmp_path / "v.parquet")
    pd.testing.assert_frame_equal(again.frame, typed.frame)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b" \r\n\r\n", "is empty"),
        ("户编号,乡镇（街道）,村编码\r\n".encode(), r"has a header \(row 1\) but no data rows"),
    ],
    ids=["empty", "blank-lines", "header-only"],
)
def test_empty_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "hh.csv"
    path.write_bytes(content)
    with pytest.raises(RequestError, match=message) as info:
        load("households", path)
    assert exit_code(info.value) == 2 and not isinstance(info.value, ContractError)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ExitcheckError, match="no such file"):
        load("households", tmp_path / "missing.csv")
    (tmp_path / "hh.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ExitcheckError, match="not a readable XLSX workbook"):
        load("households", tmp_path / "hh.xlsx")
    (tmp_path / "hh.json").write_text("{}")
    with pytest.raises(ExitcheckError, match=r"unsupported file type '\.json'"):
        load("households", tmp_path / "hh.json")
    with pytest.raises(ExitcheckError, match="unknown table kind 'people'"):
        load("people", tmp_path / "hh.json")


def test_english_headers_and_units_in_headers(tmp_path: Path) -> None:
    df = households_table(4).rename(columns={"income_per_capita": "人均纯收入（元）"})
    loaded = load("households", write_csv(df, tmp_path / "hh.csv"))
    assert loaded.header_map["income_per_capita"] == "人均纯收入（元）"
    assert loaded.header_map["household_id"] == "household_id"


def test_repeated_headers(tmp_path: Path, households: pd.DataFrame) -> None:
    notes = pd.DataFrame({"备注": ["x"] * 8})
    repeated = pd.concat([households, notes, notes, households[["户编号"]]], axis=1)
    loaded_path = write_csv(repeated, tmp_path / "hh.csv")
    with pytest.raises(ContractError) as info:
        load("households", loaded_path)
    problems = info.value.to_frame()
    assert problems[["row", "column"]].values.tolist() == [[1, "户编号#2"]]
    assert "household_id only once; it is already given by 户编号" in problems["expected"][0]


def test_unvisited_survey_form_rows_are_set_aside(tmp_path: Path) -> None:
    """A partially returned form: rows with only the prefilled 户编号 are noted, not rejected."""
    frame = chinese("survey", survey_table())
    blank = {header: None for header in frame.columns}
    frame = pd.concat([frame, pd.DataFrame([{**blank, "户编号": "H00009"}])], ignore_index=True)
    loaded = load("survey", write_csv(frame, tmp_path / "returns.csv"))
    assert list(loaded.frame["household_id"]) == ["H00000", "H00001", "H00002", "H00003"]
    assert any("1 row(s) with no 调查状态" in note for note in loaded.notes)


def test_survey_row_with_data_but_no_status_is_still_an_error(tmp_path: Path) -> None:
    frame = chinese("survey", survey_table())
    frame.loc[0, "调查状态"] = None
    with pytest.raises(ContractError) as exc:
        load("survey", write_csv(frame, tmp_path / "returns.csv"))
    problems = exc.value.to_frame()
    assert (problems["column"] == "调查状态").any()
    assert (problems["row"] == 2).any()
