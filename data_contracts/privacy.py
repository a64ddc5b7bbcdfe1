"""Masking of personal data (个人信息): names, resident ID numbers and phone numbers.

Personal identifiers may appear only in field manifests; every other output (reports, results,
sample tables shown to the leading group) masks them with ``mask_frame``. Free text (备注) may
hold ID or mobile numbers typed by hand: ``mask_in_text`` masks anything shaped like one, and
problem tables show personal values only masked (``mask_values``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

PERSONAL_COLUMNS = ("head_name", "head_id_number", "phone")

# Two-character surnames (复姓) kept whole by ``mask_name``.
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠",
    "端木", "万俟", "闻人", "南宫", "呼延", "西门", "东郭", "独孤", "拓跋", "百里", "第五",
)  # fmt: skip


#: an 18-character resident ID number (last character a digit or X) not inside a longer number
ID_SHAPE = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
#: a mainland mobile number (11 digits 1[3-9]…, optionally +86 and - or space separators)
PHONE_SHAPE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")


def _star_middle(text: str, head: int, tail: int) -> str:
    """``text`` with all but ``head`` leading and ``tail`` trailing characters starred."""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def _keep_ends(values: pd.Series, head: int, tail: int) -> pd.Series:
    """Keep ``head`` leading and ``tail`` trailing characters, star the middle (all if short)."""
    text = values.astype("str").str.strip()
    n = text.str.len().fillna(0).astype(int).to_numpy()
    short = n <= head + tail
    middle = np.where(short, n, n - head - tail)
    stars = pd.Series("*", index=text.index, dtype="str").str.repeat(middle)
    masked = text.str.slice(0, head) + stars + text.str.slice(-tail if tail else None, None)
    masked = masked.where(~short, stars)
    return masked.where(values.notna())


def mask_ids(values: pd.Series) -> pd.Series:
    """Vectorised ``mask_id``."""
    return _keep_ends(values, 4, 4)


def mask_phones(values: pd.Series) -> pd.Series:
    """Vectorised ``mask_phone``."""
    return _keep_ends(values, 3, 4)


def mask_names(values: pd.Series) -> pd.Series:
    """Vectorised ``mask_name``: the surname stays (复姓 whole), the rest is starred."""
    text = values.astype("str").str.strip()
    n = text.str.len().fillna(0).astype(int)
    compound = text.str.slice(0, 2).isin(COMPOUND_SURNAMES) & (n >= 3)
    keep = np.where(compound, 2, np.minimum(1, n))
    keep = np.where(n == 1, 0, keep)
    stars = pd.Series("*", index=text.index, dtype="str").str.repeat(n.to_numpy() - keep)
    kept = text.str.slice(0, 2).where(compound, text.str.slice(0, 1)).where(keep > 0, "")
    return (kept + stars).where(values.notna())


def _one(func, value: str) -> str:
    return str(func(pd.Series([value], dtype="str")).iloc[0])


def mask_id(id_number: str) -> str:
    """Mask an ID number to its first 4 and last 4 characters: ``3713**********123X``."""
    return _one(mask_ids, id_number)


def mask_phone(phone: str) -> str:
    """Mask a phone number to its first 3 and last 4 digits: ``138****5678``."""
    return _one(mask_phones, phone)


def mask_name(name: str) -> str:
    """Mask a name to its surname: ``张*``, ``欧阳**``."""
    return _one(mask_names, name)


def mask_in_text(values: pd.Series) -> pd.Series:
    """Free text with every ID-shaped number masked as ``mask_id`` does and every mobile-shaped
    number as ``mask_phone`` does: ``电话13812345678`` → ``电话138****5678``."""
    text = values.astype("str").str.replace(
        ID_SHAPE, lambda m: _star_middle(m[0], 4, 4), regex=True
    )
    text = text.str.replace(PHONE_SHAPE, lambda m: _star_middle(m[0], 3, 4), regex=True)
    return text.where(values.notna())


_MASKERS = {"head_name": mask_names, "head_id_number": mask_ids, "phone": mask_phones}


def mask_values(name: str, values: pd.Series) -> pd.Series:
    """``values`` of the column ``name`` as a problem table may show them: a personal column
    masked whole, any other with ID- and mobile-shaped numbers masked."""
    return _MASKERS.get(name, mask_in_text)(values)


def mask_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with whichever personal columns are present masked."""
    out = df.copy()
    for name, masker in _MASKERS.items():
        if name in out.columns:
            out[name] = masker(out[name])
    return out
