"""The shipped demo inputs validate; loading 20,000 households stays fast."""

from __future__ import annotations

import time
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


def test_twenty_thousand_households_load_fast(tmp_path: Path) -> None:
    frame = chinese("households", households_table(20_000))
    frame["户编号"] = [f"H{i:06d}" for i in range(20_000)]
    path = write_csv(frame, tmp_path / "hh.csv", "gb18030")
    load("households", path)  # warm up imports and caches
    start = time.perf_counter()
    loaded = load("households", path)
    elapsed = time.perf_counter() - start
    assert len(loaded.frame) == 20_000
    assert elapsed < 2.0, f"loading 20,000 households took {elapsed:.2f} s"
