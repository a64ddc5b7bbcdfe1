r"""Unicode normalisation of identifiers and place names (编码与地名的统一写法) before matching.

Registry exports and survey returns are typed on many machines: ``ＨＨ001`` (full-width, from a
Chinese input method), ``HH\u200b001`` (a zero-width space pasted from a web page), ``白马镇\u3000``
(an ideographic space) and ``HH001`` name the same household. Household and village codes,
resident ID numbers, township and village names are therefore compared in one form: NFKC
(full-width letters, digits and brackets become ASCII, compatibility ideographs the unified
ones), invisible characters removed, spaces at the ends stripped.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: characters that show nothing: soft hyphen, zero-width space/joiners, direction marks, word
#: joiner, BOM, variation selectors, Hangul fillers, tag characters
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]"
)


def normalise_key(text: str) -> str:
    r"""The comparable form of one identifier or name: ``"ＨＨ\u200b001 "`` → ``"HH001"``."""
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).strip()


def normalise_keys(values: pd.Series) -> pd.Series:
    """Vectorised ``normalise_key`` over text (missing values stay missing)."""
    return values.str.normalize("NFKC").str.replace(INVISIBLE, "", regex=True).str.strip()
