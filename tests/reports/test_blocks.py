"""Report building blocks and number formats: escaped values, readable numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import blocks, formatting


def test_numbers_for_readers():
    assert formatting.pct(0.02133) == "2.1%"
    assert formatting.pct(None) == formatting.pct(math.nan) == "—"
    assert formatting.level_pct(0.95) == "95%" and formatting.level_pct(0.99) == "99%"
    assert formatting.level_pct(0.975) == "97.5%"
    assert formatting.count(12581) == "12,581"
    assert formatting.money(3218.4) == "3,218"
    assert formatting.interval(0.004, 0.051) == "0.4% – 5.1%"
    # a census (issue 16): an exact figure, not a zero-width "99.1% – 99.1%"
    assert formatting.interval(0.991, 0.991) == "99.1%"
    assert formatting.interval(0.99104, 0.99096) == "99.1%"
    assert formatting.number(3000.0) == "3,000" and "e" not in formatting.number(1.2e-7)


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.00055, "p < 0.001"),  # 白马镇's signed-rank p (demo, issue 11)
        (5.5e-12, "p < 0.001"),
        (0.000999, "p < 0.001"),
        (0.001, "p = 0.0010"),
        (0.00123, "p = 0.0012"),
        (0.0123, "p = 0.012"),
        (0.0996, "p = 0.10"),  # rounds up to the next decade: still two figures
        (0.10068, "p = 0.10"),
        (0.5, "p = 0.50"),
        (1.0, "p = 1.00"),
    ],
)
def test_p_values_in_words(p: float, shown: str) -> None:
    """Two significant figures in fixed point, "p < 0.001" below 0.001 (docs/methods.md §5a)."""
    assert formatting.p_value(p, "en") == formatting.p_value(p, "zh") == shown


def test_p_value_missing_is_a_dash() -> None:
    assert formatting.p_value(None, "zh") == formatting.p_value(math.nan, "en") == "—"


@given(st.floats(min_value=0.0, max_value=1.0))
def test_no_p_value_in_scientific_notation(p: float) -> None:
    shown = formatting.p_value(p, "en")
    assert "e" not in shown.removeprefix("p") and shown.startswith("p ")
    if shown.startswith("p = "):  # two significant figures, within rounding of p
        digits = shown.removeprefix("p = ").replace(".", "").lstrip("0")
        assert len(digits) == 2 or shown == "p = 1.00"  # at least two decimals
        assert float(shown[4:]) == pytest.approx(p, rel=0.05)


def test_table_escapes_every_cell_and_header():
    frame = pd.DataFrame({"<b>村</b>": ["<script>alert(1)</script>", None], "n": [1, 2]})
    html = blocks.table(frame, numeric=["n"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;村&lt;/b&gt;" in html and '<td class="txt">—</td>' in html
    assert '<td class="num">2</td>' in html


@given(st.text())
def test_any_value_is_inert(value):
    html = blocks.table(pd.DataFrame({"c": [value]}))
    inner = html.split('<td class="txt">', 1)[1].rsplit("</td>", 1)[0]
    assert "<" not in inner and ">" not in inner
