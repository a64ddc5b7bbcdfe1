"""Numbers for readers (数字格式): percentages, yuan, counts, p-values; no scientific notation.

Every function takes a value that may be missing (None, NaN, pandas NA) and shows it as a dash.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from data_contracts.messages import text

DASH = "—"


def missing(value: Any) -> bool:
    """Whether ``value`` is absent (None, NaN, NA)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pct(value: Any, digits: int = 1) -> str:
    """A proportion as a percentage (0.0213 → "2.1%")."""
    return DASH if missing(value) else f"{float(value):.{digits}%}"


def level_pct(level: float) -> str:
    """A confidence level as a percentage, no needless decimals (0.95 → "95%", 0.975 → "97.5%")."""
    return f"{float(level) * 100:.10g}%"


def count(value: Any) -> str:
    """A whole number with thousands separators (12581 → "12,581")."""
    return DASH if missing(value) else f"{round(float(value)):,}"


def money(value: Any) -> str:
    """An amount in yuan, rounded, with thousands separators ("3,218")."""
    return DASH if missing(value) else f"{float(value):,.0f}"


def ratio(value: Any, digits: int = 2) -> str:
    """A ratio such as a verification factor ("0.97")."""
    return DASH if missing(value) else f"{float(value):.{digits}f}"


def interval(low: Any, high: Any, digits: int = 1) -> str:
    """A two-sided interval of proportions ("0.4% – 5.1%"); one value when both ends show the
    same (a census, 全面核查: the figure is exact, not a zero-width "99.1% – 99.1%")."""
    if missing(low) or missing(high):
        return DASH
    ends = pct(low, digits), pct(high, digits)
    return ends[0] if ends[0] == ends[1] else f"{ends[0]} – {ends[1]}"


P_FLOOR = 0.001


def p_value(value: Any, lang: str) -> str:
    """A p-value in words for readers, never in scientific notation: "p < 0.001" below 0.001,
    else two significant figures in fixed point, at least two decimals (0.0123 → "p = 0.012",
    0.5 → "p = 0.50", 0.00123 → "p = 0.0012", 1 → "p = 1.00"); the one helper for every p-value
    a report shows."""
    if missing(value):
        return DASH
    p = float(value)
    if p < P_FLOOR:
        return text("format.p_below", lang, bound=f"{P_FLOOR:g}")
    decimals = _two_figures(p)
    decimals = _two_figures(round(p, decimals))  # 0.0996 rounds to 0.10, not 0.100
    return text("format.p_equals", lang, p=f"{p:.{decimals}f}")


def _two_figures(p: float) -> int:
    """Decimals that show ``p`` (0.001 ≤ p ≤ 1) to two significant figures."""
    return max(1 - math.floor(math.log10(p)), 2)


def number(value: Any, digits: int = 2) -> str:
    """A plain number, fixed-point (never scientific notation)."""
    if missing(value):
        return DASH
    x = float(value)
    return f"{x:,.0f}" if math.isclose(x, round(x)) and abs(x) >= 1 else f"{x:,.{digits}f}"
