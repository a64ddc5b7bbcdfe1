"""Summaries of a review for people: risks at the defaults, design effects, plain findings, JSON."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

NOMINAL = 0.95


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


def design_effects(result) -> pd.DataFrame:
    """Realised design effect at the threshold rate vs the deff a plan would assume."""
    acc = result.tables["accuracy"]
    at = acc[np.isclose(acc["rate"], result.config.thresholds.wrong_exit)].copy()
    at["assumed_deff"] = at["design"].map(dict(result.config.assumed_deff))
    return at[["design_size", "measure", "mean_n", "deff", "assumed_deff", "se_ratio"]].reset_index(
        drop=True
    )


def under_covering(result, tolerance_sd: float = 2.0) -> pd.DataFrame:
    """Cells (rate > 0) with coverage below 95 % by more than ``tolerance_sd`` MC errors."""
    cov = result.tables["coverage"]
    limit = NOMINAL - tolerance_sd * np.sqrt(NOMINAL * (1 - NOMINAL) / result.config.reps)
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


TEXT = {
    "en": {
        "ok": "{m}: no cell under-covers (coverage within MC error of 95% or above).",
        "under": "{m}: UNDER-COVERS in {k} of {total} cells; worst {c:.1%} (±{e:.1%}) for {d}, "
        "{meas}, true rate {r:.1%}.",
        "zero": "At 0 observed wrong exits the logit and Wald intervals collapse to [0, 0]: they "
        "would certify any township whose sample has no error; only beta (Korn–Graubard) gives a "
        "positive upper bound.",
        "risk": "Default ({d}, {m}): producer's risk {pr:.1%} at {g:.1%} (official rule {po:.1%}); "
        "consumer's risk {cr:.1%} at {t:.0%} (official rule {co:.1%}).",
        "by_method": "Consumer's risk at {t:.0%} by method for {d} (persons): {lst} "
        "(a one-sided 95% bound should keep it at or below 5%).",
        "mono": "Every OC curve is monotone in the true rate.",
        "not_mono": "OC curves NOT monotone in {k} cells ({ms}; {meas}): e.g. {d} {m} P(credible) "
        "rises by {x:.1%} as the true rate grows — with one wrong single-person household in the "
        "sample the persons-rate interval is narrower than with none (its effective sample size "
        "counts persons, not households).",
    },
    "zh": {
        "ok": "{m}：所有情形的覆盖率均在95%的蒙特卡洛误差范围内或更高。",
        "under": "{m}：覆盖不足——{total}个情形中有{k}个低于95%；最差为{c:.1%}（±{e:.1%}），"
        "出现在{d}、{meas}口径、真实错退率{r:.1%}。",
        "zero": "样本中没有发现错退时，logit 与 Wald 区间退化为[0, 0]，"
        "会把任何“零错退”样本判为可信；只有 beta（Korn–Graubard）区间给出为正的置信上限。",
        "risk": "默认方案（{d}，{m}）：真实错退率{g:.1%}的合格乡镇被判为非“可信”的概率（乡镇风险）"
        "为{pr:.1%}（官方点估计规则为{po:.1%}）；真实错退率{t:.0%}的乡镇被判为“可信”的概率"
        "（评估方风险）为{cr:.1%}（官方点估计规则为{co:.1%}）。",
        "by_method": "{d}在真实错退率{t:.0%}时各区间方法的评估方风险（人口口径）：{lst}"
        "（单侧95%置信界应不超过5%）。",
        "mono": "所有OC曲线都随真实错退率单调变化。",
        "not_mono": "有{k}个情形的OC曲线不单调（{ms}；{meas}口径）："
        "例如{d}的{m}方法，真实错退率更高时判为可信的概率反而上升{x:.1%}——"
        "样本中有一户单人错退户时，按人口计算的置信区间反而比没有错退户时更窄"
        "（有效样本量按人数而非户数计）。",
    },
}
DESIGN_ZH = {"stratified": "分层随机抽样", "cluster": "整群抽样", "two-stage": "两阶段抽样"}
MEASURE_ZH = {"persons": "人口", "households": "户"}


def design_label(label: str, lang: str) -> str:
    """'stratified n=150' → '分层随机抽样 n=150' in Chinese."""
    if lang == "en":
        return label
    design, _, size = label.partition(" ")
    return f"{DESIGN_ZH.get(design, design)} {size}"


def findings(result, lang: str = "en") -> list[str]:
    """Plain statements of what the simulation shows, in English or Chinese (``lang="zh"``)."""
    text = TEXT[lang]
    meas = (lambda m: m) if lang == "en" else (lambda m: MEASURE_ZH[m])
    cfg = result.config
    out = []
    under = under_covering(result)
    cov = result.tables["coverage"]
    for method in cov["method"].unique():
        bad = under[under["method"] == method]
        total = int(((cov["method"] == method) & (cov["rate"] > 0)).sum())
        if bad.empty:
            out.append(text["ok"].format(m=method))
        else:
            w = bad.loc[bad["coverage"].idxmin()]
            out.append(
                text["under"].format(
                    m=method,
                    k=len(bad),
                    total=total,
                    c=w["coverage"],
                    e=w["mc_se"],
                    d=design_label(w["design_size"], lang),
                    meas=meas(w["measure"]),
                    r=w["rate"],
                )
            )
    zero = cov[(cov["rate"] == 0) & cov["method"].isin(["logit", "mean"])]
    if len(zero) and (zero["mean_width"] == 0).all():
        out.append(text["zero"])
    label = " ".join(cfg.default_design)
    d = risks(result).set_index("design_size").loc[label]
    t = cfg.thresholds.wrong_exit
    out.append(
        text["risk"].format(
            d=design_label(label, lang),
            m=cfg.default_method,
            pr=d["producer_risk"],
            g=cfg.good_rate,
            po=d["producer_risk_official"],
            cr=d[f"consumer_risk_{t:g}"],
            t=t,
            co=d[f"consumer_risk_official_{t:g}"],
        )
    )
    oc = result.tables["oc"]
    at_t = oc[
        (oc["measure"] == "persons") & np.isclose(oc["rate"], t) & (oc["design_size"] == label)
    ]
    listed = ", ".join(
        f"{m} {p:.1%}" for m, p in zip(at_t["method"], at_t["p_credible"], strict=True)
    )
    out.append(text["by_method"].format(t=t, d=design_label(label, lang), lst=listed))
    bad = non_monotone_oc(result)
    if bad.empty:
        out.append(text["mono"])
    else:
        w = bad.loc[bad["credible_rise"].idxmax()]
        out.append(
            text["not_mono"].format(
                k=len(bad),
                ms=", ".join(sorted(bad["method"].unique())),
                meas=", ".join(meas(m) for m in sorted(bad["measure"].unique())),
                d=design_label(w["design_size"], lang),
                m=w["method"],
                x=w["credible_rise"],
            )
        )
    return out


def to_json(result) -> dict:
    """Everything for review.json: parameters, truth, tables as records, findings, run time."""
    cfg = result.config
    town = result.township
    tables = dict(result.tables)
    tables["risks"] = risks(result)
    tables["design_effects"] = design_effects(result)
    tables["non_monotone_oc"] = non_monotone_oc(result)
    return {
        "parameters": asdict(cfg),
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
        "findings_zh": findings(result, "zh"),
        "seconds": round(result.seconds, 2),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """Records with NaN as None (valid JSON)."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
