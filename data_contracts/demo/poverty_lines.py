"""The demo poverty-line table (扶贫标准): the national line at current prices, with sources.

Official figures carry their source; 2017 and 2018 have no public figure here and are linear
interpolations between 2016 and 2019, and their ``source`` says so. The 2019 figure comes from a
single secondary source (weak). A user supplies their province's own line (省定标准).
"""

from __future__ import annotations

import pandas as pd

_YEARBOOK = "国家统计局《中国统计年鉴》注释：国家扶贫标准（2010年不变价2300元）按现价折算"
_NATIONAL = {2011: 2536, 2012: 2625, 2013: 2736, 2014: 2800, 2015: 2855, 2016: 2952, 2019: 3218}
_WEAK = {2019: "；二手资料转引，待核实（弱来源）"}


def _interpolated(year: int) -> float:
    """Linear interpolation between 2016 and 2019, rounded to the yuan (an assumption)."""
    return round(_NATIONAL[2016] + (_NATIONAL[2019] - _NATIONAL[2016]) * (year - 2016) / 3)


def demo_poverty_lines() -> pd.DataFrame:
    """Canonical poverty-lines table: ``year, line, kind, source`` for 2011-2019."""
    rows = [(y, float(v), "national", _YEARBOOK + _WEAK.get(y, "")) for y, v in _NATIONAL.items()]
    rows += [
        (
            y,
            float(_interpolated(y)),
            "national",
            "假设：无公开数据，按2016年与2019年现价标准线性插值",
        )
        for y in (2017, 2018)
    ]
    frame = pd.DataFrame(rows, columns=["year", "line", "kind", "source"]).sort_values("year")
    return frame.reset_index(drop=True).astype(
        {"year": "Int64", "line": "float64", "kind": "str", "source": "str"}
    )
