"""Sensitivity of the default design to income measurement error and non-ignorable non-response,
and the sample size each design needs for a target operating characteristic.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from data_contracts.errors import RequestError
from evaluation.review.designs import Draws
from evaluation.review.estimator import RatioEstimates, ratio_estimates
from evaluation.review.rules import review_interval
from evaluation.review.township import Township
from evaluation.verdict import verdict_codes


def _judged(est: RatioEstimates, truth: float, config, method: str) -> dict:
    """Mean estimate, bias, coverage of ``truth`` and verdict probabilities (persons rate)."""
    level, threshold = config.thresholds.level, config.thresholds.wrong_exit
    args = (est.estimate, est.se, est.df)
    lo, hi = review_interval(method, *args, level, est.n, est.fraction)
    b_lo, b_hi = review_interval(method, *args, 2 * level - 1, est.n, est.fraction)
    codes = verdict_codes(b_lo, b_hi, threshold)
    return {
        "mean_estimate": float(est.estimate.mean()),
        "bias": float(est.estimate.mean() - truth),
        "coverage": float(((lo <= truth) & (truth <= hi)).mean()),
        "p_credible": float((codes == 0).mean()),
        "p_not_credible": float((codes == 2).mean()),
        "p_official_pass": float((est.estimate < threshold).mean()),
    }


def measurement_error(
    township: Township, draws: Draws, config, rng: np.random.Generator
) -> pd.DataFrame:
    """Surveyed income = true income × exp(τ·ε), ε ~ N(0, 1): apparent wrong exits near the line.

    Columns: τ, rate, the expected number of correct exits that look wrong and of wrong exits that
    look correct in the whole township (closed form, Φ(∓ln r / τ)), and the estimator's behaviour
    against the *true* rate when the survey measures income with this error.
    """
    eps = rng.standard_normal(draws.weights.shape)
    rows = []
    for tau in config.measurement_sd:
        noise = np.exp(tau * eps)
        for k, rate in enumerate(config.rates):
            ratio, fail = township.income_ratio[:, k], township.guarantee_fail[:, k]
            wrong = township.wrong[:, k]
            with np.errstate(divide="ignore"):
                z = -np.log(ratio) / tau if tau > 0 else np.where(ratio < 1, np.inf, -np.inf)
            p_below = stats.norm.cdf(z)
            apparent = township.size * ((ratio * noise < 1) | fail)
            est = ratio_estimates(
                draws.weights, apparent[None], township.size.astype(float), draws.layout
            )
            rows.append(
                {
                    "measurement_sd": float(tau),
                    "rate": float(rate),
                    "true_rate": float(township.true_rate[k]),
                    "correct_look_wrong": float(p_below[~wrong].sum()),
                    "wrong_look_correct": float((1 - p_below)[wrong & ~fail].sum()),
                    "expected_apparent_rate": float(
                        (township.size * np.where(fail, 1.0, p_below)).sum() / township.size.sum()
                    ),
                }
                | _judged(_first(est), float(township.true_rate[k]), config, config.default_method)
            )
    return pd.DataFrame(rows)


def _first(est: RatioEstimates) -> RatioEstimates:
    """Squeeze the single outcome of a (R × 1) estimate."""
    return replace(est, estimate=est.estimate[:, 0], se=est.se[:, 0])


def nonresponse(township: Township, draws: Draws, config, rng: np.random.Generator) -> pd.DataFrame:
    """Wrong-exit households respond less often than correct ones (not missing at random).

    Respondents are re-weighted within each stratum (N_h / respondents_h), the usual adjustment,
    which is unbiased only when response does not depend on the outcome within strata.
    """
    if draws.design != "stratified":
        raise RequestError("the non-response study needs a stratified default design")
    uniform = rng.random(draws.weights.shape)
    band = township.band
    onehot = np.eye(3)[band]
    counts = np.bincount(band, minlength=3).astype(float)
    rows = []
    for rho_correct, rho_wrong in config.response_rates:
        for k, rate in enumerate(config.rates):
            wrong = township.wrong[:, k]
            respond = (draws.weights > 0) & (uniform < np.where(wrong, rho_wrong, rho_correct))
            per_stratum = respond @ onehot
            if (per_stratum < 2).any():
                raise RequestError(
                    "non-response leaves fewer than 2 respondents in a stratum; "
                    "raise the response rates"
                )
            weights = respond * (counts / per_stratum)[:, band]
            est = ratio_estimates(
                weights,
                township.wrong_persons()[:, k].astype(float),
                township.size.astype(float),
                draws.layout,
            )
            rows.append(
                {
                    "response_correct": rho_correct,
                    "response_wrong": rho_wrong,
                    "rate": float(rate),
                    "true_rate": float(township.true_rate[k]),
                    "response_rate": float(respond.sum() / (draws.weights > 0).sum()),
                }
                | _judged(est, float(township.true_rate[k]), config, config.default_method)
            )
    return pd.DataFrame(rows)


def srs_credible_probability(
    n: np.ndarray, rate: float, threshold: float, level: float
) -> np.ndarray:
    """P(credible) for an SRS of n households (binomial, exact).

    Credible when the d wrong exits found give a Clopper–Pearson upper bound below ``threshold``.
    """
    d = np.arange(int(np.ceil(threshold * n.max())) + 1)[None, :]  # the CP bound exceeds d/n
    nn = n[:, None]
    with np.errstate(invalid="ignore"):
        upper = np.where(d < nn, stats.beta.ppf(level, d + 1, nn - d), 1.0)
    ok = (upper < threshold) & (d <= nn)
    d_max = np.where(ok.any(axis=1), ok.sum(axis=1) - 1, -1)
    return np.where(d_max >= 0, stats.binom.cdf(d_max, n, rate), 0.0)


def sample_size_needed(tables: dict[str, pd.DataFrame], config) -> pd.DataFrame:
    """Per design: P(credible) at the good rate for each simulated size, the smallest simulated size
    that reaches the target, and a projection n_SRS × realised deff (persons, at the threshold).
    """
    threshold, level = config.thresholds.wrong_exit, config.thresholds.level
    n_grid = np.arange(20, 3001)
    p_srs = srs_credible_probability(n_grid, config.good_rate, threshold, level)
    reach = np.flatnonzero(p_srs >= config.target_power)
    n_srs = int(n_grid[reach[0]]) if reach.size else None
    oc = tables["oc"]
    acc = tables["accuracy"]
    sel = (oc["method"] == config.default_method) & (oc["measure"] == "persons")
    good = oc[sel & np.isclose(oc["rate"], config.good_rate)]
    at_t = acc[(acc["measure"] == "persons") & np.isclose(acc["rate"], threshold)]
    rows = []
    for design, group in good.groupby("design", sort=False):
        merged = group.merge(at_t[["design_size", "mean_n", "deff"]], on="design_size")
        ok = merged[merged["p_credible"] >= config.target_power]
        deff = float(merged["deff"].iloc[-1])
        rows.append(
            {
                "design": design,
                "target": f"P(credible | {config.good_rate:.1%}) ≥ {config.target_power:.0%}",
                "simulated": "; ".join(
                    f"{s} (n≈{n:.0f}): {p:.2f}"
                    for s, n, p in zip(
                        merged["size"], merged["mean_n"], merged["p_credible"], strict=True
                    )
                ),
                "smallest_simulated_size": ok["size"].iloc[0] if len(ok) else None,
                "n_srs": n_srs,
                "deff_at_threshold": deff,
                "projected_n": None if n_srs is None else int(np.ceil(n_srs * max(deff, 1e-9))),
            }
        )
    return pd.DataFrame(rows)
