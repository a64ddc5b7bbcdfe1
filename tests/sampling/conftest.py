"""Small synthetic registry tables for the sampling tests (no dependency on the demo district)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_tables(
    sizes: tuple[int, ...] = (40, 25, 12, 8, 5, 3, 30, 2), seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """households, villages and poverty lines of township 甲镇 (villages of the given sizes)
    plus a second township 乙镇 with one village."""
    rng = np.random.default_rng(seed)
    vids = [f"V{i:02d}" for i in range(len(sizes))]
    village = np.repeat(vids, sizes)
    n = len(village)
    households = pd.DataFrame(
        {
            "household_id": [f"H{i:05d}" for i in range(n)],
            "county": "兰山区",
            "township": "甲镇",
            "village_id": village,
            "village": [f"{v}村" for v in village],
            "head_name": [f"张{i}" for i in range(n)],
            "head_id_number": [f"37130219900101{i:04d}" for i in range(n)],
            "phone": [f"138{i:08d}" for i in range(n)],
            "household_size": rng.integers(1, 6, n),
            "income_per_capita": rng.uniform(3000, 5000, n).round(0),
            "exit_year": rng.choice([2016, 2017], n),
        }
    )
    other = households.iloc[:3].assign(
        township="乙镇", village_id="W01", village="W01村", household_id=["X1", "X2", "X3"]
    )
    households = pd.concat([households, other], ignore_index=True)
    villages = pd.DataFrame(
        {
            "village_id": [*vids, "W01"],
            "township": ["甲镇"] * len(vids) + ["乙镇"],
            "village": [f"{v}村" for v in [*vids, "W01"]],
        }
    )
    lines = pd.DataFrame(
        {
            "year": [2016, 2016, 2017],
            "line": [2952.0, 3372.0, 3600.0],
            "kind": ["national", "provincial", "national"],
            "source": ["a", "b", "c"],
        }
    )
    return households, villages, lines


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return make_tables()
