"""Helpers of the reliability tests (a module of its own, so that test files import them by a
name no other test folder uses; ``conftest`` is a name every folder has)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_contracts.columns import spec
from data_contracts.demo.files import csv_bytes
from workbench.cli import main

TOWNSHIP = "白马镇"


def write_table(kind: str, frame: pd.DataFrame, path: Path) -> Path:
    """A canonical table written as the Chinese-header CSV a user would hand in."""
    path.write_bytes(csv_bytes(frame, spec(kind)))
    return path


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
