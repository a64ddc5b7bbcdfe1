"""Report building blocks and number formats: escaped values, readable numbers."""

from __future__ import annotations

import math

import pandas as pd
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
    assert formatting.p_value(0.00055, "zh") == "p < 0.001"  # 白马镇's signed-rank p
    assert formatting.p_value(0.10068, "en") == "p = 0.101"
    assert formatting.number(3000.0) == "3,000" and "e" not in formatting.number(1.2e-7)


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
