"""Sample-size and acceptance plans against closed forms, published tables and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from data_contracts.errors import ExitcheckError
from sampling.plans import (
    acceptance_plan,
    cochran_sample_size,
    expected_margin,
    lqas_plan,
    oc_curve,
    zero_failure_plan,
)


def test_cochran_385_and_fpc_and_deff() -> None:
    assert cochran_sample_size(0.05, 0.95, 0.5).n == 385
    # closed form n0 = 1.959964^2 * .25 / .0025 = 384.1459;
    # FPC with N = 1000: 384.15 / (1 + 383.15/1000)
    plan = cochran_sample_size(0.05, 0.95, 0.5, population=1000)
    assert plan.n0 == pytest.approx(384.1459, abs=1e-3)
    assert plan.n == math.ceil(384.1459 / (1 + 383.1459 / 1000)) == 278
    assert cochran_sample_size(0.05, 0.95, 0.5, deff=2.0).n == 769
    assert "n=385" in repr(cochran_sample_size())
    assert cochran_sample_size().to_frame().loc[0, "n"] == 385


def test_expected_margin_inverts_cochran() -> None:
    assert expected_margin(385) == pytest.approx(0.04995, abs=1e-4)
    assert expected_margin(385, deff=2) == pytest.approx(0.04995 * math.sqrt(2), abs=1e-4)


def test_zero_failure_149_matches_closed_form() -> None:
    plan = zero_failure_plan(0.02, 0.95, 0)
    assert (plan.n, plan.d) == (149, 0)
    assert plan.n == math.ceil(math.log(0.05) / math.log(0.98))
    assert plan.beta_achieved == pytest.approx(0.98**149, rel=1e-12)


def test_zero_failure_hypergeometric_closed_form() -> None:
    # P(no defect in n) = C(N-K, n) / C(N, n) with N = 1000, K = 20; smallest n with P <= .05
    ref = next(n for n in range(1, 1000) if math.comb(980, n) / math.comb(1000, n) <= 0.05)
    plan = zero_failure_plan(0.02, 0.95, 0, population=1000)
    assert plan.n == ref == 138
    assert plan.model == "hypergeometric"


def test_lqas_19_6_with_published_risks() -> None:
    plan = lqas_plan(0.80, 0.50, alpha=0.10, beta=0.10)
    assert (plan.n, plan.d) == (19, 6)
    assert plan.beta_achieved == pytest.approx(0.084, abs=5e-4)  # P(pass | 50% coverage)
    assert plan.alpha_achieved == pytest.approx(0.068, abs=5e-4)  # P(fail | 80% coverage)


def _brute_force(p0: float, p1: float, alpha: float, beta: float) -> tuple[int, int]:
    """Independent reference: scan every (n, d) in order."""
    for n in range(1, 2000):
        for d in range(n + 1):
            if stats.binom.cdf(d, n, p0) <= beta and stats.binom.cdf(d, n, p1) >= 1 - alpha:
                return n, d
    raise AssertionError


@pytest.mark.parametrize(
    ("p0", "p1", "alpha", "beta"), [(0.1, 0.02, 0.1, 0.05), (0.05, 0.01, 0.2, 0.1)]
)
def test_acceptance_plan_is_the_smallest(p0: float, p1: float, alpha: float, beta: float) -> None:
    plan = acceptance_plan(p0, p1, alpha, beta)
    assert (plan.n, plan.d) == _brute_force(p0, p1, alpha, beta)
    assert plan.beta_achieved <= beta and plan.alpha_achieved <= alpha


def test_default_wrong_exit_plan_and_deff_scaling() -> None:
    plan = acceptance_plan(0.02, 0.005, 0.10, 0.05)
    assert (plan.n, plan.d) == (456, 4)
    assert plan.beta_achieved == pytest.approx(stats.binom.cdf(4, 456, 0.02), rel=1e-12)
    inflated = acceptance_plan(0.02, 0.005, 0.10, 0.05, deff=1.5)
    assert (inflated.n, inflated.d) == (684, 6)
    assert (inflated.n_effective, inflated.d_effective) == (456, 4)


def test_hypergeometric_plan_is_smaller_and_meets_risks() -> None:
    plan = acceptance_plan(0.02, 0.005, 0.10, 0.05, population=2000)
    k0, k1 = 40, 10
    assert plan.n < 456
    assert stats.hypergeom.cdf(plan.d, 2000, k0, plan.n) <= 0.05
    assert stats.hypergeom.cdf(plan.d, 2000, k1, plan.n) >= 0.90
    smaller = np.arange(1, plan.n)
    # no smaller n has any d meeting both risks
    for d in range(plan.d + 2):
        both = (stats.hypergeom.cdf(d, 2000, k0, smaller) <= 0.05) & (
            stats.hypergeom.cdf(d, 2000, k1, smaller) >= 0.90
        )
        assert not both.any()


def test_oc_curve_values() -> None:
    oc = oc_curve(19, 6, rates=np.array([0.2, 0.5]))
    assert oc["p_pass"].to_list() == pytest.approx([1 - 0.0676, 0.0835], abs=5e-4)
    full = acceptance_plan().oc_curve()
    assert full["p_pass"].is_monotonic_decreasing and full["p_pass"].iloc[0] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0.01, "good_rate": 0.02}, "below the threshold"),
        ({"threshold": 1.5}, "threshold must be a proportion"),
        ({"deff": 0.5}, "deff"),
        ({"population": 0}, "population must be"),
    ],
)
def test_bad_requests_raise_user_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ExitcheckError, match=message):
        acceptance_plan(**kwargs)
