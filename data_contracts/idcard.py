"""Resident ID numbers (居民身份证号码, GB 11643-1999): check digit and validity.

The 18th character is a checksum of the first 17 digits (ISO 7064 MOD 11-2): weights
2^(17-i) mod 11, remainder mapped onto ``10X98765432``. A valid number also carries a real
birth date in characters 7-14. Registry exports often carry mistyped numbers; the validator
flags them so the field manifest does not send teams to the wrong household.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_PATTERN = r"[0-9]{17}[0-9X]"  # ASCII digits: \d would also accept Arabic or Devanagari ones


def check_digit(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    digits = np.frombuffer(first17.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    return CHECK_CHARS[int(digits @ WEIGHTS) % 11]


def problems(ids: pd.Series) -> pd.Series:
    """Vectorised reason each ID number is invalid (format, birth date, check digit); NA if valid.

    Missing values are not problems here (whether the column is required is decided elsewhere).
    """
    text = ids.astype("str").str.strip().str.upper()
    shaped = text.str.fullmatch(_PATTERN).fillna(False).astype(bool).to_numpy()
    reason = pd.Series(
        "18 characters: 17 digits then a check digit 0-9 or X", index=ids.index, dtype="str"
    )
    if shaped.any():
        good = text[shaped]
        raw = np.frombuffer("".join(good).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digits = raw[:, :17].astype(np.int64) - 48
        expected = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)[
            (digits @ WEIGHTS) % 11
        ]
        born = pd.to_datetime(good.str.slice(6, 14), format="%Y%m%d", errors="coerce").notna()
        why = np.where(
            ~born.to_numpy(),
            "a real birth date (YYYYMMDD) in characters 7-14",
            "check digit " + expected.view("S1").astype(str) + " (GB 11643) for these 17 digits",
        )
        reason[shaped] = np.where((expected == raw[:, 17]) & born.to_numpy(), None, why)
    return reason.mask(ids.isna())


def valid_mask(ids: pd.Series) -> pd.Series:
    """Vectorised validity of ID numbers (format, birth date, check digit); NA stays NA."""
    return problems(ids).isna().astype("boolean").mask(ids.isna())


def is_valid(id_number: str) -> bool:
    """Whether one ID number is well-formed: 18 characters, real birth date, right check digit."""
    return bool(valid_mask(pd.Series([id_number], dtype="str")).fillna(False).iloc[0])
