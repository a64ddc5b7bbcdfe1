"""Survey returns against the run's sample (docs/reliability.md §2): each inconsistency is
reported before any version is written; soft ones only pass with ``--accept-warnings``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import write_table

from data_contracts.columns import spec
from workbench.cli import main
from workbench.township_run import TownshipRun, check_returns

HEADER = {c.name: c.header for c in spec("survey")}


def assess_cli(run: Path, survey: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["assess", str(run), "--survey", str(survey)])
    return status, capsys.readouterr().err


def first(returns: pd.DataFrame, status: str) -> int:
    """Index of the first row with this visit status."""
    return int(returns.index[returns["visit_status"].eq(status)][0])


def _unknown(r: pd.DataFrame) -> pd.DataFrame:
    extra = r.loc[[first(r, "completed")]].assign(household_id="3713029999999999")
    return pd.concat([r, extra], ignore_index=True)


def _duplicate(r: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([r, r.loc[[first(r, "completed")]]], ignore_index=True)


def _replaces_surveyed(r: pd.DataFrame) -> pd.DataFrame:
    r = r.copy()
    r.loc[first(r, "replacement"), "replaces_household_id"] = r.loc[0, "household_id"]
    return r


def _reserve_as_completed(r: pd.DataFrame) -> pd.DataFrame:
    r = r.copy()
    r.loc[first(r, "replacement"), ["visit_status", "replaces_household_id"]] = ["completed", None]
    return r


def _blank_interview(r: pd.DataFrame) -> pd.DataFrame:
    r = r.copy()
    r.loc[first(r, "completed"), "verified_housing_secure"] = pd.NA
    return r


HARD = {
    "unknown household": (_unknown, "household_id not in the sample: 3713029999999999"),
    "duplicate": (_duplicate, "unique; the same value is on rows 2, 46"),
    "replaces a surveyed household": (
        _replaces_surveyed,
        "or not-found (未找到) row",
    ),
    "reserve marked completed": (_reserve_as_completed, "'replacement' must be used exactly"),
    "blank interview": (_blank_interview, "rows must carry it"),
}


@pytest.mark.parametrize("case", list(HARD))
def test_inconsistent_returns_are_refused(run_folder, returns, case, tmp_path, capsys) -> None:
    change, message = HARD[case]
    survey = write_table("survey", change(returns), tmp_path / "returns.csv")
    status, err = assess_cli(run_folder, survey, capsys)
    assert status == 1
    assert message in err
    assert "Traceback" not in err
    assert not (run_folder / "assessments").exists()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("surveyed_income_per_capita", 1e9, "1000000"),
        ("surveyed_household_size", 0, "1"),
        ("surveyed_household_size", 10**6, "50"),
    ],
)
def test_impossible_values_name_row_and_column(
    run_folder, returns, column, value, expected, tmp_path, capsys
) -> None:
    frame = returns.copy()
    row = first(frame, "completed") + 3
    frame.loc[row, column] = value
    survey = write_table("survey", frame, tmp_path / "returns.csv")
    status, err = assess_cli(run_folder, survey, capsys)
    assert status == 1
    line = next(ln for ln in err.splitlines() if ln.startswith(str(row + 2) + " "))
    assert HEADER[column] in line and expected in line
    assert not (run_folder / "assessments").exists()


def test_consistent_returns_have_no_warnings(run_folder, returns, tmp_path) -> None:
    survey = write_table("survey", returns, tmp_path / "returns.csv")
    _, _, warnings = check_returns(TownshipRun.open(run_folder), survey)
    assert warnings == []


def _early(r: pd.DataFrame) -> pd.DataFrame:
    return r.assign(survey_date=r["survey_date"].where(r.index != 2, pd.Timestamp("2020-01-01")))


def _missing(r: pd.DataFrame) -> pd.DataFrame:
    return r.drop(index=first(r, "completed"))


def _out_of_order(r: pd.DataFrame, run_folder: Path, note: str | None) -> pd.DataFrame:
    """The first replacement takes the second reserve of its list instead of the first."""
    sample = pd.read_parquet(run_folder / "sample.parquet").set_index("household_id")
    r = r.copy()
    row = first(r, "replacement")
    group = sample.loc[r.loc[row, "household_id"], "reserve_group"]
    order = sample["reserve_group"].eq(group) & sample["reserve_order"].eq(2)
    second = sample.index[order][0]
    assert second not in set(r["household_id"]), "fixture: second reserve already used"
    r.loc[row, ["household_id", "notes"]] = [second, note]
    return r


def test_soft_problems_need_accept_warnings(run_folder, returns, tmp_path, capsys) -> None:
    cases = {
        "dated before the sample was drawn": _early(returns),
        "have no survey row and will count as non-respondents": _missing(returns),
        "not taken from the reserve list in order": _out_of_order(returns, run_folder, None),
    }
    run = TownshipRun.open(run_folder)
    for i, (message, frame) in enumerate(cases.items()):
        survey = write_table("survey", frame, tmp_path / f"returns{i}.csv")
        status, err = assess_cli(run_folder, survey, capsys)
        assert status == 1 and message in err and "--accept-warnings" in err
        _, _, warnings = check_returns(run, survey, accept_warnings=True)
        assert len(warnings) == 1 and message in warnings[0]
    assert not (run_folder / "assessments").exists()


def test_skipped_reserves_stated_in_notes_are_fine(run_folder, returns, tmp_path) -> None:
    frame = _out_of_order(returns, run_folder, "顺延：跳过1户无法访问的备用户")
    survey = write_table("survey", frame, tmp_path / "returns.csv")
    _, _, warnings = check_returns(TownshipRun.open(run_folder), survey)
    assert warnings == []
    wrong_count = _out_of_order(returns, run_folder, "顺延：跳过2户无法访问的备用户")
    survey = write_table("survey", wrong_count, tmp_path / "returns2.csv")
    _, _, warnings = check_returns(TownshipRun.open(run_folder), survey, accept_warnings=True)
    assert len(warnings) == 1 and "(skips 1)" in warnings[0]
