"""Vectorised draws of R replications of each spot-check design (抽样方案的批量抽取).

Every design returns a :class:`Draws`: an (R × N) weight matrix over the township's households
(0 = not selected) plus the :class:`Layout` that tells the estimator the strata, PSUs and
finite-population counts — the same columns the sample table carries (``stratum``, ``psu``,
``fpc_stage1``) in ``docs/interfaces.md``. All replications are drawn at once with random keys and
``argpartition``/``argsort``; the only Python loops are over strata, never over households.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from evaluation.review.township import RISK_BANDS, Township
from sampling.allocation import allocate
from sampling.pps import pps_probabilities


@dataclass(frozen=True)
class Layout:
    """Strata and PSUs of a design over the population, for the vectorised estimator.

    ``order`` sorts the population by stratum then PSU; ``psu_starts`` are the PSU start
    positions in that order (``None`` = every household is its own PSU); ``stratum_starts`` the
    stratum start positions in the PSU list; ``stratum_psus`` the population number of PSUs per
    stratum (``fpc_stage1``; NaN = with replacement at stage 1, as R does without fpc);
    ``stratum_labels`` and ``psu_labels`` name them as the sample table would.
    """

    order: np.ndarray
    psu_starts: np.ndarray | None
    stratum_starts: np.ndarray
    stratum_psus: np.ndarray
    stratum_labels: tuple[str, ...]
    psu_labels: np.ndarray

    @property
    def psu_of_position(self) -> np.ndarray:
        """PSU number (0 … P − 1) of each household in layout order."""
        n = self.order.size
        if self.psu_starts is None:
            return np.arange(n)
        marks = np.zeros(n, dtype=int)
        marks[self.psu_starts[1:]] = 1
        return np.cumsum(marks)

    @property
    def stratum_of_psu(self) -> np.ndarray:
        """Stratum number (0 … H − 1) of each PSU."""
        psus = self.order.size if self.psu_starts is None else self.psu_starts.size
        counts = np.diff(np.append(self.stratum_starts, psus))
        return np.repeat(np.arange(self.stratum_starts.size), counts)


@dataclass(frozen=True)
class Draws:
    """R replications of one design: weights (R × N, population order) and the layout."""

    design: str
    size_label: str
    weights: np.ndarray
    layout: Layout

    @property
    def replications(self) -> int:
        """Number of replications R."""
        return int(self.weights.shape[0])

    def sample_frame(self, township: Township, rep: int):
        """Replication ``rep`` as a sample table (design columns of docs/interfaces.md).

        ``fpc_stage2`` (households in the village) is given where the PSU is a village. PSU labels
        are ``V<village>`` or ``H<household>`` so the two kinds never collide.
        """
        w = self.weights[rep]
        stratum_of_row = np.empty(w.size, dtype=object)
        fpc_of_row = np.empty(w.size)
        psu_index = self.layout.psu_of_position
        psu_stratum = self.layout.stratum_of_psu
        stratum_of_row[self.layout.order] = np.asarray(self.layout.stratum_labels)[
            psu_stratum[psu_index]
        ]
        fpc_of_row[self.layout.order] = self.layout.stratum_psus[psu_stratum[psu_index]]
        psu_of_row = np.empty(w.size, dtype=object)
        psu_of_row[self.layout.order] = self.layout.psu_labels[psu_index]
        keep = w > 0
        households_in_village = township.village_sizes[township.village].astype(float)
        village_psu = np.char.startswith(psu_of_row.astype(str), "V")
        fpc2 = np.where(village_psu, households_in_village, np.nan)
        return pd.DataFrame(
            {
                "household_id": np.flatnonzero(keep),
                "village_id": township.village[keep],
                "stratum": stratum_of_row[keep].astype(str),
                "psu": psu_of_row[keep].astype(str),
                "weight": w[keep],
                "fpc_stage1": fpc_of_row[keep],
                "fpc_stage2": fpc2[keep],
                "household_size": township.size[keep],
            }
        )


def _labels(prefix: str, ids: np.ndarray) -> np.ndarray:
    """PSU labels such as ``V3`` (village 3) or ``H17`` (household 17)."""
    return np.char.add(prefix, ids.astype(str))


def draw_stratified(township: Township, n: int, reps: int, rng: np.random.Generator) -> Draws:
    """Stratified by risk band, SRS without replacement, proportional allocation (分层随机抽样).

    The allocation is ``sampling.allocation.allocate`` (≥ 2 per stratum, largest remainder).
    """
    counts = np.bincount(township.band, minlength=3)
    alloc = allocate(pd.Series(counts, index=RISK_BANDS), n, "proportional").to_numpy()
    weights = np.zeros((reps, township.n_households))
    rows = np.arange(reps)[:, None]
    order = np.argsort(township.band, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    for h in range(3):  # loop over the 3 strata, not households
        members = order[starts[h] : starts[h] + counts[h]]
        pick = np.argpartition(rng.random((reps, counts[h])), alloc[h] - 1, axis=1)[:, : alloc[h]]
        weights[rows, members[pick]] = counts[h] / alloc[h]
    layout = Layout(
        order=order,
        psu_starts=None,
        stratum_starts=starts,
        stratum_psus=counts.astype(float),
        stratum_labels=tuple(f"risk:{b}" for b in RISK_BANDS),
        psu_labels=_labels("H", order),
    )
    return Draws("stratified", f"n={n}", weights, layout)


def draw_cluster(township: Township, villages: int, reps: int, rng: np.random.Generator) -> Draws:
    """SRS of villages, every exited household in them surveyed (整群抽样)."""
    n_villages = township.spec.villages
    if not 2 <= villages < n_villages:
        raise RequestError(f"cluster design needs 2 ≤ villages < {n_villages}; got {villages}")
    pick = np.argpartition(rng.random((reps, n_villages)), villages - 1, axis=1)[:, :villages]
    chosen = np.zeros((reps, n_villages), dtype=bool)
    chosen[np.arange(reps)[:, None], pick] = True
    weights = chosen[:, township.village] * (n_villages / villages)
    sizes = township.village_sizes
    layout = Layout(
        order=np.argsort(township.village, kind="stable"),
        psu_starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]),
        stratum_starts=np.array([0]),
        stratum_psus=np.array([float(n_villages)]),
        stratum_labels=("all",),
        psu_labels=_labels("V", np.arange(n_villages)),
    )
    return Draws("cluster", f"m={villages}", weights, layout)


def draw_two_stage(
    township: Township, villages: int, per_village: int, reps: int, rng: np.random.Generator
) -> Draws:
    """Villages by randomised systematic PPS, then ``per_village`` households by SRS (两阶段抽样).

    A village with fewer households than ``per_village`` is surveyed completely. Village
    probabilities are ``sampling.pps.pps_probabilities`` (exact πps, certainty villages peeled
    off). Certainty villages are their own strata with households as PSUs (``fpc_stage1`` =
    households in the village); the other villages form stratum ``pps``, treated as with
    replacement at stage 1.
    """
    sizes = township.village_sizes
    if not 2 <= villages < sizes.size or per_village < 2:
        raise RequestError(
            f"two-stage design needs 2 ≤ villages < {sizes.size} and ≥ 2 households per village; "
            f"got {villages} × {per_village}"
        )
    taken = np.minimum(per_village, sizes)
    pi, certain = pps_probabilities(sizes, villages)
    pps_ids = np.flatnonzero(~certain)
    m_pps = villages - int(certain.sum())
    if m_pps < 2:
        raise RequestError(
            f"two-stage design with {villages} villages leaves < 2 non-certainty villages"
        )
    # Randomised systematic PPS: random village order per replication, one random start.
    perm = np.argsort(rng.random((reps, pps_ids.size)), axis=1)
    cum = np.cumsum(pi[pps_ids][perm], axis=1)
    offset = (m_pps + 1) * np.arange(reps)[:, None]
    points = rng.random((reps, 1)) + np.arange(m_pps)[None, :]
    pos = np.searchsorted((cum + offset).ravel(), (points + offset).ravel(), side="right")
    chosen = np.zeros((reps, sizes.size), dtype=bool)
    chosen[np.repeat(np.arange(reps), m_pps), pps_ids[perm.ravel()[pos]]] = True
    chosen[:, certain] = True
    # Second stage: k smallest random keys within each village.
    by_village = np.argsort(township.village, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    keys = township.village[by_village][None, :] + rng.random((reps, township.n_households))
    ranks = np.empty_like(keys, dtype=np.int64)
    np.put_along_axis(ranks, np.argsort(keys, axis=1), np.arange(township.n_households)[None, :], 1)
    take = ranks - starts[township.village[by_village]][None, :] < per_village
    unit_weight = 1 / (pi * taken / sizes)
    weights = np.zeros((reps, township.n_households))
    weights[:, by_village] = (
        take * chosen[:, township.village[by_village]] * unit_weight[township.village[by_village]]
    )
    # Layout: stratum "pps" (villages as PSUs) first, then one stratum per certainty village.
    cert_ids = np.flatnonzero(certain)
    rank_village = np.concatenate([pps_ids, cert_ids])
    position = np.empty(sizes.size, dtype=int)
    position[rank_village] = np.arange(sizes.size)
    order = np.argsort(position[township.village], kind="stable")
    pps_sizes = sizes[pps_ids]
    n_pps_rows = pps_sizes.sum()
    psu_starts = np.concatenate(
        [
            np.concatenate([[0], np.cumsum(pps_sizes)[:-1]]),
            n_pps_rows + np.arange(sizes[cert_ids].sum()),
        ]
    )
    cert_starts = pps_ids.size + np.concatenate([[0], np.cumsum(sizes[cert_ids])])[: cert_ids.size]
    layout = Layout(
        order=order,
        psu_starts=psu_starts.astype(int),
        stratum_starts=np.concatenate([[0], cert_starts]).astype(int),
        stratum_psus=np.concatenate([[np.nan], sizes[cert_ids].astype(float)]),
        stratum_labels=("pps", *(f"certainty:{v}" for v in cert_ids)),
        psu_labels=np.concatenate([_labels("V", pps_ids), _labels("H", order[n_pps_rows:])]),
    )
    return Draws("two-stage", f"m={villages}×k={per_village}", weights, layout)
