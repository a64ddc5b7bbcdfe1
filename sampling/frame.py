"""The sampling frame (抽样框): a township's exited households with their poverty line and margin.

The frame is what every design draws from. It carries the reported-income margin above the poverty
line of each household's exit year (households pushed just over the line are where wrong exits
concentrate, so the margin defines the risk bands used as strata) and a sha256 fingerprint of the
normalised frame, recorded with the sample so anyone can prove which frame was used.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from data_contracts.errors import RequestError
from data_contracts.normalise import normalise_key

DEFAULT_CUT_POINTS = (0.10, 0.30)
FRAME_EXTRA_COLUMNS = ("poverty_line", "margin", "risk_band")


def risk_band_labels(cut_points: Sequence[float]) -> list[str]:
    """Labels of the margin bands for ascending cut points: ``<10%``, ``10-30%``, ``>=30%``."""
    pct = [f"{c * 100:g}%" for c in cut_points]
    middle = [f"{a.rstrip('%')}-{b}" for a, b in itertools.pairwise(pct)]
    return [f"<{pct[0]}", *middle, f">={pct[-1]}"]


def assign_risk_band(
    margin: pd.Series, cut_points: Sequence[float] = DEFAULT_CUT_POINTS
) -> pd.Series:
    """Risk band (风险分层) of each margin; bands are [-inf, c1), [c1, c2), …, [ck, inf)."""
    cuts = np.asarray(cut_points, dtype=float)
    if cuts.size == 0 or not np.all(np.diff(cuts) > 0) or not np.all(np.isfinite(cuts)):
        raise RequestError(
            f"risk-band cut points must be increasing numbers; got {list(cut_points)}."
        )
    labels = np.array(risk_band_labels(cuts), dtype=object)
    codes = np.searchsorted(cuts, margin.to_numpy(dtype=float, na_value=np.nan), side="right")
    band = pd.Series(labels[codes], index=margin.index, dtype="str")
    return band.where(margin.notna(), "unknown")


def poverty_line_by_year(poverty_lines: pd.DataFrame) -> pd.Series:
    """The line of each year: the provincial line (省定标准) when given, else the national one."""
    lines = poverty_lines.loc[:, ["year", "line", "kind"]].copy()
    lines["rank"] = (lines["kind"].astype("str") != "provincial").astype(int)
    lines = lines.sort_values(["year", "rank"], kind="stable").drop_duplicates("year")
    return pd.Series(
        lines["line"].to_numpy(dtype=float), index=lines["year"].astype("int64").to_numpy()
    )


def fingerprint(df: pd.DataFrame) -> str:
    """sha256 over each column's name, Arrow type and Arrow buffers (values and validity).

    Hashing the buffers directly is fast on millions of rows; arrays are made contiguous first
    (no slice offsets), so equal frames give equal fingerprints.
    """
    digest = hashlib.sha256()
    for name in df.columns:
        values = pa.array(df[name])
        if isinstance(values, pa.ChunkedArray) or values.offset:
            values = pa.concat_arrays(
                values.chunks if isinstance(values, pa.ChunkedArray) else [values]
            )
        digest.update(f"{name}\x1f{values.type}\x1f{len(values)}\x1e".encode())
        for buffer in values.buffers():
            digest.update(b"-" if buffer is None else buffer)
    return digest.hexdigest()


@dataclass(frozen=True)
class Frame:
    """Exited households of one township, sorted by ``household_id`` (抽样框)."""

    units: pd.DataFrame
    township: str
    exit_years: tuple[int, ...]
    cut_points: tuple[float, ...]
    fingerprint: str

    @property
    def households(self) -> int:
        """Number of households in the frame."""
        return len(self.units)

    @property
    def persons(self) -> int:
        """Number of persons (sum of household sizes)."""
        return int(self.units["household_size"].sum())

    def summary(self) -> pd.DataFrame:
        """Households, persons and reported margin by village, plus households per risk band."""
        units = self.units
        by = units.groupby(["village_id", "village"], sort=True, observed=True)
        table = by.agg(
            households=("household_id", "size"),
            persons=("household_size", "sum"),
            margin_median=("margin", "median"),
            margin_min=("margin", "min"),
        )
        bands = pd.crosstab([units["village_id"], units["village"]], units["risk_band"])
        order = [b for b in [*risk_band_labels(self.cut_points), "unknown"] if b in bands.columns]
        table = table.join(bands[order]).reset_index()
        table["persons"] = table["persons"].astype("int64")
        return table

    def to_frame(self) -> pd.DataFrame:
        """The frame's households (a copy)."""
        return self.units.copy()

    def __repr__(self) -> str:
        return (
            f"Frame({self.township}: {self.households} exited households, {self.persons} persons, "
            f"{self.units['village_id'].nunique()} villages, exit years {list(self.exit_years)}, "
            f"sha256 {self.fingerprint[:12]}…)"
        )


def build_frame(
    households: pd.DataFrame,
    villages: pd.DataFrame,
    poverty_lines: pd.DataFrame,
    township: str,
    exit_years: Sequence[int] | None = None,
    cut_points: Sequence[float] = DEFAULT_CUT_POINTS,
) -> Frame:
    """Frame of the township's exited households (optionally only some exit years).

    Adds ``poverty_line`` of the exit year, ``margin`` = income_per_capita / poverty_line − 1 and
    ``risk_band``. ``township`` is matched in the normalised form the registry was read in
    (``data_contracts.normalise``: full-width letters, invisible characters and spaces at the ends
    do not matter). Unknown township, villages missing from the registry or exit years without a
    poverty line raise ``RequestError`` naming what is wrong.
    """
    township = normalise_key(township)
    known = sorted(households["township"].dropna().astype("str").unique())
    if township not in known:
        close = difflib.get_close_matches(township, known, n=3, cutoff=0.3)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise RequestError(
            f"township {township!r} is not in the households file; {hint}known townships: "
            f"{', '.join(known) or '(none)'}."
        )
    units = households.loc[households["township"] == township]
    years = units["exit_year"].astype("Int64")
    if exit_years is not None:
        wanted = sorted({int(y) for y in exit_years})
        units = units.loc[years.isin(wanted).fillna(False).to_numpy()]
        if units.empty:
            raise RequestError(
                f"township {township!r} has no households that exited in {wanted}; "
                f"exit years present: {sorted(years.dropna().unique().tolist())}."
            )
    units = units.sort_values("household_id", kind="stable").reset_index(drop=True)

    registry = villages.loc[villages["township"] == township, "village_id"]
    missing = ~units["village_id"].isin(registry)
    if missing.any():
        bad = units.loc[missing, "village_id"].unique().tolist()
        raise RequestError(
            f"households of {township!r} name village_id(s) {bad[:10]} that are not villages of "
            "this township in the villages file."
        )

    lines = poverty_line_by_year(poverty_lines)
    year = units["exit_year"].astype("int64")
    absent = sorted(set(year.unique().tolist()) - set(lines.index.tolist()))
    if absent:
        raise RequestError(
            f"no poverty line for exit year(s) {absent} in the poverty-lines file "
            f"(it has years {sorted(lines.index.tolist())}); add a provincial or national line."
        )
    line = lines.reindex(year.to_numpy()).to_numpy()
    income = units["income_per_capita"].to_numpy(dtype=float, na_value=np.nan)
    units = units.assign(poverty_line=line, margin=income / line - 1.0)
    units["risk_band"] = assign_risk_band(units["margin"], cut_points)
    used_years = tuple(sorted(int(y) for y in year.unique()))
    return Frame(
        units, township, used_years, tuple(float(c) for c in cut_points), fingerprint(units)
    )
