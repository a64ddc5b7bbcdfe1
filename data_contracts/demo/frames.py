"""Build canonical frames with the contract dtypes from a column spec."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from data_contracts.columns import Column
from data_contracts.validation import empty_column


def canonical_frame(columns: Mapping[str, object], spec: tuple[Column, ...]) -> pd.DataFrame:
    """A frame with the spec's columns, in its order and contract dtypes; absent ones empty."""
    n = len(next(iter(columns.values())))
    data = {c.name: columns[c.name] if c.name in columns else empty_column(c, n) for c in spec}
    return pd.DataFrame(data).astype({c.name: empty_column(c, 0).dtype for c in spec})
