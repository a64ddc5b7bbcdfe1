"""Shared fixtures of the reliability tests: demo registry files and one sampled run folder.

The run folder is drawn by the real ``exitcheck sample`` with the sampling report replaced by a
recorder (the report is tested in tests/sampling), so it costs about a second.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_contracts.columns import spec
from data_contracts.demo import DemoDistrict, generate_district, simulate_survey
from data_contracts.demo.files import csv_bytes
from workbench.cli import main
from workbench.township_run import TownshipRun

TOWNSHIP = "白马镇"


def write_table(kind: str, frame: pd.DataFrame, path: Path) -> Path:
    """A canonical table written as the Chinese-header CSV a user would hand in."""
    path.write_bytes(csv_bytes(frame, spec(kind)))
    return path


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


def sample_argv(inputs: dict[str, Path], out: Path, *extra: str) -> list[str]:
    """``exitcheck sample`` arguments: stratified, 40 households, 3 reserves per stratum."""
    return [
        "sample", "--households", str(inputs["households"]), "--villages", str(inputs["villages"]),
        "--poverty-lines", str(inputs["poverty-lines"]), "--township", TOWNSHIP,
        "--design", "stratified", "--strata", "risk", "--n", "40", "--reserves", "3",
        "--seed", "7", "--out", str(out), *extra,
    ]  # fmt: skip


def draw_without_report(argv: list[str]) -> int:
    """Run ``exitcheck sample`` with the sampling report replaced by an empty file."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "workbench.commands.sample.render_report",
            lambda run_dir, lang: Path(run_dir) / "sampling_report.html",
        )
        return main(argv)


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
