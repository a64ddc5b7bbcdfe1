"""Properties that must hold for any input: allocation totals and bounds, πps probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.allocation import allocate
from sampling.pps import pps_probabilities, systematic_pps

sizes_strategy = st.lists(st.integers(1, 500), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    sizes=sizes_strategy,
    share=st.floats(0.0, 1.0),
    method=st.sampled_from(["proportional", "equal"]),
)
def test_allocation_sums_to_n_within_bounds(sizes: list[int], share: float, method: str) -> None:
    big_n = pd.Series(sizes, index=[f"s{i}" for i in range(len(sizes))])
    lower = np.minimum(2, big_n).sum()
    n = int(lower + round(share * (big_n.sum() - lower)))
    n_h = allocate(big_n, n, method)
    assert n_h.sum() == n
    assert (n_h <= big_n).all() and (n_h >= np.minimum(2, big_n)).all()


@settings(max_examples=60, deadline=None)
@given(sizes=sizes_strategy, data=st.data())
def test_pps_probabilities_sum_to_m_and_select_m(sizes: list[int], data: st.DataObject) -> None:
    m = data.draw(st.integers(1, len(sizes)))
    pi, certain = pps_probabilities(np.array(sizes), m)
    assert pi.sum() == np.float64(m) or abs(pi.sum() - m) < 1e-9
    assert np.all(pi <= 1) and np.all(pi > 0) and np.all(pi[certain] == 1)
    rest = ~certain
    if rest.any():  # proportional to size among the non-certainty units
        ratio = pi[rest] / np.array(sizes)[rest]
        assert np.allclose(ratio, ratio[0])
    selected, _ = systematic_pps(np.array(sizes), m, np.random.default_rng(m))
    assert selected.sum() == m and selected[certain].all()
