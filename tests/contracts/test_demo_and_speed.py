"""The shipped demo inputs validate; a province-sized export loads completely."""

from __future__ import annotations

from pathlib import Path

import pytest
from contract_tables import chinese, households_table, write_csv

from data_contracts import check_villages_exist, load
from data_contracts.demo import demo_input_paths


@pytest.fixture(scope="module")
def demo() -> dict:
    return {kind: load(kind, path) for kind, path in demo_input_paths().items()}


def test_shipped_demo_inputs_validate(demo: dict) -> None:
    households, villages, lines = demo["households"], demo["villages"], demo["poverty-lines"]
    assert 10_000 <= len(households.frame) <= 20_000
    assert households.header_map["household_id"] == "户编号"  # Chinese headers in the XLSX
    assert 200 <= len(villages.frame) <= 300
    assert set(households.frame["exit_year"]) <= set(range(2016, 2020))
    assert {2016, 2019} <= set(lines.frame["year"]) and (lines.frame["source"].str.len() > 0).all()
    check_villages_exist(households, villages)


def test_twenty_thousand_gb18030_households_load(tmp_path: Path) -> None:
    """A province-sized GB18030 export loads completely (speed: benchmarks/bench_contracts.py)."""
    frame = chinese("households", households_table(20_000))
    frame["户编号"] = [f"H{i:06d}" for i in range(20_000)]
    path = write_csv(frame, tmp_path / "hh.csv", "gb18030")
    loaded = load("households", path)
    assert len(loaded.frame) == 20_000
    assert loaded.frame["household_id"].iloc[-1] == "H019999"
    assert loaded.encoding == "gb18030"
