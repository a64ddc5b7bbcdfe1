"""The ``Sample`` result (样本) and what every design shares: seeded random order within groups
and assembly of the sample table with the design columns of ``docs/interfaces.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: design columns every selected unit carries (docs/interfaces.md): what estimation needs ...
ESTIMATION_COLUMNS = (
    "stratum",
    "psu",
    "prob_stage1",
    "prob_stage2",
    "prob",
    "weight",
    "fpc_stage1",
    "fpc_stage2",
)
#: ... and what only the field work needs (reserve lists and their order)
RESERVE_COLUMNS = ("reserve", "reserve_order", "reserve_group")
DESIGN_COLUMNS = ESTIMATION_COLUMNS + RESERVE_COLUMNS


def rank_within(codes: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based rank of each unit inside its group (``codes``) in ascending ``key`` order.

    Two stable argsorts (key, then group codes, radix-sorted when they fit 16 bits) are much
    faster than a lexsort on millions of units.
    """
    order = np.argsort(key, kind="stable")
    small = codes.astype(np.uint16) if codes.size and codes.max() < 2**16 else codes
    order = order[np.argsort(small[order], kind="stable")]
    sorted_codes = codes[order]
    first = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - group_start
    return rank


def random_rank_within(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rank of each unit in a seeded random permutation of its group (SRS order: the first n_h
    are the sample, the next ones the ordered reserves). Keys are a permutation, so no ties."""
    return rank_within(codes, rng.permutation(codes.size))


def reserve_ranks(codes: np.ndarray, selected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Order of use (1, 2, …) of the non-selected units of each group, in a seeded random order;
    0 for selected units."""
    key = rng.permutation(codes.size) + np.where(selected, 0, codes.size)
    rank = rank_within(codes, key) + 1
    taken = np.bincount(codes[selected], minlength=int(codes.max()) + 1 if codes.size else 0)
    return np.where(selected, 0, rank - taken[codes])


def assemble(
    frame_units: pd.DataFrame,
    rows: np.ndarray,
    design: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Sample table: the frame rows ``rows`` plus the design columns (``weight`` = 1/``prob``),
    sorted main sample first, then by reserve group, order of use and household."""
    units = frame_units.iloc[rows].reset_index(drop=True)
    prob = np.asarray(design["prob_stage1"], dtype=float) * np.asarray(design["prob_stage2"], float)
    columns: dict[str, Any] = {
        "stratum": pd.array(design["stratum"], dtype="str"),
        "psu": pd.array(design["psu"], dtype="str"),
        "prob_stage1": np.asarray(design["prob_stage1"], dtype=float),
        "prob_stage2": np.asarray(design["prob_stage2"], dtype=float),
        "prob": prob,
        "weight": 1.0 / prob,
        "fpc_stage1": np.asarray(design["fpc_stage1"], dtype=float),
        "fpc_stage2": np.asarray(design["fpc_stage2"], dtype=float),
        "reserve": np.asarray(design["reserve_order"]) > 0,
        "reserve_order": np.asarray(design["reserve_order"], dtype=np.int64),
        "reserve_group": pd.array(design["reserve_group"], dtype="str"),
    }
    table = pd.concat([units, pd.DataFrame(columns, index=units.index)], axis=1)
    order = np.lexsort(
        (
            units["household_id"].rank(method="first").to_numpy(),
            columns["reserve_order"],
            pd.factorize(columns["reserve_group"], sort=True)[0],
            columns["reserve"],
        )
    )
    return table.take(order).reset_index(drop=True)


@dataclass
class Sample:
    """A drawn sample: ``units`` (main sample and reserves, interfaces columns), ``design`` (the
    content of design.json without run metadata) and ``allocation`` (one row per stratum)."""

    units: pd.DataFrame
    design: dict[str, Any]
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def main(self) -> pd.DataFrame:
        """The main sample (no reserves)."""
        return self.units.loc[~self.units["reserve"]]

    @property
    def reserves(self) -> pd.DataFrame:
        """The ordered reserve lists."""
        return self.units.loc[self.units["reserve"]]

    def to_frame(self) -> pd.DataFrame:
        """The sample table (a copy)."""
        return self.units.copy()

    def __repr__(self) -> str:
        main = self.main
        return (
            f"Sample({self.design['design']}, {self.design['township']}: {len(main)} households in "
            f"{main['psu'].nunique()} PSUs / {main['stratum'].nunique()} strata, "
            f"{int(self.units['reserve'].sum())} reserves, seed {self.design['seed']})"
        )


def replacement_rule(group: str) -> str:
    """The replacement rule's code in design.json (替换规则): reserves in order within ``group``
    (``stratum`` or ``village``); the words are in the message catalogue (``sampling.rule_*``)."""
    if group not in ("stratum", "village"):
        raise ValueError(f"reserve group must be 'stratum' or 'village', not {group!r}")
    return f"reserve_in_order_{group}"


def design_info(
    kind: str, frame: Any, seed: int, parameters: dict[str, Any], rule: str
) -> dict[str, Any]:
    """The design part of design.json (run metadata such as versions are added by the writer)."""
    return {
        "design": kind,
        "township": frame.township,
        "seed": int(seed),
        "parameters": parameters,
        "frame_fingerprint": frame.fingerprint,
        "frame_households": frame.households,
        "frame_persons": frame.persons,
        "replacement_rule": rule,
    }
