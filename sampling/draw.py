"""One entry point for every design: draw (or re-draw, from design.json) a township sample."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from data_contracts.errors import RequestError
from sampling.cluster import cluster_sample
from sampling.frame import Frame
from sampling.sample import Sample
from sampling.stratified import stratified_sample
from sampling.two_stage import two_stage_sample

DESIGNS = ("stratified", "cluster", "two-stage")

#: design -> (function, {parameter name in design.json: keyword of the function})
_DRAWERS = {
    "stratified": (
        stratified_sample,
        {
            "n": "n",
            "strata": "strata",
            "allocation": "allocation",
            "selection": "selection",
            "reserves": "reserves",
            "error_rates": "error_rates",
            "fixed": "fixed",
            "min_per_stratum": "min_per_stratum",
        },
    ),
    "cluster": (
        cluster_sample,
        {"villages_to_sample": "villages_to_sample", "village_selection": "selection"},
    ),
    "two-stage": (
        two_stage_sample,
        {
            "villages_to_sample": "villages_to_sample",
            "households_per_village": "households_per_village",
            "reserves": "reserves",
        },
    ),
}


def draw_sample(frame: Frame, design: str, seed: int, parameters: Mapping[str, Any]) -> Sample:
    """Draw with ``design`` using the design parameters found in ``parameters`` (others ignored,
    so the ``parameters`` of a design.json re-draws the same sample)."""
    if design not in _DRAWERS:
        raise RequestError(f"unknown design {design!r}; expected one of {', '.join(DESIGNS)}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise RequestError(f"seed must be a whole number ≥ 0; got {seed!r}.")
    func, names = _DRAWERS[design]
    kwargs = {kw: parameters[key] for key, kw in names.items() if key in parameters}
    if design == "two-stage" and parameters.get("village_selection", "systematic-pps") not in (
        "systematic-pps",
        "pps",
    ):
        raise RequestError("the two-stage design selects villages by PPS only.")
    return func(frame, seed=seed, **kwargs)
