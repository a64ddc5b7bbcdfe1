"""Write a few replications of each review design as sample tables for the R reference script.

Run from the repository root: ``python tests/review/reference/make_samples.py``; then
``Rscript tests/review/reference/make_reference.R`` writes ``r_reference.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.township import TownshipSpec, synthetic_township

HERE = Path(__file__).parent
RATE_INDEX = 4  # the 2% township
SEED = 7


def reference_draws():
    """The township and draws the reference uses (also rebuilt by the test)."""
    township = synthetic_township(TownshipSpec(households=600, villages=20), seed=SEED)
    rng = np.random.default_rng(SEED)
    return township, [
        draw_stratified(township, 60, 3, rng),
        draw_cluster(township, 5, 3, rng),
        draw_two_stage(township, 6, 8, 3, rng),
        draw_two_stage(township, 14, 6, 3, rng),  # large m: certainty villages appear
    ]


def main() -> None:
    township, draws = reference_draws()
    frames = []
    for case, d in enumerate(draws):
        for rep in range(d.replications):
            f = d.sample_frame(township, rep)
            f["y_persons"] = township.wrong_persons()[f["household_id"], RATE_INDEX]
            f["y_households"] = township.wrong[f["household_id"], RATE_INDEX].astype(int)
            f.insert(0, "rep", rep)
            f.insert(0, "case", case)
            frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["fpc_stage1"] = out["fpc_stage1"].fillna(np.inf)
    out.to_csv(HERE / "samples.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
