"""The problem table: every defect found in an input, as the user sees it in Excel.

Each problem names the file, the row number as shown in Excel (header row = row 1, title rows
above it counted), the column as written in the file (usually the Chinese header), the bad value
and what was expected. ``format_problems`` prints it aligned for a terminal with Chinese text.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

PROBLEM_COLUMNS = ("file", "row", "column", "value", "expected")
HEADINGS = {"file": "文件 file", "row": "行 row", "column": "列 column", "value": "值 value",
            "expected": "应为 expected"}  # fmt: skip


def problem_frame(
    file: str, rows: object, column: str, values: object, expected: str | pd.Series
) -> pd.DataFrame:
    """Problems for several rows of one column (rows/values array-like, or scalars)."""
    frame = pd.DataFrame({"row": pd.array(pd.Series(rows), dtype="Int64")})
    if isinstance(values, str):
        values = [values] * len(frame)
    frame["value"] = pd.Series(values, dtype="str").fillna("").to_numpy()
    frame.insert(0, "column", column)
    frame.insert(0, "file", file)
    frame["expected"] = expected.to_numpy() if isinstance(expected, pd.Series) else expected
    return frame[list(PROBLEM_COLUMNS)]


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One problem table from parts, ordered by row (file-level problems first)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str")
                             for c in PROBLEM_COLUMNS})  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out["row"] = out["row"].astype("Int64")
    return out.sort_values("row", na_position="first", kind="stable").reset_index(drop=True)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object, limit: int | None = 40) -> str:
    text = "" if value is None or value is pd.NA else str(value).replace("\n", " ")
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def format_problems(problems: pd.DataFrame, limit: int | None = 200) -> str:
    """An aligned text table of the problems (at most ``limit`` rows, then a count of the rest)."""
    cols = ["row", "column", "value", "expected"]
    shown = problems.head(limit)
    table = [[HEADINGS[c] for c in cols]]
    table += [[_cell(r[c], None if c == "expected" else 40) for c in cols]
              for r in shown.to_dict("records")]  # fmt: skip
    widths = [max(_width(row[i]) for row in table) for i in range(len(cols))]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))
             .rstrip() for row in table]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    if limit is not None and len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more problems")
    return "\n".join(lines)
