"""Exited key villages (退出重点村): each village judged on its own evidence only.

**Comprehensive incidence** (综合贫困发生率) of key village v:

    I_v = (P_v + X_v · r_v) ÷ Pop_v

P_v (verified remaining poor) and Pop_v (verified registered population) are the village
survey's counts (村级核查表, the assessor's own count); X_v the exited persons of the village in
the sampling frame (registry household sizes); r_v the village's wrong-exit rate by persons
(错退率). X_v, P_v and Pop_v are known counts, so the bounds of I_v are the bounds of r_v mapped
through that increasing line.

**r_v from the village's own households.** The village is its own finite population: N_v exited
households in the frame, n_v of them interviewed. r̂_v is the direct domain estimate over its
interviewed households only, the person-weighted ratio Σ w·m·wrong ÷ Σ w·m (w design weights, m
surveyed household sizes), with the linearised variance of SRS without replacement of n_v of N_v
households::

    V̂(r̂_v) = (1 − n_v/N_v) · n_v/(n_v − 1) · Σ_i z_i²,   z_i = w_i·m_i·(wrong_i − r̂_v) ÷ Σ w·m

(Σ z_i = 0), df = n_v − 1. With equal weights this is the textbook SRSWOR ratio variance
(1 − f)/(n·x̄²) · Σ (y_i − r̂ x_i)²/(n − 1). Its bounds follow the one rule of
:mod:`evaluation.bounds` (``count_bounds``) with e = Kish size of the interviewed households'
weights × the size factor of the village frame's household sizes, f = n_v/N_v, k = wrong
households found and element df = n_v − 1 (so the Korn–Graubard df ratio is 1).

**Why no borrowing from the township.** The question asked of a village is about its own rate
r_v, a fixed finite-population quantity, not a draw from a distribution of villages. Conditional
on the village the only randomness is which of its N_v households were sampled, so the
within-village sampling variance is the right variance of the direct estimate, and it is
unbiased for r_v whatever the other villages do. "Between-village variation" enters only an
estimator that uses other villages' data: a synthetic estimate (the township rate standing in for
r_v) carries the village's deviation r_v − r as a bias its township interval omits. Wrong exits
cluster by village, and there that bias dominates: a village with true r_v 34.5% (true I_v 9.7%)
got 3.8%, and the borrowed interval covered the truth in 0–1% of repeated samples, while a
village at 1.27% was judged not credible in 84%. The direct estimate has no such bias; its price
is a wide interval when n_v is small, which is reported as not assessable rather than hidden.

**Not assessable** (未核查, reason codes ``NOT_ASSESSABLE_REASONS``): no village survey row
(``no_village_survey``: the verified counts are missing), none of its exited households
interviewed (``no_sampled_households``), or so few that even zero wrong exits could not certify it
— the zero-error upper bound of r_v is at or above ``rate_threshold`` r* = (t·Pop_v − P_v) ÷ X_v,
the rate that puts I_v on the threshold t (``too_few_households``). Such a village is never
credible; unless its lower bound shows it failing it is ``not_assessable``
(:func:`evaluation.verdict.judge` with ``assessable=False``).

**Fully enumerated** (n_v = N_v, 全面核查): r_v is known; se 0, bounds = estimate. A key village
with no exited household in the frame (X_v = 0) has I_v = P_v/Pop_v exactly. With n_v = 0 the
estimate is undefined and the bounds are the extremes r_v ∈ [0, 1].

The standard is I_v < 2% (国开办发〔2017〕56号; 3% in western provinces — a parameter).
Infrastructure and public services (通硬化路, 安全饮水, 通电, 标准化卫生室, 义务教育就学) are
compared item by item between the registry and the village survey.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data_contracts.errors import InputError
from evaluation.advice import AdviceBasis, PersonBasis, design_effect
from evaluation.bounds import (
    count_bounds,
    count_interval,
    failure_p_values,
    kish_size,
    size_factor,
)
from evaluation.verdict import Indicator, Ref, Thresholds, judge

INFRASTRUCTURE = ("roads", "drinking_water", "electricity", "clinic", "school_access")
"""Infrastructure and public-service items of a key village's exit (通硬化路、安全饮水、通电、
标准化卫生室、义务教育就学)."""
NOT_ASSESSABLE_REASONS = ("no_village_survey", "no_sampled_households", "too_few_households")
"""Why a key village's own evidence cannot certify it (未核查的原因)."""


