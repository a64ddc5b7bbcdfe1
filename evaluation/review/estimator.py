"""Design-based ratio estimates for all replications at once (批量设计估计).

The wrong-exit rate by persons (错退率 = wrong-exit persons ÷ exited persons) is a ratio
R̂ = Σ w y / Σ w x; by households it is the same with x = 1 (a weighted mean). The variance is
Taylor linearisation exactly as R's ``survey`` (and ``evaluation.SurveyDesign``) computes it:
z_i = (y_i − R̂ x_i) / X̂, PSU totals t = Σ_{i∈PSU} w_i z_i, and

    V(R̂) = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_{PSU∈h} (t − t̄_h)²,

with f_h = n_h / N_h when the stratum's PSU count N_h (``fpc_stage1``) is known and f_h = 0
(with replacement, ultimate cluster) when it is NaN; df = sampled PSUs − sampled strata.
Everything is sums over the (R × N) weight matrix: matrix products and ``np.add.reduceat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.review.designs import Layout


@dataclass(frozen=True)
class RatioEstimates:
    """Estimates for R replications × K outcomes.

    ``estimate``/``se`` are (R × K) (or (R,) for one outcome); ``df``, ``n`` (sampled households)
    and ``households`` (N̂ = Σ household weights, the estimated households of the township) are
    (R,).
    """

    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n: np.ndarray
    households: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        """Sampling fraction f = n ÷ N̂ of the household floor (as ``evaluation.rates``)."""
        return self.n / self.households


def ratio_estimates(
    weights: np.ndarray, y: np.ndarray, x: np.ndarray, layout: Layout
) -> RatioEstimates:
    """Ratio Σwy/Σwx and its linearisation SE for every replication (row of ``weights``).

    ``y`` is one outcome (N,), K outcomes (K, N) such as the grid of true rates, or K outcomes
    that differ by replication (K, R, N) such as a survey with measurement error; ``x`` is (N,).
    Results are (R,) for one outcome, else (R, K).
    """
    ys = y[None] if y.ndim == 1 else y
    w = weights[:, layout.order]
    xo = x[layout.order]
    x_hat = w @ xo
    psu_x = _psu_sum(w * xo, layout)
    sampled = _psu_sum(w, layout) > 0
    n_h = np.add.reduceat(sampled, layout.stratum_starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(np.isnan(layout.stratum_psus), 1.0, 1 - n_h / layout.stratum_psus)
        scale = np.where(n_h > 1, fpc * n_h / (n_h - 1), 0.0)
    est = np.empty((w.shape[0], ys.shape[0]))
    var = np.empty_like(est)
    for k, yk in enumerate(ys):  # loop over outcomes (e.g. 8 true rates), not households
        wy = w * yk[..., layout.order]
        est[:, k] = wy.sum(axis=1) / x_hat
        t = (_psu_sum(wy, layout) - est[:, [k]] * psu_x) / x_hat[:, None]
        s1 = np.add.reduceat(t, layout.stratum_starts, axis=1)
        s2 = np.add.reduceat(t * t, layout.stratum_starts, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            within = np.where(n_h > 0, s2 - s1 * s1 / n_h, 0.0)
        var[:, k] = (scale * within).sum(axis=1)
    se = np.sqrt(np.maximum(var, 0.0))
    squeeze = (lambda a: a[:, 0]) if y.ndim == 1 else (lambda a: a)
    return RatioEstimates(
        estimate=squeeze(est),
        se=squeeze(se),
        df=n_h.sum(axis=1) - (n_h > 0).sum(axis=1),
        n=(w > 0).sum(axis=1),
        households=w.sum(axis=1),
    )


def _psu_sum(values: np.ndarray, layout: Layout) -> np.ndarray:
    """Sum (R × N) values within PSUs (identity when each household is its own PSU)."""
    if layout.psu_starts is None:
        return values
    return np.add.reduceat(values, layout.psu_starts, axis=1)
