"""Mapping of column headers as written in a file onto the canonical column names.

A header matches a column by its canonical English name, its Chinese header or a known alias,
after normalising width (full-width brackets as in 乡镇（街道）), invisible characters, case,
whitespace, a leading ``*`` (required-field marker in templates) and a trailing unit such as
``（元）`` or ``(人)``. A header that appears twice is numbered (``户编号#2``) and reported as a
repeated column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from data_contracts.columns import Column
from data_contracts.normalise import normalise_key

_UNIT = re.compile(r"\((元|人|户|元/人|元/年|元/人/年|人/户|年)\)$")
_REPEAT = re.compile(r"#\d+$")  # suffix given to a header's second, third, ... occurrence


def number_repeats(headers: Sequence[object]) -> list[str]:
    """Headers as text; repeats are numbered (``备注#2``, ``备注#3``) to keep labels unique."""
    labels = pd.Series([str(h) for h in headers], dtype="str")
    seen = labels.groupby(labels).cumcount()
    return labels.where(seen == 0, labels + "#" + (seen + 1).astype("str")).tolist()


def normalise(header: object) -> str:
    """Comparable form of a header."""
    text = normalise_key(str(header))
    text = re.sub(r"\s+", "", _REPEAT.sub("", text)).lower().lstrip("*")
    return _UNIT.sub("", text)


def header_keys(spec: Sequence[Column]) -> dict[str, str]:
    """Normalised header → canonical name, for every name, header and alias of the spec."""
    return dict(_header_keys(tuple(spec)))


@lru_cache(maxsize=16)
def _header_keys(spec: tuple[Column, ...]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for col in spec:
        for key in (col.name, col.header, *col.aliases):
            keys.setdefault(normalise(key), col.name)
    return keys


def count_matches(cells: Iterable[object], spec: Sequence[Column]) -> int:
    """How many distinct columns of the spec a row of cells names (used to find the header row)."""
    keys = _header_keys(tuple(spec))
    return len({keys[k] for k in map(normalise, cells) if k in keys})


@dataclass
class HeaderMatch:
    """Result of matching a file's headers to a spec."""

    rename: dict[str, str] = field(default_factory=dict)  # header as written → canonical
    header_map: dict[str, str] = field(default_factory=dict)  # canonical → header as written
    extras: list[str] = field(default_factory=list)  # headers kept but not in the contract
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (header, canonical)
    missing: list[Column] = field(default_factory=list)  # required columns not found


def match_headers(headers: Sequence[str], spec: Sequence[Column]) -> HeaderMatch:
    """Match written headers to the spec; the first header naming a column wins."""
    keys = header_keys(spec)
    result = HeaderMatch()
    for header in headers:
        name = keys.get(normalise(header))
        if name is None:
            result.extras.append(header)
        elif name in result.header_map:
            result.duplicates.append((header, name))
        else:
            result.rename[header] = name
            result.header_map[name] = header
    result.missing = [c for c in spec if c.required and c.name not in result.header_map]
    return result