def exited_key_villages(villages: pd.DataFrame, township: str) -> pd.DataFrame:
    """The township's key villages declared exited, with their registry incidence."""
    in_town = villages["township"].astype("str").eq(township)
    key = villages["key_village"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    gone = villages["exited"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    out = villages.loc[in_town.to_numpy() & key & gone].reset_index(drop=True)
    pop = pd.to_numeric(out["registered_population"]).to_numpy(float)
    poor = pd.to_numeric(out["poor_population_remaining"]).to_numpy(float)
    if (pop <= 0).any():
        bad = out.loc[pop <= 0, "village_id"].tolist()
        raise InputError(f"villages: registered_population must be >= 1 for {bad}")
    out["registry_incidence"] = poor / pop
    return out


def village_frame(frame: pd.DataFrame, village_ids) -> pd.DataFrame:
    """Each village's exited households in the frame, indexed by ``village_ids``.

    Columns ``frame_households`` (N_v), ``exited_persons`` (X_v, Σ registered household sizes)
    and ``size_factor`` (:func:`evaluation.bounds.size_factor` of those sizes); a village
    without exited households gets 0, 0 and 1.
    """
    ids = pd.Index(pd.Series(list(village_ids), dtype="str"), name="village_id")
    sizes = pd.to_numeric(frame["household_size"]).astype(float)
    groups = sizes.groupby(frame["village_id"].astype("str").to_numpy())
    out = pd.DataFrame(
        {
            "frame_households": groups.size().astype(float),
            "exited_persons": groups.sum(),
            "size_factor": groups.agg(size_factor),
        }
    ).reindex(ids)
    return out.fillna({"frame_households": 0.0, "exited_persons": 0.0, "size_factor": 1.0})


def own_rates(interviewed: pd.DataFrame, villages: pd.DataFrame, level: float) -> pd.DataFrame:
    """Each village's wrong-exit rate by persons from its own interviewed households only.

    ``interviewed``: one row per interviewed household with ``village_id``, ``weight`` (design
    weight), ``size`` (surveyed household size) and ``wrong`` (0/1); ``villages``: output of
    :func:`village_frame`. Returns ``villages`` with ``interviewed`` (n_v), ``wrong_households``
    (k), ``census``, ``fraction`` (n_v/N_v), ``equivalent`` (e), ``rate`` (r̂_v, NaN when
    n_v = 0), ``rate_se``, ``rate_df`` (n_v − 1), the two-sided interval ``rate_ci_low`` /
    ``rate_ci_high`` and the one-sided bounds ``rate_bound_low`` / ``rate_bound_high`` at
    ``level``, and ``zero_bound`` (the upper bound had no wrong exit been found). See the module
    docstring for the estimator and its variance.
    """
    key = interviewed["village_id"].astype("str")
    w = interviewed["weight"].to_numpy(dtype=float)
    m = pd.to_numeric(interviewed["size"]).to_numpy(dtype=float)
    y = interviewed["wrong"].to_numpy(dtype=float)
    sums = pd.DataFrame({"n": 1.0, "x": w * m, "y": w * m * y, "k": y}).groupby(key.to_numpy())
    totals = sums.sum()
    ratio = totals["y"] / totals["x"]
    z2 = pd.Series((w * m * (y - key.map(ratio).to_numpy())) ** 2).groupby(key.to_numpy()).sum()
    kish = pd.Series(w).groupby(key.to_numpy()).agg(kish_size)

    out = villages.copy()
    ids = out.index
    n = totals["n"].reindex(ids).fillna(0.0).to_numpy()
    big_n = np.fmax(out["frame_households"].to_numpy(dtype=float), n)
    census = n >= big_n
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(big_n > 0, n / big_n, 1.0)
        rate = np.where(big_n > 0, ratio.reindex(ids).to_numpy(dtype=float), 0.0)
        spread = z2.reindex(ids).to_numpy(dtype=float) / totals["x"].reindex(ids).to_numpy() ** 2
        var = (1.0 - f) * n / (n - 1.0) * spread
    se = np.where(census, 0.0, np.where(n > 1, np.sqrt(var), np.nan))
    events = totals["k"].reindex(ids).fillna(0.0).to_numpy()
    equivalent = kish.reindex(ids).fillna(0.0).to_numpy() * out["size_factor"].to_numpy(float)
    df = n - 1.0  # the design df and the element df: one stratum of n_v households
    unknown = (n == 0) & ~census  # nothing observed: r_v anywhere in [0, 1]
    with np.errstate(invalid="ignore"):
        ci = count_interval(rate, se, df, equivalent, f, events, df, level)
        bounds = count_bounds(rate, se, df, equivalent, f, events, df, level)
        zero = count_bounds(0.0, 0.0, df, equivalent, f, 0.0, df, level)[1]
    out["interviewed"] = n.astype(int)
    out["wrong_households"] = events.astype(int)
    out["census"] = census
    out["fraction"] = f
    out["equivalent"] = equivalent
    out["rate"], out["rate_se"], out["rate_df"] = rate, se, df
    for name, (low, high) in (("ci", ci), ("bound", bounds)):
        out[f"rate_{name}_low"] = np.where(unknown, 0.0, low)
        out[f"rate_{name}_high"] = np.where(unknown, 1.0, high)
    out["zero_bound"] = np.where(unknown, 1.0, zero)  # a census's bound is its value, 0
    return out


def rate_threshold(table: pd.DataFrame, incidence_threshold: float) -> np.ndarray:
    """Wrong-exit rate r* = (t·Pop_v − P_v) ÷ X_v that puts each village's incidence on ``t``
    (from the verified counts; NaN without them, ±inf when X_v = 0)."""
    pop = table["verified_registered_population"].to_numpy(float)
    poor = table["verified_poor_remaining"].to_numpy(float)
    persons = table["exited_persons"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (incidence_threshold * pop - poor) / persons


def key_village_incidence(
    key: pd.DataFrame,
    rates: pd.DataFrame,
    village_survey: pd.DataFrame | None,
    incidence_threshold: float,
) -> pd.DataFrame:
    """The comprehensive incidence of each exited key village with its bounds and evidence.

    ``key``: output of :func:`exited_key_villages`; ``rates``: output of :func:`own_rates` for
    those villages; ``village_survey``: the verified counts (None: no village survey). One row per
    key village: the registry's counts and incidence, the verified counts and
    ``verified_incidence``, the columns of ``rates``, ``rate_threshold`` (r*),
    ``wrong_exit_persons`` (X_v·r̂_v), the incidence ``estimate``, ``se``, ``ci_low``/``ci_high``
    and one-sided ``bound_low``/``bound_high``, ``n`` (interviewed households) and
    ``uncertifiable``: the code of ``NOT_ASSESSABLE_REASONS`` why the evidence cannot certify
    the village, or None.
    """
    out = key[["village_id", "village", "registered_population", "poor_population_remaining",
               "registry_incidence"]].reset_index(drop=True)  # fmt: skip
    ids = out["village_id"].astype("str")
    out = out.join(rates.reindex(ids).reset_index(drop=True))
    if village_survey is not None:
        vs = village_survey.assign(village_id=village_survey["village_id"].astype("str"))
        vs = vs.set_index("village_id").reindex(ids)
        pop = pd.to_numeric(vs["verified_registered_population"]).to_numpy(float)
        poor = pd.to_numeric(vs["verified_poor_remaining"]).to_numpy(float)
    else:
        pop = poor = np.full(len(out), np.nan)
    surveyed = np.isfinite(pop) & np.isfinite(poor) & (pop > 0)
    out["verified_registered_population"] = np.where(surveyed, pop, np.nan)
    out["verified_poor_remaining"] = np.where(surveyed, poor, np.nan)
    pop, poor = out["verified_registered_population"], out["verified_poor_remaining"]
    out["verified_incidence"] = poor / pop
    persons = out["exited_persons"].to_numpy(float)
    out["rate_threshold"] = rate_threshold(out, incidence_threshold)
    out["wrong_exit_persons"] = persons * out["rate"]

    def incidence(rate: str) -> pd.Series:
        return (poor + persons * out[rate]) / pop

    out["estimate"] = incidence("rate")
    out["se"] = persons * out["rate_se"] / pop
    for end in ("ci_low", "ci_high", "bound_low", "bound_high"):
        out[end] = incidence(f"rate_{end}")
    out["n"] = out["interviewed"]
    census = out["census"].to_numpy(dtype=bool)
    reasons = np.select(
        [
            ~surveyed,
            ~census & (out["interviewed"].to_numpy() == 0),
            ~census & (out["zero_bound"].to_numpy() >= out["rate_threshold"].to_numpy()),
        ],
        list(NOT_ASSESSABLE_REASONS),
        default="",
    )
    out["uncertifiable"] = pd.Series(np.where(reasons == "", None, reasons), dtype=object)
    return out


def judge_villages(
    table: pd.DataFrame, t: Thresholds, persons: Mapping[str, PersonBasis]
) -> dict[Ref, Indicator]:
    """The incidence indicator of each village of :func:`key_village_incidence`.

    Judged on its one-sided bounds against ``t.incidence``; a village whose evidence cannot
    certify it (``uncertifiable``) is ``not_assessable`` unless its bounds show it failing.
    Holm's p-value is that of its own rate r_v against r* (0 when the verified poor alone reach
    the standard). The advice is the village's own extra sample (its remaining households,
    ``persons``: the sizes its simulation draws from); none without a village survey.
    """
    out: dict[Ref, Indicator] = {}
    for row in table.to_dict(orient="records"):  # one per exited key village
        village_id = str(row["village_id"])
        r_star, n_v = float(row["rate_threshold"]), int(row["interviewed"])
        surveyed = row["uncertifiable"] != "no_village_survey"
        if not surveyed or np.isnan(r_star):
            p_fail = None
        elif r_star <= 0:
            p_fail = 0.0
        else:
            args = (row["rate"], row["rate_se"], row["rate_df"], row["equivalent"])
            more = (row["fraction"], row["wrong_households"], row["rate_df"])
            p_fail = float(np.nan_to_num(failure_p_values(*args, *more, r_star, t.level), nan=1.0))
        big_n = int(row["frame_households"])
        advice = (
            AdviceBasis(
                n_v,
                int(row["wrong_households"]),
                big_n,
                float(row["equivalent"]),
                design_effect(row["rate"], row["rate_se"], n_v, row["fraction"]),
                1.0,
                r_star,
            )
            if surveyed and 0 < n_v < big_n and r_star > 0
            else None
        )
        out[("village_incidence", village_id)] = judge(
            "village_incidence",
            row["estimate"],
            row["se"],
            (row["ci_low"], row["ci_high"]),
            (row["bound_low"], row["bound_high"]),
            t.incidence,
            "below",
            int(row["n"]),
            t.level,
            t.power,
            advice=advice,
            planning_rate=t.planning_rate,
            village_id=village_id,
            p_fail=p_fail,
            persons=persons.get(village_id),
            assessable=row["uncertifiable"] is None,
        )
    return out


def infrastructure_check(
    villages: pd.DataFrame, village_survey: pd.DataFrame | None
) -> pd.DataFrame:
    """Long table: village_id, item, registry, verified, agrees (NA without a survey)."""
    present = [c for c in INFRASTRUCTURE if c in villages.columns]
    reg = villages.melt(
        id_vars="village_id", value_vars=present, var_name="item", value_name="registry"
    )
    if village_survey is not None:
        verified_cols = {f"verified_{c}": c for c in present}
        ver = village_survey.rename(columns=verified_cols)
        ver = ver.melt(
            id_vars="village_id",
            value_vars=[c for c in present if c in ver.columns],
            var_name="item",
            value_name="verified",
        )
        reg = reg.merge(ver, on=["village_id", "item"], how="left")
    else:
        reg["verified"] = pd.NA
    reg["registry"] = reg["registry"].astype("boolean")
    reg["verified"] = reg["verified"].astype("boolean")
    reg["agrees"] = reg["registry"] == reg["verified"]
    return reg.sort_values(["village_id", "item"], ignore_index=True)
