"""Exited key villages (退出重点村): poverty incidence re-estimated from the household sample.

Registry incidence (贫困发生率) = remaining poor persons ÷ registered rural population. The
re-estimated incidence adds the wrong-exit persons the household sample implies for the village:

    incidence* = (poor_remaining + X_v · r_v) ÷ population

where X_v is the number of exited persons of the village in the sampling frame (from the
registry) and r_v the village's wrong-exit rate by persons (错退率) estimated from the sample, with
its interval. ``poor_remaining`` and ``population`` are the village survey's verified counts
when the village was surveyed (the assessor's own count), else the registry's
(``base_source``). X_v and these counts are treated as known, so the interval of incidence* is
the interval of r_v mapped through that line.

r_v is the village's own (direct) estimate when at least ``min_n`` of its households were
interviewed; otherwise — a stratified household sample leaves a handful per village, whose
interval says nothing — the township rate stands in (a *synthetic* estimate that assumes the
village's wrong-exit rate is the township's; ``rate_source = "township"``). The standard is
incidence < 2% (国开办发〔2017〕56号; 3% in western provinces — a parameter).

Infrastructure and public services (通硬化路, 安全饮水, 通电, 标准化卫生室, 义务教育就学) are
compared item by item between the registry and the village survey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.errors import InputError

INFRASTRUCTURE = ("roads", "drinking_water", "electricity", "clinic", "school_access")
"""Infrastructure and public-service items of a key village's exit (通硬化路、安全饮水、通电、
标准化卫生室、义务教育就学)."""
RATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "bound_low", "bound_high", "n")


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


def reestimate_incidence(
    villages: pd.DataFrame,
    exited_persons: pd.Series,
    village_rates: pd.DataFrame,
    township_rate: pd.Series,
    village_survey: pd.DataFrame | None = None,
    min_n: int = 30,
) -> pd.DataFrame:
    """Re-estimated incidence with interval and one-sided bounds for each village.

    ``villages``: output of :func:`exited_key_villages`; ``exited_persons``: X_v indexed by
    village_id (0 when the frame has none); ``village_rates``: wrong-exit rate by persons per
    village, indexed by village_id, columns ``RATE_COLUMNS``; ``township_rate``: the same fields
    for the whole township, used where fewer than ``min_n`` households of a village were
    interviewed; ``village_survey``: verified counts replacing the registry's where given.
    """
    out = villages[
        [
            "village_id",
            "village",
            "registered_population",
            "poor_population_remaining",
            "registry_incidence",
        ]
    ].copy()
    ids = out["village_id"]
    own_rates = village_rates.reindex(ids)[list(RATE_COLUMNS)].to_numpy(dtype=float)
    own = ids.isin(village_rates.index).to_numpy() & (np.nan_to_num(own_rates[:, -1]) >= min_n)
    town = township_rate[list(RATE_COLUMNS)].to_numpy(dtype=float)
    rates = pd.DataFrame(np.where(own[:, None], own_rates, town[None, :]), columns=RATE_COLUMNS)
    out["rate_source"] = np.where(own, "village", "township")
    persons = ids.map(exited_persons).fillna(0).to_numpy(float)
    pop = out["registered_population"].to_numpy(float)
    poor = out["poor_population_remaining"].to_numpy(float)
    surveyed = np.zeros(len(out), dtype=bool)
    if village_survey is not None:
        vs = village_survey.set_index("village_id").reindex(ids)
        v_pop = pd.to_numeric(vs["verified_registered_population"]).to_numpy(float)
        v_poor = pd.to_numeric(vs["verified_poor_remaining"]).to_numpy(float)
        surveyed = ~np.isnan(v_pop) & ~np.isnan(v_poor) & (v_pop > 0)
        pop, poor = np.where(surveyed, v_pop, pop), np.where(surveyed, v_poor, poor)
    out["base_source"] = np.where(surveyed, "village_survey", "registry")
    out["base_population"], out["base_poor"] = pop, poor
    out["exited_persons"] = persons
    out["wrong_exit_rate"] = rates["estimate"].to_numpy(float)
    out["wrong_exit_persons"] = persons * out["wrong_exit_rate"]
    for col in ("estimate", "ci_low", "ci_high", "bound_low", "bound_high"):
        out[col] = (poor + persons * rates[col].to_numpy(float)) / pop
    out["se"] = persons * rates["se"].to_numpy(float) / pop
    out["n"] = rates["n"].to_numpy(float).astype(int)
    # the rate r_v at which the village would reach the threshold, for the sample-size advice
    out["rate_se"] = rates["se"].to_numpy(float)
    return out


def rate_threshold(reestimated: pd.DataFrame, incidence_threshold: float) -> np.ndarray:
    """Wrong-exit rate r_v that would put each village's incidence exactly on the threshold."""
    pop = reestimated["base_population"].to_numpy(float)
    poor = reestimated["base_poor"].to_numpy(float)
    persons = reestimated["exited_persons"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (incidence_threshold * pop - poor) / persons


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


def verified_incidence(village_survey: pd.DataFrame | None) -> pd.Series:
    """Incidence from the village survey's verified counts, indexed by village_id."""
    if village_survey is None:
        return pd.Series(dtype=float)
    vs = village_survey.set_index("village_id")
    return pd.to_numeric(vs["verified_poor_remaining"]) / pd.to_numeric(
        vs["verified_registered_population"]
    )
