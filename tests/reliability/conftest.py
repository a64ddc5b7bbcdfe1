"""Shared fixtures of the reliability tests: demo registry files and one sampled run folder.

The run folder is drawn by the real ``exitcheck sample`` with the sampling report replaced by a
recorder (the report is tested in tests/sampling), so it costs about a second.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import TOWNSHIP, draw_without_report, sample_argv, write_table

from data_contracts.demo import DemoDistrict, generate_district, simulate_survey
from workbench.township_run import TownshipRun


@pytest.fixture(scope="session")
def district() -> DemoDistrict:
    """The embedded demo district."""
    return generate_district()


@pytest.fixture(scope="session")
def inputs(district: DemoDistrict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo registry exports as Chinese-header CSV files."""
    folder = tmp_path_factory.mktemp("inputs")
    tables = {"households": district.households, "villages": district.villages,
              "poverty-lines": district.poverty_lines}  # fmt: skip
    return {kind: write_table(kind, t, folder / f"{kind}.csv") for kind, t in tables.items()}


@pytest.fixture(scope="session")
def run_folder(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A township run folder as ``exitcheck sample`` leaves it (never assessed: copy it first)."""
    out = tmp_path_factory.mktemp("run") / TOWNSHIP
    assert draw_without_report(sample_argv(inputs, out)) == 0
    return out


@pytest.fixture(scope="session")
def returns(run_folder: Path, district: DemoDistrict) -> pd.DataFrame:
    """Consistent simulated survey returns (canonical columns) for the run folder's sample."""
    drawn = TownshipRun.open(run_folder).design_info["created"][:10]
    sample = pd.read_parquet(run_folder / "sample.parquet")
    return simulate_survey(sample, district, seed=3, sample_date=drawn)
