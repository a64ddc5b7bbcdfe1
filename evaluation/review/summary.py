"""Summaries of a review for people: risks at the defaults, design effects, plain findings, JSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict

import numpy as np
import pandas as pd

from data_contracts.records import Finding, ReviewRecord


def risks(result) -> pd.DataFrame:
    """Producer's risk (a good township failed) and consumer's risk (a bad township passed).

    Good = the configured good rate; bad = the threshold and the next grid rate above it.
    Statistical verdict by the default CI method, on the wrong-exit rate by persons, for every
    design and size.
    """
    cfg = result.config
    oc = result.tables["oc"]
    oc = oc[(oc["method"] == cfg.default_method) & (oc["measure"] == "persons")]
    threshold = cfg.thresholds.wrong_exit
    above = [r for r in cfg.rates if r > threshold]
    bad_rates = [threshold, *above[:1]]
    rows = []
    for label, g in oc.groupby("design_size", sort=False):
        good = g[np.isclose(g["rate"], cfg.good_rate)].iloc[0]
        row = {
            "design_size": label,
            "producer_risk": float(1 - good["p_credible"]),
            "producer_risk_not_credible": float(good["p_not_credible"]),
            "producer_risk_official": float(1 - good["p_official_pass"]),
        }
        for rate in bad_rates:
            bad = g[np.isclose(g["rate"], rate)].iloc[0]
            row[f"consumer_risk_{rate:g}"] = float(bad["p_credible"])
            row[f"consumer_risk_official_{rate:g}"] = float(bad["p_official_pass"])
        rows.append(row)
    return pd.DataFrame(rows)


def scenario_risks(verdict_oc: pd.DataFrame, config, tolerance_sd: float = 2.0) -> pd.DataFrame:
    """Consumer's risk P(credible | true rate = threshold) and producer's risk P(not credible or
    inconclusive | good rate) of the verdict rule (评估方风险 / 乡镇风险), with Monte Carlo SEs,
    per scenario, design and size.

    From the rule study's table ``verdict_oc`` (persons, default method). ``limit`` is the nominal
    consumer's risk 1 − level (5 %) plus ``tolerance_sd`` MC SEs; ``within`` says whether the
    simulated consumer's risk is at or below it. ``true_rate`` is the realised persons rate of
    the township at the threshold's grid point (within half a household of it).
    """
    cfg, v = config, verdict_oc
    keys = ["scenario", "size_risk", "design", "size", "design_size"]
    at_t = v[np.isclose(v["rate"], cfg.thresholds.wrong_exit)]
    good = v[np.isclose(v["rate"], cfg.good_rate)]
    out = at_t[[*keys, "true_rate", "true_rate_households", "p_credible", "mc_se_credible"]]
    out = out.rename(columns={"p_credible": "consumer_risk", "mc_se_credible": "consumer_mc_se"})
    producer = good[keys].assign(
        producer_risk=1 - good["p_credible"],
        producer_mc_se=good["mc_se_credible"],  # the SE of 1 − p is the SE of p
    )
    out = out.merge(producer, on=keys, validate="one_to_one")
    out["limit"] = (1 - cfg.thresholds.level) + tolerance_sd * out["consumer_mc_se"]
    out["within"] = out["consumer_risk"] <= out["limit"] + 1e-12
    return out


def design_effects(result) -> pd.DataFrame:
    """Realised design effect at the threshold rate vs the deff a plan would assume."""
    acc = result.tables["accuracy"]
    at = acc[np.isclose(acc["rate"], result.config.thresholds.wrong_exit)].copy()
    at["assumed_deff"] = at["design"].map(dict(result.config.assumed_deff))
    return at[["design_size", "measure", "mean_n", "deff", "assumed_deff", "se_ratio"]].reset_index(
        drop=True
    )


def under_covering(result, tolerance_sd: float = 2.0) -> pd.DataFrame:
    """Cells (rate > 0) with coverage below the nominal level (the verdict's confidence level,
    95 % by default) by more than ``tolerance_sd`` Monte Carlo errors."""
    cov = result.tables["coverage"]
    nominal = result.config.thresholds.level
    limit = nominal - tolerance_sd * np.sqrt(nominal * (1 - nominal) / result.config.reps)
    return cov[(cov["rate"] > 0) & (cov["coverage"] < limit)]


def non_monotone_oc(result) -> pd.DataFrame:
    """(design_size, measure, method) cells where P(credible) rises or P(not_credible) falls as the
    true rate grows — a township with more wrong exits passing more often than one with fewer."""
    oc = result.tables["oc"].sort_values("rate")
    keys = ["design_size", "measure", "method"]
    rows = []
    for key, g in oc.groupby(keys, sort=False):
        rise = float(np.diff(g["p_credible"].to_numpy()).max())
        fall = float(-np.diff(g["p_not_credible"].to_numpy()).min())
        if rise > 1e-12 or fall > 1e-12:
            rows.append(
                dict(zip(keys, key, strict=True))
                | {"credible_rise": rise, "not_credible_fall": fall}
            )
    return pd.DataFrame(rows, columns=[*keys, "credible_rise", "not_credible_fall"])


def findings(result) -> list[Finding]:
    """What the simulation shows, as coded findings (words: the catalogue's ``review.finding.*``).

    Parameters that are codes keep their code: ``d`` is a design-and-size label such as
    ``"stratified n=150"``, ``meas`` a measure (``persons`` / ``households``), ``m`` / ``ms``
    interval method names; the report words them.
    """
    cfg = result.config
    out: list[Finding] = []
    under = under_covering(result)
    cov = result.tables["coverage"]
    for method in cov["method"].unique():
        bad = under[under["method"] == method]
        total = int(((cov["method"] == method) & (cov["rate"] > 0)).sum())
        if bad.empty:
            out.append(Finding(code="ok", params={"m": method}))
        else:
            w = bad.loc[bad["coverage"].idxmin()]
            params = {
                "m": method,
                "k": len(bad),
                "total": total,
                "c": float(w["coverage"]),
                "e": float(w["mc_se"]),
                "d": w["design_size"],
                "meas": w["measure"],
                "r": float(w["rate"]),
            }
            out.append(Finding(code="under", params=params))
    zero = cov[(cov["rate"] == 0) & cov["method"].isin(["logit", "mean"])]
    if len(zero) and (zero["mean_width"] == 0).all():
        out.append(Finding(code="zero"))
    label = " ".join(cfg.default_design)
    d = risks(result).set_index("design_size").loc[label]
    t = cfg.thresholds.wrong_exit
    risk = {
        "d": label,
        "m": cfg.default_method,
        "pr": float(d["producer_risk"]),
        "g": float(cfg.good_rate),
        "po": float(d["producer_risk_official"]),
        "cr": float(d[f"consumer_risk_{t:g}"]),
        "t": float(t),
        "co": float(d[f"consumer_risk_official_{t:g}"]),
    }
    out.append(Finding(code="risk", params=risk))
    oc = result.tables["oc"]
    at_t = oc[
        (oc["measure"] == "persons") & np.isclose(oc["rate"], t) & (oc["design_size"] == label)
    ]
    listed = ", ".join(
        f"{m} {p:.1%}" for m, p in zip(at_t["method"], at_t["p_credible"], strict=True)
    )
    out.append(Finding(code="by_method", params={"t": float(t), "d": label, "lst": listed}))
    out += consumer_findings(result)
    bad = non_monotone_oc(result)
    if bad.empty:
        out.append(Finding(code="mono"))
    else:
        w = bad.loc[bad["credible_rise"].idxmax()]
        params = {
            "k": len(bad),
            "ms": ", ".join(sorted(bad["method"].unique())),
            "meas": ", ".join(sorted(bad["measure"].unique())),
            "d": w["design_size"],
            "m": w["method"],
            "x": float(w["credible_rise"]),
        }
        out.append(Finding(code="not_mono", params=params))
    return out


def consumer_findings(result) -> list[Finding]:
    """One finding per scenario: whether the consumer's risk at the threshold stays within
    5 % + 2 MC SE for every design and size (``consumer_ok``) or where it does not
    (``consumer_over``). ``sc`` is the scenario code, ``g`` its γ."""
    cfg = result.config
    table = scenario_risks(result.tables["verdict_oc"], cfg)
    out = []
    for (code, gamma), g in table.groupby(["scenario", "size_risk"], sort=False):
        over = g[~g["within"]]
        worst = (over if len(over) else g).sort_values("consumer_risk").iloc[-1]
        params = {
            "sc": code,
            "g": float(gamma),
            "total": len(g),
            "t": float(cfg.thresholds.wrong_exit),
            "cr": float(worst["consumer_risk"]),
            "e": float(worst["consumer_mc_se"]),
            "d": worst["design_size"],
        }
        if over.empty:
            out.append(Finding(code="consumer_ok", params=params))
        else:
            out.append(Finding(code="consumer_over", params=params | {"k": len(over)}))
    return out


def to_record(result) -> ReviewRecord:
    """review.json as a record: parameters, truth, tables as rows, coded findings, run time."""
    cfg = result.config
    town = result.township
    tables = dict(result.tables)
    tables["risks"] = risks(result)
    tables["scenario_risks"] = scenario_risks(result.tables["verdict_oc"], cfg)
    tables["design_effects"] = design_effects(result)
    tables["non_monotone_oc"] = non_monotone_oc(result)
    return ReviewRecord.model_validate(
        {
            "parameters": json.loads(json.dumps(asdict(cfg))),
            "truth": {
                "households": town.n_households,
                "persons": int(town.size.sum()),
                "villages": cfg.township.villages,
                "rates": list(cfg.rates),
                "true_rate_persons": town.true_rate.tolist(),
                "true_rate_households": town.true_rate_households.tolist(),
            },
            "tables": {k: _records(v) for k, v in tables.items()},
            "findings": findings(result),
            "seconds": round(result.seconds, 2),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Records with NaN as None (valid JSON)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
