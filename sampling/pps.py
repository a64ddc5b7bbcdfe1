"""Probability-proportional-to-size selection without replacement (按规模成比例抽样, πps).

Systematic PPS with certainty units removed iteratively: a unit whose size would give it a
probability ≥ 1 is taken with certainty (必选单位) and the remaining draws are spread over the rest.
The systematic pass runs in integer arithmetic (positions scaled by the number of draws, random
start uniform over the integers below the total size), so every first-order inclusion probability
is *exactly* m·x_i / Σx — no rounding of a real-valued start. Units are put in a random order first
(randomised systematic PPS, Goodman–Kish), which makes joint probabilities positive.
"""

from __future__ import annotations

import numpy as np

from data_contracts.errors import RequestError


def pps_probabilities(sizes: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact πps inclusion probabilities for m draws, with certainty units set to 1.

    Returns ``(pi, certain)``. Non-certainty units have π_i = m' · x_i / X' where m' and X' are
    the draws and total size left after removing certainty units.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    if np.any(sizes <= 0):
        raise RequestError("PPS needs a positive size (exited households) for every village.")
    if not 1 <= m <= sizes.size:
        raise RequestError(f"cannot select {m} of {sizes.size} villages; choose 1 to {sizes.size}.")
    certain = np.zeros(sizes.size, dtype=bool)
    while True:
        m_left = m - int(certain.sum())
        total = int(sizes[~certain].sum())
        newly = ~certain & (m_left * sizes >= total)
        if not newly.any() or m_left == 0:
            break
        certain |= newly
    m_left = m - int(certain.sum())
    pi = np.where(certain, 1.0, m_left * sizes / max(int(sizes[~certain].sum()), 1))
    return pi, certain


def _ceil_div(a: np.ndarray, b: int) -> np.ndarray:
    return -((-a) // b)


def systematic_pps(
    sizes: np.ndarray, m: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Select m units by randomised systematic PPS; returns ``(selected, pi)`` (boolean, float)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    pi, certain = pps_probabilities(sizes, m)
    selected = certain.copy()
    rest = np.flatnonzero(~certain)
    m_left = m - int(certain.sum())
    if m_left > 0:
        order = rest[rng.permutation(rest.size)]
        total = int(sizes[order].sum())
        end = np.cumsum(sizes[order]) * m_left  # unit j covers [end_{j-1}, end_j) in scaled units
        start = end - sizes[order] * m_left
        s = int(rng.integers(total))  # points s, s + X', s + 2X', … (X' = total)
        hits = _ceil_div(end - s, total) - _ceil_div(start - s, total)
        selected[order[hits > 0]] = True
    return selected, pi


def systematic_equal(
    group: np.ndarray,
    group_size: np.ndarray,
    take: np.ndarray,
    position: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Systematic equal-probability selection of ``take[g]`` of ``group_size[g]`` units per group.

    ``position`` is each unit's 0-based place in its group's list order. With the fractional
    interval N/n run in integers (unit j covers [j·n, (j+1)·n), points s + k·N, s uniform below
    N) every unit has probability exactly n/N.
    """
    n = take[group].astype(np.int64)
    big_n = group_size[group].astype(np.int64)
    s = rng.integers(np.maximum(group_size, 1))[group]
    start = position.astype(np.int64) * n
    hits = _ceil_div(start + n - s, big_n) - _ceil_div(start - s, big_n)
    return hits > 0
