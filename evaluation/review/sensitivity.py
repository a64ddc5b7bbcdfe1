"""Sensitivity of the default design to income measurement error and non-ignorable non-response,
and the sample size each design needs for a target operating characteristic under the verdict's
bound rule (``rules``: the household count rule of ``evaluation.bounds``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from data_contracts.errors import RequestError
from evaluation.review.designs import Draws, draw_stratified
from evaluation.review.estimator import RatioEstimates, ratio_estimates
from evaluation.review.rules import mc_se, review_interval, review_verdicts
from evaluation.review.scenarios import Scenario
from evaluation.review.township import Township
from sampling.plans import zero_failure_plan


def _judged(est: RatioEstimates, truth: float, config, method: str) -> dict:
    """Mean estimate, bias, coverage of ``truth`` and verdict probabilities (persons rate)."""
    level, threshold = config.thresholds.level, config.thresholds.wrong_exit
    lo, hi = review_interval(method, est, level)
    codes = review_verdicts(method, est, level, threshold)
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
                draws.weights,
                apparent[None],
                township.size.astype(float),
                draws.layout,
                township.size_factor,
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
    return replace(est, estimate=est.estimate[:, 0], se=est.se[:, 0], events=est.events[:, 0])


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
                township.size_factor,
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


def _credible_at(township: Township, n: int, config) -> float:
    """Simulated P(credible) of the persons rate at the good rate for a stratified sample of n
    (proportional allocation), R replications drawn with the seed (config.seed, n)."""
    k = int(np.flatnonzero(np.isclose(township.rates, config.good_rate))[0])
    rng = np.random.default_rng([config.seed, n])
    draws = draw_stratified(township, n, config.reps, rng)
    est = ratio_estimates(
        draws.weights,
        township.wrong_persons()[:, k].astype(float),
        township.size.astype(float),
        draws.layout,
        township.size_factor,
    )
    level, threshold = config.thresholds.level, config.thresholds.wrong_exit
    return float((review_verdicts(config.default_method, est, level, threshold) == 0).mean())


def size_needed(worlds: list[Scenario], config) -> pd.DataFrame:
    """The sample size the verdict rule needs (所需样本量), per scenario township.

    ``size_factor`` is the frame's person-equivalence; ``n_zero_persons`` /
    ``n_zero_households``: the smallest sample that can certify at all (no
    error found), ``sampling.plans.zero_failure_plan`` for the township's N (and its size factor
    for persons) — below it P(credible) = 0 whatever the true rate. ``n_needed``: the smallest
    stratified n (proportional allocation) whose simulated P(credible | good rate) reaches the
    target power, by bisection between ``n_zero_persons`` and N (a census always certifies a
    township below the threshold); ``p_credible`` ± ``mc_se`` at that n.
    """
    t = config.thresholds
    rows = []
    for world in worlds:
        town = world.township
        big_n = town.n_households
        zero = zero_failure_plan(t.wrong_exit, t.level, 0, big_n, size_factor=town.size_factor).n
        plain = zero_failure_plan(t.wrong_exit, t.level, 0, big_n).n
        low, high = zero - 1, big_n  # P(credible) < target at low (0 there), ≥ target at high
        p_high = 1.0
        while high - low > 1:
            mid = (low + high) // 2
            p = _credible_at(town, mid, config)
            if p >= config.target_power:
                high, p_high = mid, p
            else:
                low = mid
        rows.append(
            {
                "scenario": world.code,
                "size_risk": world.size_risk,
                "target_power": config.target_power,
                "good_rate": config.good_rate,
                "size_factor": town.size_factor,
                "n_zero_persons": int(zero),
                "n_zero_households": int(plain),
                "n_needed": int(high),
                "p_credible": p_high,
                "mc_se": float(mc_se(p_high, config.reps)),
            }
        )
    return pd.DataFrame(rows)


def sample_size_needed(tables: dict[str, pd.DataFrame], config) -> pd.DataFrame:
    """Per design: P(credible) at the good rate for each simulated size, the smallest simulated
    size that reaches the target, and a projection: the base township's stratified ``n_needed``
    (``size_needed``) × the design's realised deff ÷ the stratified design's (persons, at the
    threshold).
    """
    threshold = config.thresholds.wrong_exit
    needed = tables["size_needed"]
    n_strat = int(needed.loc[needed["scenario"] == "base", "n_needed"].iloc[0])
    oc = tables["oc"]
    acc = tables["accuracy"]
    sel = (oc["method"] == config.default_method) & (oc["measure"] == "persons")
    good = oc[sel & np.isclose(oc["rate"], config.good_rate)]
    at_t = acc[(acc["measure"] == "persons") & np.isclose(acc["rate"], threshold)]
    # each design's realised deff at its largest simulated size
    deffs = at_t.groupby("design", sort=False)["deff"].last()
    rows = []
    for design, group in good.groupby("design", sort=False):
        merged = group.merge(at_t[["design_size", "mean_n", "deff"]], on="design_size")
        ok = merged[merged["p_credible"] >= config.target_power]
        deff = float(deffs[design])
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
                "n_stratified": n_strat,
                "deff_at_threshold": deff,
                "projected_n": int(np.ceil(n_strat * deff / deffs["stratified"] - 1e-9)),
            }
        )
    return pd.DataFrame(rows)
