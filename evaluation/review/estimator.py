"""Design-based ratio estimates for all replications at once (批量设计估计).

The wrong-exit rate by persons (错退率 = wrong-exit persons ÷ exited persons) is a ratio
R̂ = Σ w y / Σ w x; by households it is the same with x = 1 (a weighted mean). The variance is
Taylor linearisation exactly as R's ``survey`` (and ``evaluation.SurveyDesign``) computes it:
z_i = (y_i − R̂ x_i) / X̂, PSU totals t = Σ_{i∈PSU} w_i z_i, and

    V(R̂) = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_{PSU∈h} (t − t̄_h)²,

with f_h = n_h / N_h when the stratum's PSU count N_h (``fpc_stage1``) is known and f_h = 0
(with replacement, ultimate cluster) when it is NaN; df = sampled PSUs − sampled strata.
Only the sampled households of the (R × N) weight matrix are visited: they are flattened in
(replication, stratum, PSU) order, PSU totals are ``np.add.reduceat`` over that flat list and
replication and (replication, stratum) sums are ``np.bincount`` — O(R·n) work, not O(R·N).

Each replication also carries the household count basis of the assessment's wrong-exit bound
(``evaluation.bounds``, 错退率置信界): the wrong households found (sampled households with y > 0),
the Kish-equivalent households (Σw)² ÷ Σw² of its household weights (× the frame's size factor
for a person rate), the sampling fraction n ÷ N̂ and the element df n − H (H = sampled strata).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.review.designs import Layout


@dataclass(frozen=True)
class RatioEstimates:
    """Estimates for R replications × K outcomes, with the count basis of their bounds.

    ``estimate``/``se``/``events`` are (R × K) (or (R,) for one outcome); ``events`` are the
    sampled households with y > 0 (wrong households found). ``df``, ``n`` (sampled households),
    ``households`` (N̂ = Σ household weights, the estimated households of the township),
    ``equivalent`` (Kish-equivalent households × size factor) and ``element_df`` (n − sampled
    strata) are (R,): the fields of ``evaluation.bounds.CountBasis`` per replication.
    """

    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n: np.ndarray
    households: np.ndarray
    events: np.ndarray
    equivalent: np.ndarray
    element_df: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        """Sampling fraction f = n ÷ N̂ of the bound's cap (as ``evaluation.rates.count_basis``)."""
        return self.n / self.households


def ratio_estimates(
    weights: np.ndarray, y: np.ndarray, x: np.ndarray, layout: Layout, size_factor: float = 1.0
) -> RatioEstimates:
    """Ratio Σwy/Σwx, its linearisation SE and the count basis for every replication (row of
    ``weights``, household weights).

    ``y`` is one outcome (N,), K outcomes (K, N) such as the grid of true rates, or K outcomes
    that differ by replication (K, R, N) such as a survey with measurement error; ``x`` is (N,).
    ``size_factor`` is the frame's person-equivalence (``Township.size_factor``) for a person
    rate, 1 for a household rate. Results are (R,) for one outcome, else (R, K).
    """
    ys = y[None] if y.ndim == 1 else y
    reps, strata = weights.shape[0], layout.stratum_starts.size
    rep, position = np.nonzero(weights[:, layout.order])  # sorted: replication, then layout
    household = layout.order[position]
    w = weights[rep, household]
    psu = layout.psu_of_position[position]
    key = rep * (psu.max() + 1) + psu
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])  # each sampled PSU's first row
    psu_rep = rep[first]
    cell = psu_rep * strata + layout.stratum_of_psu[psu[first]]  # (replication, stratum)

    def by_rep(values: np.ndarray) -> np.ndarray:
        return np.bincount(rep, weights=values, minlength=reps)

    def by_cell(values: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=reps * strata).reshape(reps, strata)

    wx = w * x[household]
    x_hat = by_rep(wx)
    psu_x = np.add.reduceat(wx, first)
    n_h = by_cell()
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(np.isnan(layout.stratum_psus), 1.0, 1 - n_h / layout.stratum_psus)
        scale = np.where(n_h > 1, fpc * n_h / (n_h - 1), 0.0)
    est = np.empty((reps, ys.shape[0]))
    var = np.empty_like(est)
    events = np.empty_like(est)
    for k, yk in enumerate(ys):  # loop over outcomes (e.g. 8 true rates), not households
        wy = w * (yk[household] if yk.ndim == 1 else yk[rep, household])
        events[:, k] = by_rep(wy > 0)  # y ≥ 0: the sampled households with y > 0
        est[:, k] = by_rep(wy) / x_hat
        t = (np.add.reduceat(wy, first) - est[psu_rep, k] * psu_x) / x_hat[psu_rep]
        s1, s2 = by_cell(t), by_cell(t * t)
        with np.errstate(invalid="ignore", divide="ignore"):
            within = np.where(n_h > 0, s2 - s1 * s1 / n_h, 0.0)
        var[:, k] = (scale * within).sum(axis=1)
    se = np.sqrt(np.maximum(var, 0.0))
    squeeze = (lambda a: a[:, 0]) if y.ndim == 1 else (lambda a: a)
    n = np.bincount(rep, minlength=reps)
    sampled_strata = (n_h > 0).sum(axis=1)
    total = by_rep(w)
    return RatioEstimates(
        estimate=squeeze(est),
        se=squeeze(se),
        df=n_h.sum(axis=1) - sampled_strata,
        n=n,
        households=total,
        events=squeeze(events),
        equivalent=total**2 / by_rep(w * w) * size_factor,
        element_df=(n - sampled_strata).astype(float),
    )
