"""Tables and figures of the sampling report (抽样报告) for notebooks/sample_township.ipynb.

The notebook only calls these and displays the results. :func:`load_run` re-reads a run folder,
rebuilds the frame from the copied inputs and re-draws the sample from design.json, so the report
also proves that the recorded sample is reproducible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from data_contracts import load
from data_contracts.columns import column
from data_contracts.errors import UserError
from data_contracts.privacy import mask_frame
from evaluation.figures import FAIL_COLOR, GREY, MAIN_COLOR, PASS_COLOR
from sampling.draw import draw_sample
from sampling.frame import Frame, build_frame
from sampling.outputs import stored_table
from sampling.plans import AcceptancePlan, expected_margin
from sampling.sample import Sample

DESIGN_NAMES = {"stratified": "分层抽样", "cluster": "整群抽样", "two-stage": "两阶段抽样"}
INPUT_KINDS = ("households", "villages", "poverty-lines")


@dataclass
class SamplingRun:
    """A sampling run folder read back: frame, re-drawn sample, design record, reproducibility."""

    frame: Frame
    sample: Sample
    design: dict[str, Any]
    recorded: pd.DataFrame
    reproduced: bool

    def to_frame(self) -> pd.DataFrame:
        """The recorded sample table."""
        return self.recorded.copy()

    def __repr__(self) -> str:
        ok = "reproduced" if self.reproduced else "NOT reproduced"
        return f"SamplingRun({self.design['design']}, {self.design['township']}, {ok})"


def load_run(run_dir: str | Path) -> SamplingRun:
    """Read design.json, sample.parquet and inputs/ of a run; re-draw and compare the sample."""
    run = Path(run_dir)
    try:
        design = json.loads((run / "design.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{run}: cannot read design.json ({exc}).") from None
    params = design["parameters"]
    tables = {k: load(k, run / params["inputs"][k]).frame for k in INPUT_KINDS}
    frame = build_frame(
        tables["households"],
        tables["villages"],
        tables["poverty-lines"],
        design["township"],
        params.get("exit_years"),
        params.get("risk_cut_points", (0.10, 0.30)),
    )
    sample = draw_sample(frame, design["design"], design["seed"], params)
    recorded = pd.read_parquet(run / "sample.parquet")
    same = frame.fingerprint == design["frame_fingerprint"] and recorded.equals(
        stored_table(sample.units)
    )
    return SamplingRun(frame, sample, design, recorded, bool(same))


def show(table: pd.DataFrame) -> Styler:
    """A report table for display: no index column, missing values as —."""
    return table.style.hide(axis="index").format(na_rep="—", precision=4)


def _band_columns(frame: Frame, table: pd.DataFrame) -> dict[str, str]:
    return {c: f"超线{c}户数" for c in table.columns if c.endswith("%") or c == "unknown"}


def frame_summary_table(frame: Frame) -> pd.DataFrame:
    """Households, persons and reported margin by village, with Chinese headers, plus a total."""
    table = frame.summary()
    total = table.sum(numeric_only=True)
    total[["margin_median", "margin_min"]] = [
        frame.units["margin"].median(),
        frame.units["margin"].min(),
    ]
    table = pd.concat([table, total.to_frame().T.assign(village_id="合计", village="")])
    for name in ("margin_median", "margin_min"):
        table[name] = table[name].map(lambda v: f"{v:.1%}")
    headers = {
        "village_id": "村编码",
        "village": "行政村",
        "households": "脱贫户数",
        "persons": "脱贫人口",
        "margin_median": "收入超线幅度中位数",
        "margin_min": "收入超线幅度最小值",
        **_band_columns(frame, table),
    }
    out = table.rename(columns=headers).reset_index(drop=True)
    counts = [c for c in out.columns if c.endswith("户数") or c == "脱贫人口"]
    out[counts] = out[counts].astype("int64")
    return out


def design_table(design: dict[str, Any], sample: Sample) -> pd.DataFrame:
    """Key facts of the design (抽样设计) as a two-column table."""
    params = design["parameters"]
    rows = [
        ("抽样设计", DESIGN_NAMES.get(design["design"], design["design"])),
        ("乡镇", design["township"]),
        ("随机数种子", str(design["seed"])),
        ("抽样框脱贫户数 / 人口", f"{design['frame_households']} / {design['frame_persons']}"),
        ("抽样框指纹 (sha256)", design["frame_fingerprint"]),
        ("样本户数", str(len(sample.main))),
        ("备选户数", str(len(sample.reserves))),
        ("样本初级单位 (PSU) 数", str(sample.main["psu"].nunique())),
    ]
    labels = {
        "n": "计划样本量",
        "strata": "分层方式",
        "allocation": "样本分配",
        "selection": "层内抽样方法",
        "reserves": "每层/村备选户数",
        "villages_to_sample": "抽取村数",
        "households_per_village": "每村抽取户数",
        "village_selection": "抽村方法",
        "exit_years": "脱贫年度",
        "risk_cut_points": "风险分层切点",
    }
    rows += [(label, str(params[key])) for key, label in labels.items() if key in params]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def allocation_table(sample: Sample) -> pd.DataFrame:
    """Allocation by stratum or village with Chinese headers (样本分配表)."""
    headers = {
        "stratum": "层",
        "village_id": "村编码",
        "households": "脱贫户数",
        "prob_village": "入样概率（村）",
        "selected": "是否入样",
        "sampled": "样本户数",
        "reserves": "备选户数",
        "prob": "入样概率",
        "prob_household": "入样概率（户）",
        "weight": "权数",
    }
    table = sample.allocation.copy()
    if "selected" in table:
        table["selected"] = table["selected"].map({True: "是", False: "否"})
    return table.rename(columns=headers).round(4)


def precision_table(
    sample: Sample, frame: Frame, deff: float = 1.0, confidence: float = 0.95
) -> pd.DataFrame:
    """Expected ±margin of an estimated household rate for a few true rates (预期精度)."""
    n = len(sample.main)
    rates = [0.02, 0.05, 0.10, 0.50]
    margins = [expected_margin(n, p, confidence, frame.households, deff) for p in rates]
    return pd.DataFrame(
        {
            "假定真实比例": [f"{p:.0%}" for p in rates],
            "样本户数": n,
            "设计效应": f"{deff:g}",
            f"{confidence:.0%}置信区间半宽（约）": [f"±{m:.1%}" for m in margins],
        }
    )


def plan_table(plan: AcceptancePlan) -> pd.DataFrame:
    """The acceptance plan (验收方案) as a two-column table."""
    alpha = "—" if plan.alpha_achieved is None else f"{plan.alpha_achieved:.3f}"
    rows = [
        ("抽查户数 n", str(plan.n)),
        ("允许错退户数 d（不超过即通过）", str(plan.d)),
        ("错退率阈值 p0", f"{plan.threshold:.1%}"),
        ("良好水平 p1", "—" if plan.good_rate is None else f"{plan.good_rate:.1%}"),
        ("阈值处仍通过的概率（评估方风险）", f"{plan.beta_achieved:.3f}"),
        ("良好水平却不通过的概率（乡镇风险）", alpha),
        ("模型", "超几何分布（有限总体）" if plan.population else "二项分布"),
        ("设计效应", f"{plan.deff:g}"),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def oc_figure(plan: AcceptancePlan, max_rate: float | None = None) -> Figure:
    """OC curve (操作特性曲线): probability of passing against the true wrong-exit rate."""
    top = max_rate or min(1.0, 3 * plan.threshold)
    oc = plan.oc_curve(np.linspace(0.0, top, 201))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot(oc["rate"] * 100, oc["p_pass"], color=MAIN_COLOR, lw=2, label=f"n={plan.n}, d={plan.d}")
    ax.axvline(plan.threshold * 100, color=FAIL_COLOR, ls="--", lw=1, label="阈值 p0")
    if plan.good_rate is not None:
        ax.axvline(plan.good_rate * 100, color=PASS_COLOR, ls="--", lw=1, label="良好水平 p1")
    ax.axhline(plan.beta, color=GREY, ls=":", lw=1)
    ax.set_xlabel("真实错退率（%）")
    ax.set_ylabel("判定通过的概率")
    ax.set_ylim(0, 1.02)
    ax.set_title("验收方案的操作特性（OC）曲线")
    ax.legend(frameon=False)
    return fig


def sample_preview(units: pd.DataFrame, rows: int = 20) -> pd.DataFrame:
    """First rows of the main sample, personal data masked, Chinese headers (样本预览)."""
    main = units.loc[~units["reserve"]].head(rows)
    names = ["household_id", "village", "head_name", "head_id_number", "household_size"]
    names += ["income_per_capita", "exit_year"]
    table = mask_frame(main.loc[:, names])
    table["margin"] = main["margin"].map(lambda v: f"{v:.1%}")
    table["income_per_capita"] = main["income_per_capita"].map("{:.2f}".format)
    table["weight"] = main["weight"].map("{:.2f}".format)
    headers = {n: column("households", n).header for n in names}
    return table.rename(columns={**headers, "margin": "收入超线幅度", "weight": "权数"})
