"""Follow-up advice (evaluation.advice): exact OC search, checked by simulation with known truth.

Each simulation draws the advised extra households from a known finite remainder of the frame
(wrong households at the planning rate), estimates the combined sample as the assessment does
for an SRS without replacement (household rate: the domain proportion; person rate: the
linearised ratio), bounds it with evaluation.bounds and counts how often it is certified.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.advice import AdviceBasis, PersonBasis, certify_probability, extra_households
from evaluation.bounds import count_bounds, size_factor

REPS = 4000


def simulate(n, k, big_n, extra, planning_rate, sizes=None, seed=1, first=None):
    """Share of REPS follow-ups (``extra`` households from the N − n left) that certify."""
    rng = np.random.default_rng(seed)
    left = big_n - n
    wrong_left = round(planning_rate * left)
    remainder = np.zeros(left, dtype=bool)
    remainder[:wrong_left] = True
    picks = np.argsort(rng.random((REPS, left)), axis=1)[:, :extra]
    found = remainder[picks]  # (REPS, extra)
    total = n + extra
    f = total / big_n
    if sizes is None:  # household rate of an equal-weight SRS: p̂ = k'/n', SRSWOR SE
        events = k + found.sum(axis=1)
        p = events / total
        se = np.sqrt((1 - f) * p * (1 - p) / (total - 1))
        e = float(total)
    else:  # person rate: sampled sizes, ratio estimator and its linearised SRSWOR SE
        m_old = np.broadcast_to(first, (REPS, n))
        y_old = np.zeros((REPS, n), dtype=bool)
        y_old[:, :k] = True
        m = np.concatenate([m_old, rng.choice(sizes, size=(REPS, extra))], axis=1)
        y = np.concatenate([y_old, found], axis=1)
        events = y.sum(axis=1)
        p = (m * y).sum(axis=1) / m.sum(axis=1)
        z = m * (y - p[:, None])
        se = np.sqrt((1 - f) * (z**2).sum(axis=1) / (total - 1) / total) / m.mean(axis=1)
        e = total * size_factor(sizes)
    _, upper = count_bounds(p, se, total - 1, e, f, events, total - 1, 0.95)
    return float(np.mean(upper < 0.02))


@pytest.mark.parametrize(
    ("n", "k", "big_n"),
    [
        (100, 0, 1151),  # none found, too few to certify: the old advice said +1
        (140, 1, 1151),  # 东城街道: 1 of 140
        (150, 1, 600),  # p̂ ≈ 0.7% with a large sampling fraction
        (250, 2, 5000),  # p̂ = 0.8%
    ],
)
def test_promised_power_is_met_for_households(n, k, big_n):
    p = k / n
    se = np.sqrt((1 - n / big_n) * p * (1 - p) / (n - 1))  # SRSWOR
    today = count_bounds(p, se, n - 1, n, n / big_n, k, n - 1, 0.95)[1]
    assert today >= 0.02  # inconclusive today: advice is wanted
    basis = AdviceBasis(n, k, big_n, float(n), 1.0, 1.0, 0.02)
    advice = extra_households(basis)
    assert advice.power >= 0.8 and not advice.full_check
    # the smallest such m: one household fewer does not reach the power
    assert certify_probability(basis, np.array([advice.extra - 1]), 0.005, 0.95)[0] < 0.8
    share = simulate(n, k, big_n, advice.extra, 0.005)
    mc_se = np.sqrt(advice.power * (1 - advice.power) / REPS)
    assert share >= 0.8 - 2 * mc_se, (share, advice)
    assert share == pytest.approx(advice.power, abs=3 * mc_se + 0.01)


@pytest.mark.parametrize("wrong_size", [2, 5])
def test_promised_power_is_met_for_persons(wrong_size):
    # household sizes 1–6 as in the demo frames; the person rate counts n·s equivalent
    # households, and the simulation estimates the actual ratio with random sizes (the one wrong
    # household found so far has ``wrong_size`` persons)
    sizes = np.repeat([1, 2, 3, 4, 5, 6], [15, 22, 25, 20, 12, 6])
    n, k, big_n = 150, 1, 1200
    s = size_factor(sizes)
    rng = np.random.default_rng(3)
    sample = np.concatenate([[wrong_size], rng.choice(sizes, n - 1)]).astype(float)
    persons = PersonBasis(
        sample.sum(), np.square(sample).sum(), wrong_size, wrong_size**2,
        rng.choice(sizes, big_n - n).astype(float),
    )  # fmt: skip
    advice = extra_households(AdviceBasis(n, k, big_n, n * s, 1.0, 1.0, 0.02), persons=persons)
    share = simulate(n, k, big_n, advice.extra, 0.005, sizes=sizes, seed=7, first=sample)
    mc_se = np.sqrt(advice.power * (1 - advice.power) / REPS)
    assert share >= 0.8 - 2 * mc_se, (share, advice)


def test_zero_errors_never_advise_an_interview_that_cannot_certify():
    # 0 of 100 in 1151: certification needs the exact zero-error bound below 2% (n ≥ 134 with
    # none found); one more interview (the old "+1") has no chance
    basis = AdviceBasis(100, 0, 1151, 100.0, 1.0, 1.0, 0.02)
    assert certify_probability(basis, np.array([1]), 0.005, 0.95)[0] == 0.0
    advice = extra_households(basis)
    assert advice.extra >= 34 and advice.power >= 0.8


def test_full_check_when_the_remainder_cannot_deliver():
    # a village of 30 exited households, 10 sampled with 2 wrong: even a census of the other 20
    # at 0.5% leaves 2/30 = 6.7% > 2% — the advice is a full check and its chance is 0
    advice = extra_households(AdviceBasis(10, 2, 30, 10.0, 1.0, 1.0, 0.02))
    assert advice.full_check and advice.extra == 20 and advice.power == 0.0
    # every household already sampled: nothing left to add
    assert extra_households(AdviceBasis(30, 0, 30, 30.0, 1.0, 1.0, 0.02)).full_check


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(20, 400),
    k=st.integers(0, 6),
    extra_share=st.floats(0.05, 3.0),
    planning=st.sampled_from([0.0, 0.002, 0.005, 0.01]),
)
def test_more_errors_found_never_need_fewer_households(n, k, extra_share, planning):
    """For every sample, finding one more wrong household never raises the chance that a
    follow-up of the same size certifies (the bounds grow with the errors found)."""
    big_n = int(n * (1 + extra_share)) + 1
    m = np.arange(1, big_n - n + 1)
    one = certify_probability(AdviceBasis(n, k, big_n, float(n), 1.0, 1.0, 0.02), m, planning, 0.95)
    two = certify_probability(
        AdviceBasis(n, k + 1, big_n, float(n), 1.0, 1.0, 0.02), m, planning, 0.95
    )
    assert (two <= one + 1e-12).all()
