"""Finding one more wrong household never lowers the upper bound (property, hypothesis).

For a fixed sample drawn by the tool (``sampling.draw.draw_sample`` on the review's synthetic
township turned into registry tables), wrong households are added one at a time in a random
order; the one-sided 95 % upper bound of the wrong-exit rate by households and by persons,
computed by the assessment itself (``evaluation.rates.Designs.estimate(..., counts=True)``),
must never decrease — a verdict must never improve because an error was found (issue 11).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from evaluation.bounds import size_factor
from evaluation.design_from_sample import design_from_sample
from evaluation.rates import Designs
from evaluation.review import TownshipSpec, synthetic_township
from sampling.draw import draw_sample
from sampling.frame import Frame, build_frame

pytestmark = pytest.mark.slow

#: the tool's designs at the sizes an assessor would use (sampling.draw.DESIGNS)
DESIGNS = {
    "stratified-risk": ("stratified", {"n": 150, "strata": "risk"}),
    "stratified-village": ("stratified", {"n": 120, "strata": "village"}),
    "cluster-pps": ("cluster", {"villages_to_sample": 5, "village_selection": "pps"}),
    "cluster-srs": ("cluster", {"villages_to_sample": 5, "village_selection": "srs"}),
    "two-stage": ("two-stage", {"villages_to_sample": 8, "households_per_village": 12}),
}
STEPS = 30  # wrong households added: well past where the bounds cross 2 %


@cache
def frame() -> Frame:
    """The synthetic township (600 households, 20 villages) as the registry would hold it."""
    town = synthetic_township(TownshipSpec(households=600, villages=20), seed=5)
    vids = np.array([f"V{v:02d}" for v in range(town.spec.villages)])
    margin = np.array([0.05, 0.2, 0.6])[town.band]  # reported margin in the town's risk band
    households = pd.DataFrame(
        {
            "household_id": [f"H{i:05d}" for i in range(town.n_households)],
            "township": "甲镇",
            "village_id": vids[town.village],
            "village": np.char.add(vids[town.village], "村"),
            "household_size": town.size,
            "income_per_capita": 3000.0 * (1 + margin),
            "exit_year": 2016,
        }
    )
    villages = pd.DataFrame({"village_id": vids, "township": "甲镇", "village": vids})
    lines = pd.DataFrame({"year": [2016], "line": [3000.0], "kind": ["national"], "source": ["s"]})
    return build_frame(households, villages, lines, "甲镇")


@cache
def sample(name: str, seed: int) -> tuple[pd.DataFrame, dict]:
    """The main sample of one design and seed (fixed once drawn) and its design.json."""
    design, params = DESIGNS[name]
    drawn = draw_sample(frame(), design, seed, params)
    return drawn.main.reset_index(drop=True), drawn.design


def upper_bounds(name: str, seed: int, order: np.ndarray) -> dict[str, np.ndarray]:
    """Upper bounds (households, persons) after 0, 1, …, STEPS wrong households (in ``order``)."""
    main, info = sample(name, seed)
    columns = {}
    wrong = np.zeros(len(main))
    for k in range(STEPS + 1):
        if k:
            wrong[order[k - 1]] = 1.0
        columns[f"wrong_{k}"] = wrong.copy()
    data = main.assign(responded=True, **columns)
    designs = Designs(
        households=design_from_sample(data, info),
        persons=design_from_sample(
            data.assign(weight=data["weight"] * data["household_size"]), info
        ),
        respondents=np.ones(len(data), dtype=bool),
        size_factor=size_factor(frame().units["household_size"]),
    )
    return {
        unit: np.array(
            [
                designs.estimate(f"wrong_{k}", persons=unit == "persons", counts=True).upper_bound(
                    0.95
                )
                for k in range(STEPS + 1)
            ]
        )
        for unit in ("households", "persons")
    }


KNOWN_FALLS = pytest.mark.xfail(
    strict=True,
    reason=(
        "open defect (issue 11): where the design n* = p̂(1−p̂)/V̂ is below the cap, a wrong "
        "household in a new PSU lowers V̂/p̂, n* grows and the Korn–Graubard bound falls "
        "(cluster-pps 1 → 2 wrong: 5.02% → 4.45%); every fall found is far above 2%"
    ),
)


@pytest.mark.parametrize(
    "name",
    [n if n == "stratified-risk" else pytest.param(n, marks=KNOWN_FALLS) for n in sorted(DESIGNS)],
)
# no shrinking: the inputs are seeds (nothing to simplify) and each example costs ~1 s; the
# message names the design, seeds, step and both bounds
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same draws every run: the strict xfails below are deterministic
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
# the smallest case found (reported to the lead, issue 11): cluster-pps, 5 of 20 villages by
# PPS, 179 households, df 4; households rate 1 wrong (V05) → 5.02 %, 2 wrong (+ V09) → 4.45 %
@example(seed=0, order_seed=3)
@given(
    seed=st.integers(0, 3),
    order_seed=st.integers(0, 2**32 - 1),
)
def test_upper_bound_never_falls_as_wrong_households_are_found(name, seed, order_seed):
    main, _ = sample(name, seed)
    order = np.random.default_rng(order_seed).permutation(len(main))[:STEPS]
    bounds = upper_bounds(name, seed, order)
    for unit, upper in bounds.items():
        drops = np.flatnonzero(np.diff(upper) < -1e-12)
        assert drops.size == 0, (
            f"{name} seed {seed} order_seed {order_seed} {unit}: bound falls from "
            f"{upper[drops[0]]:.5f} ({drops[0]} wrong) to {upper[drops[0] + 1]:.5f}"
        )
