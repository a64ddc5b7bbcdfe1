"""Tables and figures of the methodology review report, built from ``review.json``.

The notebook ``notebooks/methodology_review.ipynb`` only calls these; every number comes from the
tested review tables. Labels are Chinese by default (``lang="en"`` for English).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from data_contracts.messages import text
from data_contracts.records import Finding, ReviewRecord, read_record

METHOD_LABELS = {
    "zh": {
        "beta": "beta（Korn–Graubard）",
        "beta_raw": "beta（人口口径未按户数封顶）",
        "logit": "logit",
        "mean": "Wald（均值±t·se）",
    },
    "en": {
        "beta": "beta (Korn–Graubard)",
        "beta_raw": "beta (no household floor)",
        "logit": "logit",
        "mean": "Wald (mean ± t·se)",
    },
}
VERDICT_LABELS = {
    "zh": {
        "p_credible": "可信",
        "p_inconclusive": "尚无定论",
        "p_not_credible": "不可信",
        "p_official_pass": "官方规则通过",
    },
    "en": {
        "p_credible": "credible",
        "p_inconclusive": "inconclusive",
        "p_not_credible": "not credible",
        "p_official_pass": "official rule passes",
    },
}


def say(lang: str, chinese: str, english: str) -> None:
    """Display one Markdown paragraph in the report language (zh or en)."""
    display(Markdown(chinese if lang == "zh" else english))


@dataclass(frozen=True)
class Review:
    """review.json read back: the record and each of its tables as a DataFrame."""

    record: ReviewRecord
    frames: dict[str, pd.DataFrame]

    @property
    def parameters(self) -> dict:
        """The review's configuration (ReviewConfig as recorded)."""
        return self.record.parameters

    def __repr__(self) -> str:
        return f"Review({len(self.frames)} tables, {len(self.record.findings)} findings)"


def load_review(path: str | Path) -> Review:
    """Read and validate review.json (:class:`RecordError` names the file when it cannot)."""
    record = read_record(path, ReviewRecord)
    return Review(record, {k: pd.DataFrame(v) for k, v in record.tables.items()})


def design_name(design: str, lang: str) -> str:
    """A design's name in the report language (分层随机抽样 / stratified …)."""
    return text(f"review.design.{design}", lang)


def design_label(label: str, lang: str) -> str:
    """'stratified n=150' in the report language ('分层随机抽样 n=150')."""
    design, _, size = label.partition(" ")
    return f"{design_name(design, lang)} {size}".strip()


def measure_name(measure: str, lang: str) -> str:
    """persons / households in the report language."""
    return text(f"review.measure.{measure}", lang)


def finding_text(finding: Finding, lang: str) -> str:
    """One coded finding in words; design and measure codes are worded first."""
    params = dict(finding.params)
    if "d" in params:
        params["d"] = design_label(str(params["d"]), lang)
    if "meas" in params:
        params["meas"] = ", ".join(
            measure_name(m.strip(), lang) for m in str(params["meas"]).split(",")
        )
    return text(f"review.finding.{finding.code}", lang, **params)


def findings(doc: Review, lang: str) -> list[str]:
    """Every finding of the review in words."""
    return [finding_text(f, lang) for f in doc.record.findings]


def _pct(frame: pd.DataFrame, columns, digits: int = 1) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}%}")
    return out


def coverage_table(doc: Review, measure: str = "persons", lang: str = "zh") -> pd.DataFrame:
    """Coverage (± MC error) of each 95 % interval method by design and true rate."""
    cov = doc.frames["coverage"]
    cov = cov[cov["measure"] == measure].copy()
    cov["cell"] = [f"{c:.1%} ± {e:.1%}" for c, e in zip(cov["coverage"], cov["mc_se"], strict=True)]
    cov["method"] = cov["method"].map(METHOD_LABELS[lang])
    cov["design_size"] = [design_label(d, lang) for d in cov["design_size"]]
    table = cov.pivot_table(
        index=["design_size", "method"], columns="rate", values="cell", aggfunc="first", sort=False
    )
    table.columns = [f"{r:.1%}" for r in table.columns]
    table.index.names = ["设计", "区间方法"] if lang == "zh" else ["design", "method"]
    return table


def oc_table(doc: Review, design_size: str, method: str = "beta", lang: str = "zh") -> pd.DataFrame:
    """P(credible / inconclusive / not credible / official pass) by true rate for one design."""
    oc = doc.frames["oc"]
    oc = oc[
        (oc["design_size"] == design_size) & (oc["method"] == method) & (oc["measure"] == "persons")
    ]
    cols = list(VERDICT_LABELS[lang])
    out = _pct(oc[["rate", *cols]], ["rate", *cols]).rename(columns=VERDICT_LABELS[lang])
    return out.rename(columns={"rate": "真实错退率" if lang == "zh" else "true rate"}).set_index(
        "真实错退率" if lang == "zh" else "true rate"
    )


def risk_table(doc: Review, lang: str = "zh") -> pd.DataFrame:
    """Producer's and consumer's risks of every design (default method, persons)."""
    r = doc.frames["risks"].copy()
    r["design_size"] = [design_label(d, lang) for d in r["design_size"]]
    r = _pct(r, [c for c in r.columns if c != "design_size"]).set_index("design_size")
    if lang == "zh":
        names = {
            "producer_risk": "乡镇风险：合格乡镇未判可信",
            "producer_risk_not_credible": "合格乡镇被判不可信",
            "producer_risk_official": "乡镇风险（官方规则）",
        }
        for c in r.columns:
            if c.startswith("consumer_risk_official_"):
                names[c] = f"评估方风险 {float(c.rsplit('_', 1)[1]):.0%}（官方规则）"
            elif c.startswith("consumer_risk_"):
                names[c] = f"评估方风险：真实{float(c.rsplit('_', 1)[1]):.0%}判可信"
        r = r.rename(columns=names)
        r.index.name = "设计"
    return r


