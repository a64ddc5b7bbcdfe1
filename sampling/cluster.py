"""Cluster sample (整群抽样): villages drawn by SRS or PPS, every exited household of a selected
village surveyed (as in the Anhui 2017 monitoring)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from sampling.frame import Frame
from sampling.pps import systematic_pps
from sampling.sample import Sample, assemble, design_info

VILLAGE_SELECTIONS = ("pps", "srs")

NO_RESERVE_RULE = "none_cluster"  # every household of a selected village; no reserves


def village_sizes(frame: Frame) -> pd.Series:
    """Exited households per village of the frame (sorted by village_id)."""
    return frame.units.groupby("village_id", sort=True).size()


def village_stage(
    sizes: pd.Series, m: int, selection: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First stage over villages: ``(selected, pi, certain)`` by SRS or systematic PPS."""
    if selection not in VILLAGE_SELECTIONS:
        raise RequestError(f"unknown village selection {selection!r}; expected pps or srs.")
    big_m = sizes.size
    if m is None or not 1 <= m <= big_m:
        raise RequestError(
            f"villages to sample must be 1 to {big_m} (villages in the frame); got {m}."
        )
    if selection == "srs":
        selected = np.zeros(big_m, dtype=bool)
        selected[rng.permutation(big_m)[:m]] = True
        return selected, np.full(big_m, m / big_m), np.zeros(big_m, dtype=bool)
    selected, pi = systematic_pps(sizes.to_numpy(), m, rng)
    return selected, pi, pi >= 1.0


def cluster_sample(
    frame: Frame, villages_to_sample: int, seed: int, selection: str = "pps"
) -> Sample:
    """Select villages, take all their exited households.

    PPS villages: stratum ``pps``, ``psu = village_id``, ``fpc_stage1`` NaN (with-replacement
    approximation). Certainty villages: stratum ``certainty:<village_id>`` of households all taken.
    SRS villages: stratum ``srs`` with ``fpc_stage1`` = villages in the frame.
    """
    sizes = village_sizes(frame)
    rng = np.random.default_rng(seed)
    selected, pi, certain = village_stage(sizes, villages_to_sample, selection, rng)
    units = frame.units
    v = sizes.index.get_indexer(units["village_id"])
    rows = np.flatnonzero(selected[v])
    vr = v[rows]
    vid = units["village_id"].to_numpy()[rows]
    cert = certain[vr]
    n_i = sizes.to_numpy()[vr].astype(float)
    stratum = np.where(cert, "certainty:" + vid.astype(str), selection)
    table = assemble(
        units,
        rows,
        {
            "stratum": stratum,
            "psu": np.where(cert, units["household_id"].to_numpy()[rows], vid),
            "prob_stage1": pi[vr],
            "prob_stage2": np.ones(rows.size),
            "fpc_stage1": np.where(cert, n_i, sizes.size if selection == "srs" else np.nan),
            "fpc_stage2": np.where(cert, np.nan, n_i),
            "reserve_order": np.zeros(rows.size, dtype=np.int64),
            "reserve_group": vid,
        },
    )
    alloc = pd.DataFrame(
        {
            "stratum": np.where(certain, "certainty:" + sizes.index.to_numpy(dtype=str), selection),
            "village_id": sizes.index.to_numpy(),
            "households": sizes.to_numpy(),
            "prob_village": pi,
            "selected": selected,
            "sampled": np.where(selected, sizes.to_numpy(), 0),
        }
    )
    params = {"villages_to_sample": int(villages_to_sample), "village_selection": selection}
    info = design_info("cluster", frame, seed, params, NO_RESERVE_RULE)
    return Sample(table, info, alloc)
