"""Synthetic but well-formed personal data for the demo district (示范县).

Names, resident ID numbers (居民身份证号码, GB 11643 check digit, real birth dates, plausible
region codes) and mobile numbers are drawn from an explicit ``numpy`` Generator, so the demo is
reproducible. Nothing here belongs to a real person: surnames and given-name characters are
combined at random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.idcard import CHECK_CHARS, WEIGHTS

# Region codes (行政区划代码) for ID numbers: the demo county borrows 371302 (the Lanshan
# district whose exit plan the design cites); a minority of heads were born in neighbouring
# counties of the same prefecture.
COUNTY_CODE = "371302"
NEIGHBOUR_CODES = ("371311", "371312", "371321", "371322", "371323", "371324", "371325")

# Common surnames with rough relative frequencies (top of the national ranking).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    "郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_SURNAME_WEIGHTS = np.concatenate([np.linspace(7.0, 2.0, 10), np.linspace(1.8, 0.5, 40)])
_MALE_CHARS = "建国华军明永福德林志强伟刚海成春庆祥兴贵保全兵宝山金忠学文东平富生荣"
_FEMALE_CHARS = "秀英兰芳玉珍桂凤霞梅华丽红娟萍琴云翠芬莲春敏燕荣香美菊"

# Mobile prefixes of the three carriers (号段).
_MOBILE_PREFIXES = np.array(
    [
        *range(130, 140),
        150,
        151,
        152,
        153,
        *range(155, 160),
        177,
        *range(180, 184),
        *range(185, 190),
    ]
)

# Village names: a first character and an ending, e.g. 杨家庄村, 石桥洼村.
_VILLAGE_FIRST = "张王李刘赵杨马高石柳杏桃枣东西南北前后上下大小新黄白青沙岭泉塘孙周朱胡郭何宋"
_VILLAGE_ENDINGS = (
    "家庄", "家洼", "家岭", "家沟", "家河", "家屯", "家营", "官庄", "庄子", "湖", "峪", "埠",
    "集", "楼", "寨", "岗", "坡", "桥", "店", "园", "台", "泉", "坪", "旺", "墩",
)  # fmt: skip


def _pick_chars(rng: np.random.Generator, pool: str, n: int) -> np.ndarray:
    """``n`` characters drawn uniformly from ``pool``."""
    return np.array(list(pool))[rng.integers(0, len(pool), n)]


def person_names(rng: np.random.Generator, male: np.ndarray) -> pd.Series:
    """Chinese names (surname + one or two given-name characters) matching the sex ``male``."""
    n = len(male)
    weights = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()
    surname = np.array(list(_SURNAMES))[rng.choice(len(_SURNAMES), n, p=weights)]
    first = np.where(male, _pick_chars(rng, _MALE_CHARS, n), _pick_chars(rng, _FEMALE_CHARS, n))
    second = np.where(male, _pick_chars(rng, _MALE_CHARS, n), _pick_chars(rng, _FEMALE_CHARS, n))
    second = np.where(rng.random(n) < 0.8, second, "")
    return pd.Series(np.char.add(np.char.add(surname, first), second), dtype="str")


def id_numbers(
    rng: np.random.Generator, birth_dates: np.ndarray, male: np.ndarray, local_share: float = 0.9
) -> pd.Series:
    """Unique 18-character ID numbers: region, birth date (``datetime64[D]``), sequence, check.

    The sequence code is odd for men and even for women (GB 11643); collisions on the same
    region and birth date are resolved by stepping the sequence, keeping the parity.
    """
    n = len(male)
    region = np.where(
        rng.random(n) < local_share,
        COUNTY_CODE,
        np.array(NEIGHBOUR_CODES)[rng.integers(0, len(NEIGHBOUR_CODES), n)],
    )
    birth = pd.Series(pd.DatetimeIndex(birth_dates).strftime("%Y%m%d"), dtype="str")
    prefix = pd.Series(region, dtype="str") + birth
    groups = prefix.groupby(prefix)
    base = pd.Series(rng.integers(0, 500, n)).groupby(prefix.to_numpy()).transform("first")
    sequence = (base.to_numpy() + groups.cumcount().to_numpy()) % 500 * 2 + male.astype(int)
    first17 = prefix + pd.Series(sequence).astype("str").str.zfill(3)
    raw = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(n, 17)
    checks = np.array(list(CHECK_CHARS))[(raw.astype(np.int64) - 48) @ WEIGHTS % 11]
    return first17 + pd.Series(checks, dtype="str")


def mobile_numbers(rng: np.random.Generator, n: int) -> pd.Series:
    """11-digit mainland mobile numbers with real carrier prefixes."""
    prefix = _MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)]
    rest = rng.integers(0, 100_000_000, n)
    return pd.Series(prefix.astype(str), dtype="str") + pd.Series(rest).astype("str").str.zfill(8)


def village_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct village names ending in 村."""
    combos = len(_VILLAGE_FIRST) * len(_VILLAGE_ENDINGS)
    pick = rng.choice(combos, n, replace=False)
    first = np.array(list(_VILLAGE_FIRST))[pick // len(_VILLAGE_ENDINGS)]
    ending = np.array(_VILLAGE_ENDINGS)[pick % len(_VILLAGE_ENDINGS)]
    return np.char.add(np.char.add(first, ending), "村")
