"""The vectorised estimator equals evaluation.SurveyDesign (design_from_sample) on one sample."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation import design_from_sample
from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.estimator import ratio_estimates
from evaluation.review.township import TownshipSpec, synthetic_township

TOWN = synthetic_township(TownshipSpec(households=600, villages=20), seed=11)
K = 4  # the 2 % township


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng: draw_stratified(TOWN, 60, 3, rng),
        lambda rng: draw_cluster(TOWN, 5, 3, rng),
        lambda rng: draw_two_stage(TOWN, 6, 8, 3, rng),
        lambda rng: draw_two_stage(TOWN, 14, 6, 3, rng),  # certainty villages as strata
    ],
    ids=["stratified", "cluster", "two-stage", "two-stage-certainty"],
)
def test_equals_surveydesign(draw):
    d = draw(np.random.default_rng(5))
    y = TOWN.wrong_persons()[:, K].astype(float)
    persons = ratio_estimates(d.weights, y, TOWN.size.astype(float), d.layout)
    households = ratio_estimates(
        d.weights, TOWN.wrong[:, K].astype(float), np.ones(TOWN.n_households), d.layout
    )
    nonzero = 0
    for rep in range(d.replications):
        frame = d.sample_frame(TOWN, rep)
        frame["y"] = y[frame["household_id"]]
        frame["wrong"] = TOWN.wrong[frame["household_id"], K].astype(float)
        design = design_from_sample(frame, {"design": d.design})
        ratio = design.ratio("y", "household_size")
        mean = design.mean("wrong")
        np.testing.assert_allclose(persons.estimate[rep], ratio.estimate, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(persons.se[rep], ratio.se, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(households.estimate[rep], mean.estimate, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(households.se[rep], mean.se, rtol=1e-10, atol=1e-15)
        assert persons.df[rep] == ratio.df
        nonzero += ratio.se > 0
    assert nonzero >= 1
