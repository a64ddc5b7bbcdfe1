"""The vectorised review equals the assessment on one sample: estimates and SEs equal
``evaluation.SurveyDesign`` (design_from_sample), and the floored SEs and intervals equal
``evaluation.rates.Designs.estimate(..., floor=True)``, persons and households."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evaluation import design_from_sample
from evaluation.rates import Designs, household_floor
from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.estimator import ratio_estimates
from evaluation.review.rules import review_interval
from evaluation.review.township import TownshipSpec, synthetic_township

TOWN = synthetic_township(TownshipSpec(households=600, villages=20), seed=11)
K = 4  # the 2 % township
FLOOR_RATES = (4, 7)  # 2 % and 8 %: the floor binds in a few replications of every design
DRAWS = [
    lambda rng: draw_stratified(TOWN, 60, 3, rng),
    lambda rng: draw_cluster(TOWN, 5, 3, rng),
    lambda rng: draw_two_stage(TOWN, 6, 8, 3, rng),
    lambda rng: draw_two_stage(TOWN, 14, 6, 3, rng),  # certainty villages as strata
]
IDS = ["stratified", "cluster", "two-stage", "two-stage-certainty"]


def _vectorised(d, k=K):
    """Persons (wrong-exit persons ÷ persons) and households estimates of every replication."""
    y = TOWN.wrong_persons()[:, k].astype(float)
    persons = ratio_estimates(d.weights, y, TOWN.size.astype(float), d.layout)
    households = ratio_estimates(
        d.weights, TOWN.wrong[:, k].astype(float), np.ones(TOWN.n_households), d.layout
    )
    return y, persons, households


def _frame(d, rep, y, k=K):
    frame = d.sample_frame(TOWN, rep)
    frame["y"] = y[frame["household_id"]]
    frame["wrong"] = TOWN.wrong[frame["household_id"], k].astype(float)
    frame["responded"] = True
    return frame


@pytest.mark.parametrize("draw", DRAWS, ids=IDS)
def test_equals_surveydesign(draw):
    d = draw(np.random.default_rng(5))
    y, persons, households = _vectorised(d)
    nonzero = 0
    for rep in range(d.replications):
        design = design_from_sample(_frame(d, rep, y), {"design": d.design})
        ratio = design.ratio("y", "household_size")
        mean = design.mean("wrong")
        np.testing.assert_allclose(persons.estimate[rep], ratio.estimate, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(persons.se[rep], ratio.se, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(households.estimate[rep], mean.estimate, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(households.se[rep], mean.se, rtol=1e-10, atol=1e-15)
        assert persons.df[rep] == ratio.df
        nonzero += ratio.se > 0
    assert nonzero >= 1


@pytest.mark.parametrize("draw", DRAWS, ids=IDS)
def test_floored_intervals_equal_the_assessment(draw):
    """Floored SE (f = n ÷ Σ weights) and interval of every method the assessment offers equal
    ``Designs.estimate(..., floor=True)``; ``beta_raw`` equals the unfloored estimate."""
    d = draw(np.random.default_rng(5))
    level = 0.9
    floored = 0
    for k, rep in itertools.product(FLOOR_RATES, range(d.replications)):
        y, persons, households = _vectorised(d, k)
        frame = _frame(d, rep, y, k)
        info = {"design": d.design}
        designs = Designs(
            households=design_from_sample(frame, info),
            persons=design_from_sample(
                frame.assign(weight=frame["weight"] * frame["household_size"]), info
            ),
            respondents=np.ones(len(frame), dtype=bool),
        )
        for is_persons, est in ((True, persons), (False, households)):
            args = (est.estimate[rep], est.se[rep], est.df[rep])
            n, f = est.n[rep], est.fraction[rep]
            np.testing.assert_allclose(f, len(frame) / frame["weight"].sum(), rtol=1e-12)
            for method in ("beta", "logit", "mean"):
                ref = designs.estimate(
                    "wrong", persons=is_persons, method=method, level=level, floor=True
                )
                se = household_floor(est.estimate[rep], est.se[rep], n, f)
                np.testing.assert_allclose(se, ref.se, rtol=1e-10, atol=1e-15)
                got = review_interval(method, *args, level, n, f)
                np.testing.assert_allclose(got, ref.ci, rtol=1e-10, atol=1e-15)
            raw = designs.estimate("wrong", persons=is_persons, level=level)
            got = review_interval("beta_raw", *args, level, n, f)
            np.testing.assert_allclose(got, raw.ci, rtol=1e-10, atol=1e-15)
            floored += ref.se > est.se[rep] * (1 + 1e-9)
    assert floored >= 1  # the floor is active somewhere, so the comparison is not vacuous
