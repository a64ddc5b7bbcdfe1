"""The vectorised review equals the assessment on one sample: estimates and SEs equal
``evaluation.SurveyDesign`` (design_from_sample), and the count basis, intervals and one-sided
bounds equal ``evaluation.rates.Designs.estimate(..., counts=True)``, persons and households."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from evaluation import design_from_sample
from evaluation.rates import Designs
from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.estimator import RatioEstimates, ratio_estimates
from evaluation.review.rules import review_bounds, review_interval
from evaluation.review.township import TownshipSpec, synthetic_township

TOWN = synthetic_township(TownshipSpec(households=600, villages=20), seed=11)
K = 4  # the 2 % township
#: 0 %, 2 % and 8 %: no wrong household (the exact zero-error bound), a few (events above
#: n*·p̂ for persons) and many (the cap n* ≤ e/(1 − f) binds in some replications)
RULE_RATES = (0, 4, 7)
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
    persons = ratio_estimates(d.weights, y, TOWN.size.astype(float), d.layout, TOWN.size_factor)
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


def _one(est: RatioEstimates, rep: int) -> RatioEstimates:
    """Replication ``rep`` alone, as a (1,) estimate."""
    fields = ("estimate", "se", "df", "n", "households", "events", "equivalent", "element_df")
    return replace(est, **{f: getattr(est, f)[rep : rep + 1] for f in fields})


@pytest.mark.parametrize("draw", DRAWS, ids=IDS)
def test_review_rule_equals_the_assessment(draw):
    """Count basis (Kish equivalent × size factor, f = n ÷ Σ weights, wrong households, n − H),
    interval of every method and the verdict's one-sided bounds equal ``Designs.estimate(...,
    counts=True)`` on the same sample; ``beta_raw`` equals the estimate without the rule."""
    d = draw(np.random.default_rng(5))
    level = 0.9
    capped = zero = 0
    for k, rep in itertools.product(RULE_RATES, range(d.replications)):
        y, persons, households = _vectorised(d, k)
        frame = _frame(d, rep, y, k)
        info = {"design": d.design}
        designs = Designs(
            households=design_from_sample(frame, info),
            persons=design_from_sample(
                frame.assign(weight=frame["weight"] * frame["household_size"]), info
            ),
            respondents=np.ones(len(frame), dtype=bool),
            size_factor=TOWN.size_factor,
        )
        for is_persons, est in ((True, persons), (False, households)):
            one = _one(est, rep)
            np.testing.assert_allclose(one.fraction, len(frame) / frame["weight"].sum(), rtol=1e-12)
            for method in ("beta", "logit", "mean"):
                ref = designs.estimate(
                    "wrong", persons=is_persons, method=method, level=level, counts=True
                )
                got = review_interval(method, one, level)
                np.testing.assert_allclose(np.ravel(got), ref.ci, rtol=1e-10, atol=1e-15)
                got = review_bounds(method, one, 0.95)
                np.testing.assert_allclose(np.ravel(got), ref.bounds(0.95), rtol=1e-10, atol=1e-15)
                if method == "beta":
                    basis = ref.basis
            np.testing.assert_allclose(one.equivalent, basis.equivalent, rtol=1e-12)
            np.testing.assert_allclose(one.fraction, basis.fraction, rtol=1e-12)
            assert one.events[0] == basis.events and one.element_df[0] == basis.element_df
            raw = designs.estimate("wrong", persons=is_persons, level=level)
            got = review_interval("beta_raw", one, level)
            np.testing.assert_allclose(np.ravel(got), raw.ci, rtol=1e-10, atol=1e-15)
            p, se = one.estimate[0], one.se[0]
            cap = basis.equivalent / (1 - basis.fraction)
            capped += p > 0 and se > 0 and p * (1 - p) / se**2 > cap
            zero += basis.events == 0
    assert capped >= 1 and zero >= 1  # the cap and the exact zero-error bound are both exercised
