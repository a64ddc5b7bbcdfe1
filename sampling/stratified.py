"""Stratified household sample (分层抽样): strata by village or by risk band of the income margin,
SRS or systematic selection within strata, ordered reserves per stratum."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from sampling.allocation import allocate
from sampling.frame import Frame, risk_band_labels
from sampling.pps import systematic_equal
from sampling.sample import (
    Sample,
    assemble,
    design_info,
    random_rank_within,
    rank_within,
    replacement_rule,
    reserve_ranks,
)

STRATA = ("village", "risk")
SELECTIONS = ("srs", "systematic")


def stratified_sample(
    frame: Frame,
    n: int | None,
    seed: int,
    strata: str = "risk",
    allocation: str = "proportional",
    selection: str = "srs",
    reserves: int = 0,
    error_rates: Mapping[str, float] | None = None,
    fixed: Mapping[str, int] | None = None,
    min_per_stratum: int = 2,
) -> Sample:
    """Draw households directly within strata; π = n_h / N_h, ``psu = household_id``.

    SRS takes the first n_h households of a seeded random permutation of the stratum and the next
    ``reserves`` as the ordered reserve list. Systematic selection runs along the stratum sorted by
    income margin (implicit stratification) with a fractional interval, so π = n_h / N_h exactly;
    its reserves are a seeded random order of the households not selected.
    """
    if strata not in STRATA:
        raise RequestError(f"unknown strata {strata!r}; expected one of {', '.join(STRATA)}.")
    if selection not in SELECTIONS:
        raise RequestError(
            f"unknown selection {selection!r}; expected one of {', '.join(SELECTIONS)}."
        )
    if reserves < 0:
        raise RequestError(f"reserves must be 0 or more; got {reserves}.")
    units = frame.units
    if strata == "village":
        label = units["village_id"].astype("str")
    else:  # bands in margin order, not alphabetical
        bands = [*risk_band_labels(frame.cut_points), "unknown"]
        label = pd.Categorical(units["risk_band"].astype("str"), categories=bands)
    codes, labels = pd.factorize(label, sort=True)
    labels = pd.Index(np.asarray(labels, dtype=object))
    big_n = np.bincount(codes, minlength=labels.size)
    n_h = allocate(
        pd.Series(big_n, index=labels), n, allocation, error_rates, fixed, min_per_stratum
    ).to_numpy()
    if n_h.sum() == 0:
        raise RequestError("the allocation selects no household; give a positive sample size.")

    rng = np.random.default_rng(seed)
    if selection == "srs":
        rank = random_rank_within(codes, rng)
        selected = rank < n_h[codes]
        reserve_order = np.where(selected, 0, rank - n_h[codes] + 1)
    else:
        margin_order = np.argsort(
            units["margin"].to_numpy(dtype=float, na_value=np.inf), kind="stable"
        )
        position = rank_within(codes, np.argsort(margin_order, kind="stable"))
        selected = systematic_equal(codes, big_n, n_h, position, rng)
        reserve_order = reserve_ranks(codes, selected, rng)
    in_use = n_h[codes] > 0  # a stratum given no sample (fixed allocation) has no reserves
    keep = selected | (in_use & (reserve_order >= 1) & (reserve_order <= reserves))
    rows = np.flatnonzero(keep)
    c = codes[rows]
    prob = n_h[c] / big_n[c]
    stratum = np.asarray(labels, dtype=object)[c]
    table = assemble(
        units,
        rows,
        {
            "stratum": stratum,
            "psu": units["household_id"].to_numpy()[rows],
            "prob_stage1": prob,
            "prob_stage2": np.ones(rows.size),
            "fpc_stage1": big_n[c],
            "fpc_stage2": np.full(rows.size, np.nan),
            "reserve_order": reserve_order[rows],
            "reserve_group": stratum,
        },
    )
    alloc = pd.DataFrame(
        {
            "stratum": np.asarray(labels, dtype=object),
            "households": big_n,
            "sampled": n_h,
            "reserves": np.where(n_h > 0, np.minimum(reserves, big_n - n_h), 0),
            "prob": n_h / big_n,
            "weight": np.where(n_h > 0, big_n / np.maximum(n_h, 1), np.nan),
        }
    )
    params = {
        "n": int(n_h.sum()),
        "strata": strata,
        "allocation": allocation,
        "selection": selection,
        "reserves": int(reserves),
        "error_rates": dict(error_rates or {}),
        "fixed": {k: int(v) for k, v in (fixed or {}).items()},
        "min_per_stratum": int(min_per_stratum),
        "risk_cut_points": list(frame.cut_points),
    }
    info = design_info("stratified", frame, seed, params, replacement_rule("stratum"))
    return Sample(table, info, alloc)