def deff_table(doc: Review, lang: str = "zh") -> pd.DataFrame:
    """Realised design effect at the threshold rate against the assumed one."""
    d = doc.frames["design_effects"].copy()
    d["design_size"] = [design_label(x, lang) for x in d["design_size"]]
    d["measure"] = [measure_name(m, lang) for m in d["measure"]]
    d = d.round({"mean_n": 0, "deff": 2, "assumed_deff": 2, "se_ratio": 2})
    if lang == "zh":
        d.columns = [
            "设计",
            "口径",
            "平均样本户数",
            "实现的设计效应",
            "假定的设计效应",
            "估计SE/实际SE",
        ]
    return d


def sample_size_table(doc: Review, lang: str = "zh") -> pd.DataFrame:
    """Sample size each design needs for the target OC (simulated sizes and projection)."""
    s = doc.frames["sample_size"].copy().round({"deff_at_threshold": 2})
    if lang == "zh":
        s["design"] = [design_name(x, lang) for x in s["design"]]
        s.columns = [
            "设计",
            "目标",
            "各样本量下判可信的概率",
            "达到目标的最小模拟规模",
            "简单随机抽样所需户数",
            "设计效应（2%）",
            "折算所需户数",
        ]
    return s


def sensitivity_table(doc: Review, name: str, rate: float = 0.02, lang: str = "zh") -> pd.DataFrame:
    """Measurement-error or non-response table at one true rate."""
    t = doc.frames[name]
    t = t[np.isclose(t["rate"], rate)].drop(columns=["rate"])
    pct = [
        c
        for c in t.columns
        if c.startswith(
            (
                "p_",
                "coverage",
                "mean_estimate",
                "bias",
                "true_rate",
                "expected_apparent",
                "response_rate",
            )
        )
    ]
    t = _pct(t, pct, 2)
    if lang == "zh":
        t = t.rename(
            columns={
                "measurement_sd": "收入测量误差（对数标准差）",
                "true_rate": "真实错退率",
                "correct_look_wrong": "正确退出被测为错退（户，期望）",
                "wrong_look_correct": "错退被测为正确（户，期望）",
                "expected_apparent_rate": "表观错退率（期望）",
                "mean_estimate": "平均估计",
                "bias": "偏差",
                "coverage": "beta区间覆盖率",
                "p_credible": "判可信概率",
                "p_not_credible": "判不可信概率",
                "p_official_pass": "官方规则通过概率",
                "response_correct": "正确退出户应答率",
                "response_wrong": "错退户应答率",
                "response_rate": "总体应答率",
            }
        )
    return t.reset_index(drop=True)


def oc_figure(doc: Review, method: str = "beta", lang: str = "zh"):
    """OC curves: P(credible) (solid) and P(official rule passes) (dashed) vs the true rate."""
    oc = doc.frames["oc"]
    oc = oc[(oc["method"] == method) & (oc["measure"] == "persons")]
    designs = list(dict.fromkeys(oc["design"]))
    fig, axes = plt.subplots(1, len(designs), figsize=(4.2 * len(designs), 3.4), sharey=True)
    threshold = doc.parameters["thresholds"]["wrong_exit"]
    for ax, design in zip(np.atleast_1d(axes), designs, strict=True):
        for size, g in oc[oc["design"] == design].groupby("size", sort=False):
            line = ax.plot(g["rate"], g["p_credible"], marker="o", ms=3, label=f"{size}")[0]
            ax.plot(g["rate"], g["p_official_pass"], ls="--", color=line.get_color(), lw=1)
        ax.axvline(threshold, color="grey", lw=0.8)
        ax.set_title(design_name(design, lang))
        ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0, decimals=1))
        ax.set_xlabel("真实错退率" if lang == "zh" else "true wrong-exit rate")
        ax.legend(fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel(
        "判为可信（实线）/官方通过（虚线）"
        if lang == "zh"
        else "P(credible) — / P(official pass) - -"
    )
    fig.tight_layout()
    return fig


def coverage_figure(doc: Review, design_size: str, lang: str = "zh"):
    """Coverage ± 2 MC SE of each method against the true rate for one design (persons)."""
    cov = doc.frames["coverage"]
    cov = cov[
        (cov["design_size"] == design_size) & (cov["measure"] == "persons") & (cov["rate"] > 0)
    ]
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for i, (method, g) in enumerate(cov.groupby("method", sort=False)):
        ax.errorbar(
            g["rate"] * (1 + 0.03 * (i - 1.5)),
            g["coverage"],
            yerr=2 * g["mc_se"],
            marker="o",
            ms=3,
            capsize=2,
            label=METHOD_LABELS[lang][method],
        )
    ax.axhline(0.95, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_xticks(sorted(cov["rate"].unique()))
    ax.xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("真实错退率" if lang == "zh" else "true wrong-exit rate")
    ax.set_ylabel("95%区间覆盖率" if lang == "zh" else "coverage of 95% interval")
    ax.set_title(design_label(design_size, lang))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
