"""Two-stage sample (两阶段抽样): villages by systematic PPS without replacement (certainty
villages taken with probability 1 and treated as strata), then a fixed number of households per
village by SRS with an ordered reserve list per village."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from sampling.cluster import village_sizes, village_stage
from sampling.frame import Frame
from sampling.sample import Sample, assemble, design_info, random_rank_within, replacement_rule


def two_stage_sample(
    frame: Frame,
    villages_to_sample: int,
    households_per_village: int,
    seed: int,
    reserves: int = 0,
) -> Sample:
    """Villages πps by exited households, then k households per village (all if fewer).

    Non-certainty villages: stratum ``pps``, ``psu = village_id``, π1 = m'·N_i/ΣN, π2 = k_i/N_i,
    ``fpc_stage1`` NaN, ``fpc_stage2`` = N_i. Certainty village: stratum ``certainty:<village_id>``,
    ``psu = household_id``, π1 = k_i/N_i (the household stage is its first stage), π2 = 1,
    ``fpc_stage1`` = N_i.
    """
    if households_per_village is None or households_per_village < 1:
        raise RequestError(
            f"households per village must be at least 1; got {households_per_village!r}."
        )
    if reserves < 0:
        raise RequestError(f"reserves must be 0 or more; got {reserves}.")
    sizes = village_sizes(frame)
    rng = np.random.default_rng(seed)
    selected, pi, certain = village_stage(sizes, villages_to_sample, "pps", rng)
    units = frame.units
    v = sizes.index.get_indexer(units["village_id"])
    big_n = sizes.to_numpy()
    k = np.minimum(households_per_village, big_n)
    rank = random_rank_within(v, rng)
    in_village = selected[v]
    reserve_order = np.where(rank < k[v], 0, rank - k[v] + 1)
    keep = in_village & (reserve_order <= reserves)
    rows = np.flatnonzero(keep)
    vr = v[rows]
    vid = units["village_id"].to_numpy()[rows]
    cert = certain[vr]
    p2 = k[vr] / big_n[vr]
    n_i = big_n[vr].astype(float)
    table = assemble(
        units,
        rows,
        {
            "stratum": np.where(cert, "certainty:" + vid.astype(str), "pps"),
            "psu": np.where(cert, units["household_id"].to_numpy()[rows], vid),
            "prob_stage1": np.where(cert, p2, pi[vr]),
            "prob_stage2": np.where(cert, 1.0, p2),
            "fpc_stage1": np.where(cert, n_i, np.nan),
            "fpc_stage2": np.where(cert, np.nan, n_i),
            "reserve_order": reserve_order[rows],
            "reserve_group": vid,
        },
    )
    alloc = pd.DataFrame(
        {
            "stratum": np.where(certain, "certainty:" + sizes.index.to_numpy(dtype=str), "pps"),
            "village_id": sizes.index.to_numpy(),
            "households": big_n,
            "prob_village": pi,
            "selected": selected,
            "sampled": np.where(selected, k, 0),
            "reserves": np.where(selected, np.minimum(reserves, big_n - k), 0),
            "prob_household": np.where(selected, pi * k / big_n, np.nan),
        }
    )
    params = {
        "villages_to_sample": int(villages_to_sample),
        "households_per_village": int(households_per_village),
        "reserves": int(reserves),
        "village_selection": "systematic-pps",
    }
    info = design_info("two-stage", frame, seed, params, replacement_rule("village"))
    return Sample(table, info, alloc)
