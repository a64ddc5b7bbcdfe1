"""``exitcheck validate``: output and exit codes."""

from __future__ import annotations

from pathlib import Path

from contract_tables import (
    chinese,
    households_table,
    survey_table,
    villages_table,
    write_csv,
    write_xlsx,
)

from workbench.cli import main


def test_ok_with_summary_and_notes(tmp_path: Path, capsys) -> None:
    df = chinese("households", households_table(8))
    df.insert(0, "序号", range(1, 9))
    path = write_xlsx(df, tmp_path / "hh.xlsx", title_rows=2)
    assert main(["validate", "households", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK households:")
    assert "8 rows, 2 townships, 3 villages, 21 persons, exit years 2016–2019" in out
    assert (
        "skipped 2 title row(s)" in out
        and "1 column(s) not in the households contract dropped: 序号" in out
    )


def test_problems_table_and_exit_1(tmp_path: Path, capsys) -> None:
    df = survey_table()
    df.loc[0, "visit_status"] = "外出"
    df.loc[1, "surveyed_income_per_capita"] = ""
    path = write_csv(chinese("survey", df), tmp_path / "survey.csv", "gbk")
    assert main(["validate", "survey", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"NOT OK survey: 2 problems in {path}"
    assert lines[1].split() == ["行", "row", "列", "column", "值", "value", "应为", "expected"]
    assert lines[3].split()[:3] == ["2", "调查状态", "外出"]
    assert lines[4].split()[:2] == ["3", "核实人均纯收入"]


def test_villages_cross_check(tmp_path: Path, capsys) -> None:
    villages = write_csv(chinese("villages", villages_table(2)), tmp_path / "v.csv")
    households = write_csv(chinese("households", households_table(4)), tmp_path / "h.csv")
    assert main(["validate", "households", str(households), "--villages", str(villages)]) == 1
    out = capsys.readouterr().out
    assert "1 problem in" in out and "371302002" in out  # a household in a third village
    assert "a village code listed in v.csv" in out
    assert main(["validate", "villages", str(villages), "--villages", str(villages)]) == 2
    assert "--villages applies to KIND households only" in capsys.readouterr().err


def test_unreadable_file_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["validate", "villages", str(tmp_path / "none.csv")]) == 2
    assert capsys.readouterr().err.startswith("exitcheck validate: ")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["validate", "villages", str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err
    path = write_xlsx(chinese("villages", villages_table()), tmp_path / "v.xlsx")
    assert main(["validate", "villages", str(path), "--sheet", "乡村"]) == 2
    assert "no sheet named '乡村'" in capsys.readouterr().err


def test_poverty_lines_summary(tmp_path: Path, capsys, table) -> None:
    path = write_csv(chinese("poverty-lines", table("poverty-lines")), tmp_path / "lines.csv")
    assert main(["validate", "poverty-lines", str(path)]) == 0
    assert "3 rows, years 2016–2017" in capsys.readouterr().out
