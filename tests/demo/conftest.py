"""The demo district (generated once per session) and hand-built sample tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts.demo import DemoDistrict, generate_district


@pytest.fixture(scope="session")
def district() -> DemoDistrict:
    """The default demo district (seed 20161)."""
    return generate_district()


def _village_sample(households: pd.DataFrame, village_ids, n_main: int, n_reserve: int):
    """A sample table drawing the first ``n_main`` households of each village as main units and
    the next ``n_reserve`` as its ordered reserves (reserve_group = the village)."""
    units = households.loc[
        households["village_id"].isin(village_ids), ["household_id", "village_id"]
    ]
    place = units.groupby("village_id").cumcount().to_numpy()
    units = units.loc[place < n_main + n_reserve].assign(place=place[place < n_main + n_reserve])
    return pd.DataFrame(
        {
            "household_id": units["household_id"].to_numpy(),
            "stratum": units["village_id"].to_numpy(),
            "psu": units["household_id"].to_numpy(),
            "reserve": units["place"].to_numpy() >= n_main,
            "reserve_order": np.maximum(units["place"].to_numpy() - n_main + 1, 0),
            "reserve_group": units["village_id"].to_numpy(),
        }
    )


def _random_sample(households: pd.DataFrame, n: int, seed: int, township=None) -> pd.DataFrame:
    """A simple random sample of ``n`` households (optionally of one township), no reserves."""
    pool = households if township is None else households[households["township"] == township]
    ids = np.random.default_rng(seed).choice(pool["household_id"].to_numpy(), n, replace=False)
    return pd.DataFrame(
        {"household_id": ids, "reserve": False, "reserve_order": 0, "reserve_group": "all"}
    )


@pytest.fixture
def village_sample():
    """Builder of a per-village sample with ordered reserves."""
    return _village_sample


@pytest.fixture
def random_sample():
    """Builder of a simple random sample without reserves."""
    return _random_sample
