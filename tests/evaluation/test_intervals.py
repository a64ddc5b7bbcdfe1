"""Closed-form checks of the vectorised interval functions (evaluation.intervals)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from data_contracts.errors import ExitcheckError
from evaluation.intervals import (
    asin_interval,
    beta_interval,
    interval,
    logit_interval,
    mean_interval,
    one_sided_bound,
    proportion_interval,
    wald_interval,
)


def test_zero_of_149_upper_bound_is_clopper_pearson() -> None:
    """SRS, 0 wrong exits among 149: the 95 % one-sided bound is 1 − 0.05^(1/149) ≈ 0.0199."""
    bound = one_sided_bound("beta", 0.0, 0.0, 148, 0.95, "upper", n=149)
    assert bound == pytest.approx(1 - 0.05 ** (1 / 149), rel=1e-10)
    assert 0.0198 < bound < 0.02
    low, high = beta_interval(0.0, 0.0, 148, 149, 0.95)
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 149), rel=1e-10)


def test_all_events_mirror_zero_events() -> None:
    low, high = beta_interval(1.0, 0.0, 148, 149, 0.95)
    assert high == 1.0
    assert low == pytest.approx(0.025 ** (1 / 149), rel=1e-10)


def test_zero_events_with_few_psus_are_wider_by_the_df_adjustment() -> None:
    """Cluster sample, 0 events, df = 9: n* = n·(t_{n−1}/t_9)², a larger bound than SRS."""
    n, df = 149, 9
    n_eff = n * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    _, high = beta_interval(0.0, 0.0, df, n, 0.95)
    assert high == pytest.approx(1 - 0.025 ** (1 / n_eff), rel=1e-10)
    assert high > 1 - 0.025 ** (1 / n)


@pytest.mark.parametrize("successes", [1, 3, 12, 75])
def test_beta_for_srs_without_fpc_is_clopper_pearson_on_n_minus_1(successes: int) -> None:
    """Equal-weight SRS with replacement: se² = p(1−p)/(n−1), so n* = n − 1 (R's svyciprop)."""
    n = 150
    p = successes / n
    se = np.sqrt(p * (1 - p) / (n - 1))
    low, high = beta_interval(p, se, n - 1, n, 0.95)
    want = proportion_confint(p * (n - 1), n - 1, alpha=0.05, method="beta")
    np.testing.assert_allclose((low, high), want, rtol=1e-9)


def test_beta_is_vectorised_elementwise() -> None:
    p = np.array([0.0, 0.01, 0.2, 0.5, 1.0])
    se = np.array([0.0, 0.008, 0.05, 0.04, 0.0])
    df = np.array([20, 20, 5, 100, 20])
    n = np.array([100, 100, 30, 400, 100])
    low, high = beta_interval(p, se, df, n, 0.9)
    assert low.shape == high.shape == (5,)
    for i in range(5):
        one = beta_interval(p[i], se[i], df[i], n[i], 0.9)
        np.testing.assert_allclose((low[i], high[i]), one, rtol=1e-12)
    matrix = beta_interval(np.tile(p, (3, 1)), np.tile(se, (3, 1)), df, n, 0.9)
    assert matrix[1].shape == (3, 5)
    np.testing.assert_allclose(matrix[1][2], high)


def test_beta_with_zero_se_inside_is_the_point() -> None:
    low, high = beta_interval(0.3, 0.0, 10, 50)
    assert low == high == 0.3


def test_non_positive_df_gives_nan() -> None:
    low, high = wald_interval(1.0, 0.5, 0)
    assert np.isnan(low) and np.isnan(high)
    assert np.isnan(beta_interval(0.2, 0.05, 0, 10)[1])


def test_wald_uses_t_quantile() -> None:
    low, high = wald_interval([10.0, 10.0], [2.0, 2.0], [4, np.inf], 0.9)
    np.testing.assert_allclose(high - 10, 2 * np.array([2.131846786, 1.644853627]), rtol=1e-8)
    np.testing.assert_allclose(10 - low, high - 10)


def test_logit_closed_form() -> None:
    p, se, df = 0.12, 0.03, 14
    t = stats.t.ppf(0.975, df)
    centre, half = np.log(p / (1 - p)), t * se / (p * (1 - p))
    expit = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    want = (expit(centre - half), expit(centre + half))
    np.testing.assert_allclose(logit_interval(p, se, df), want, rtol=1e-12)
    np.testing.assert_allclose(proportion_interval("xlogit", p, se, df), want, rtol=1e-12)


def test_asin_clips_instead_of_folding() -> None:
    """R's sin² would fold a negative transformed limit back above 0; we clip it to 0."""
    p, se, df = 0.01, 0.02, 10
    low, high = asin_interval(p, se, df)
    half = stats.t.ppf(0.975, df) * se / (2 * np.sqrt(p * (1 - p)))
    assert np.arcsin(np.sqrt(p)) - half < 0
    assert low == 0.0
    assert high == pytest.approx(np.sin(np.arcsin(np.sqrt(p)) + half) ** 2)


def test_mean_method_clips_to_unit_interval() -> None:
    low, high = mean_interval([0.01, 0.99], [0.02, 0.02], 30)
    assert low[0] == 0.0 and high[1] == 1.0
    assert high[0] == pytest.approx(0.01 + stats.t.ppf(0.975, 30) * 0.02)


@pytest.mark.parametrize("method", ["logit", "xlogit", "asin", "mean"])
def test_transform_methods_are_degenerate_at_zero_events(method: str) -> None:
    assert proportion_interval(method, 0.0, 0.0, 20) == (0.0, 0.0)


@pytest.mark.parametrize("method", ["t", "beta", "logit", "asin", "mean"])
def test_one_sided_bound_is_end_of_two_sided_interval(method: str) -> None:
    args = (0.07, 0.02, 25)
    upper = one_sided_bound(method, *args, level=0.95, side="upper", n=200)
    lower = one_sided_bound(method, *args, level=0.95, side="lower", n=200)
    low90, high90 = interval(method, *args, level=0.90, n=200)
    np.testing.assert_allclose((lower, upper), (low90, high90), rtol=1e-12)
    assert lower < 0.07 < upper


def test_beta_coverage_by_simulation() -> None:
    """SRS of 200 from p = 0.03: Korn–Graubard (≈ Clopper–Pearson) covers at least 95 %."""
    rng = np.random.default_rng(7)
    n, p, reps = 200, 0.03, 20000
    hits = rng.binomial(n, p, size=reps)
    est = hits / n
    se = np.sqrt(est * (1 - est) / (n - 1))
    low, high = beta_interval(est, se, n - 1, n, 0.95)
    coverage = np.mean((low <= p) & (p <= high))
    assert 0.95 <= coverage <= 0.99
    upper = one_sided_bound("beta", est, se, n - 1, 0.95, "upper", n)
    assert 0.95 <= np.mean(p <= upper) <= 0.985


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportion_interval("wilson", 0.1, 0.01, 9), "unknown interval method"),
        (lambda: proportion_interval("beta", 0.1, 0.01, 9), "needs n"),
        (lambda: wald_interval(0.1, 0.01, 9, level=95), "between 0 and 1"),
        (lambda: one_sided_bound("t", 0.1, 0.01, 9, level=0.4), "above 0.5"),
        (lambda: one_sided_bound("t", 0.1, 0.01, 9, side="both"), "side"),
    ],
)
def test_bad_arguments_raise_user_error(call, message: str) -> None:
    with pytest.raises(ExitcheckError, match=message):
        call()
