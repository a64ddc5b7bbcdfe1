"""Tables and figures of the sampling report (抽样报告) for notebooks/sample_township.ipynb.

The notebook only calls these and displays the results. :func:`load_run` re-reads a run folder,
rebuilds the frame from the copied inputs and re-draws the sample from design.json, so the report
also proves that the recorded sample is reproducible. Every text helper takes ``lang="zh"``
(简体中文, the default) or ``"en"``; text is kept as (中文, English) pairs next to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from data_contracts import load
from data_contracts.columns import column
from data_contracts.loading import sha256_of
from data_contracts.messages import text
from data_contracts.privacy import mask_frame
from data_contracts.records import DesignRecord, read_record
from reports.figures import FAIL_COLOR, GREY, MAIN_COLOR, PASS_COLOR, in_language
from sampling.frame import Frame, build_frame
from sampling.plans import AcceptancePlan, expected_margin
from sampling.sample import Sample

DESIGN_NAMES = {
    "stratified": ("分层抽样", "stratified sampling"),
    "cluster": ("整群抽样", "cluster sampling"),
    "two-stage": ("两阶段抽样", "two-stage sampling"),
}
SECTIONS = {
    "frame": ("抽样框概况", "Sampling frame"),
    "design": ("抽样设计与样本分配", "Design and allocation"),
    "precision": ("预期精度", "Expected precision"),
    "plan": ("验收方案与操作特性曲线", "Acceptance plan and OC curve"),
    "preview": ("样本预览（个人信息已脱敏）", "Sample preview (personal data masked)"),
    "appendix": ("附录：替换规则", "Appendix: replacement rule"),
}
#: English headers of the preview columns (the Chinese ones come from the column specs)
PREVIEW_EN = {
    "household_id": "Household ID",
    "village": "Village",
    "head_name": "Head of household",
    "head_id_number": "ID number",
    "household_size": "Household size",
    "income_per_capita": "Income per capita (yuan)",
    "exit_year": "Exit year",
    "margin": "Income margin above the line",
    "weight": "Weight",
}
ITEM_VALUE = (("项目", "Item"), ("内容", "Value"))
INPUT_KINDS = ("households", "villages", "poverty-lines")


@dataclass
class SamplingRun:
    """A sampling run folder read back: frame, recorded sample, design record, seal check.

    ``sealed`` is true when every file ``sample`` wrote still has the SHA-256 recorded in
    design.json and the frame rebuilt from the copied inputs has the recorded fingerprint. The
    report shows the recorded sample; it never draws it again.
    """

    frame: Frame
    sample: Sample
    design: dict[str, Any]
    recorded: pd.DataFrame
    sealed: bool

    def to_frame(self) -> pd.DataFrame:
        """The recorded sample table."""
        return self.recorded.copy()

    def __repr__(self) -> str:
        ok = "sealed" if self.sealed else "NOT matching its seal"
        return f"SamplingRun({self.design['design']}, {self.design['township']}, {ok})"


def load_run(run_dir: str | Path) -> SamplingRun:
    """Read design.json, sample.parquet and inputs/ of a run and check them against the seal."""
    run = Path(run_dir)
    record = read_record(run / DesignRecord.FILE, DesignRecord)
    design = record.model_dump(mode="json")
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
    recorded = pd.read_parquet(run / "sample.parquet")
    allocation = pd.DataFrame([a.model_dump() for a in record.allocation]).dropna(
        axis="columns", how="all"
    )
    sealed = frame.fingerprint == record.frame_fingerprint and all(
        (run / name).is_file() and sha256_of(run / name) == digest
        for name, digest in record.files.items()
    )
    return SamplingRun(frame, Sample(recorded, design, allocation), design, recorded, sealed)


def show(table: pd.DataFrame) -> Styler:
    """A report table for display: no index column, missing values as —."""
    return table.style.hide(axis="index").format(na_rep="—", precision=4)


def _pick(pairs: dict[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """The texts of ``pairs`` in the report language."""
    return {key: in_language(pair, lang) for key, pair in pairs.items()}


def _two_columns(rows: list[tuple[tuple[str, str], str]], lang: str) -> pd.DataFrame:
    """An item/value table from ((中文, English) item, value) rows."""
    return pd.DataFrame(
        [(in_language(item, lang), value) for item, value in rows],
        columns=[in_language(h, lang) for h in ITEM_VALUE],
    )


def design_name(kind: str, lang: str = "zh") -> str:
    """The design's name in the report language (分层抽样 / 整群抽样 / 两阶段抽样)."""
    return in_language(DESIGN_NAMES.get(kind, kind), lang)


def title(design: dict[str, Any], lang: str = "zh") -> str:
    """The report's Markdown title (抽样报告标题)."""
    township = design["township"]
    return in_language(
        (f"# {township} 脱贫户抽样报告", f"# {township}: sample of exited households"), lang
    )


def intro(run: SamplingRun, lang: str = "zh") -> str:
    """The opening Markdown paragraph: design, sample sizes, seed and reproducibility."""
    d, n, r = run.design, len(run.sample.main), len(run.sample.reserves)
    name = design_name(d["design"], lang)
    same_zh, same_en = (
        ("**完全一致**", "**exactly the recorded files**")
        if run.sealed
        else ("**不一致，请核查**", "**different files: please check the run folder**")
    )
    zh = (
        f"本报告记录第三方评估对 **{d['township']}** 脱贫户的抽样：采用**{name}**，"
        f"抽取样本户 **{n}** 户、备选户 **{r}** 户，随机数种子 {d['seed']}。"
        f"运行目录中的样本文件与抽样时记录的SHA-256校验值及抽样框指纹{same_zh}。"
    )
    en = (
        f"This report records the third-party assessment's sample of exited households in "
        f"**{d['township']}**: **{name}** of **{n}** households with **{r}** reserves, "
        f"random seed {d['seed']}. The run folder's sample files and frame match what was "
        f"recorded when the sample was drawn (SHA-256 seal and frame fingerprint): {same_en}."
    )
    return in_language((zh, en), lang)


def heading(key: str, lang: str = "zh") -> str:
    """A Markdown section heading of the report (keys of :data:`SECTIONS`)."""
    return f"## {in_language(SECTIONS[key], lang)}"


def replacement_rule(design: dict[str, Any], lang: str = "zh") -> str:
    """The replacement rule recorded in design.json (替换规则: a code) in the report language."""
    return text(f"sampling.rule_{design['replacement_rule']}", lang)


def _band_columns(table: pd.DataFrame, lang: str) -> dict[str, str]:
    names = ("超线{}户数", "Households {} above the line")
    return {
        c: in_language(names, lang).format(c)
        for c in table.columns
        if c.endswith("%") or c == "unknown"
    }


def frame_summary_table(frame: Frame, lang: str = "zh") -> pd.DataFrame:
    """Households, persons and reported margin by village, plus a total (抽样框概况)."""
    table = frame.summary()
    total = table.sum(numeric_only=True)
    total[["margin_median", "margin_min"]] = [
        frame.units["margin"].median(),
        frame.units["margin"].min(),
    ]
    total_label = in_language(("合计", "Total"), lang)
    table = pd.concat([table, total.to_frame().T.assign(village_id=total_label, village="")])
    for name in ("margin_median", "margin_min"):
        table[name] = table[name].map(lambda v: f"{v:.1%}")
    bands = _band_columns(table, lang)
    counts = ["households", "persons", *bands]
    table[counts] = table[counts].astype("int64")
    headers = _pick(
        {
            "village_id": ("村编码", "Village code"),
            "village": ("行政村", "Village"),
            "households": ("脱贫户数", "Exited households"),
            "persons": ("脱贫人口", "Exited persons"),
            "margin_median": ("收入超线幅度中位数", "Median income margin above the line"),
            "margin_min": ("收入超线幅度最小值", "Smallest income margin above the line"),
        },
        lang,
    )
    return table.rename(columns={**headers, **bands}).reset_index(drop=True)


def design_table(design: dict[str, Any], sample: Sample, lang: str = "zh") -> pd.DataFrame:
    """Key facts of the design (抽样设计) as a two-column table."""
    params = design["parameters"]
    rows = [
        (("抽样设计", "Design"), design_name(design["design"], lang)),
        (("乡镇", "Township"), design["township"]),
        (("随机数种子", "Random seed"), str(design["seed"])),
        (
            ("抽样框脱贫户数 / 人口", "Frame households / persons"),
            f"{design['frame_households']} / {design['frame_persons']}",
        ),
        (("抽样框指纹 (sha256)", "Frame fingerprint (sha256)"), design["frame_fingerprint"]),
        (("样本户数", "Sampled households"), str(len(sample.main))),
        (("备选户数", "Reserve households"), str(len(sample.reserves))),
        (
            ("样本初级单位 (PSU) 数", "Primary sampling units (PSUs)"),
            str(sample.main["psu"].nunique()),
        ),
    ]
    labels = {
        "n": ("计划样本量", "Planned sample size"),
        "strata": ("分层方式", "Strata"),
        "allocation": ("样本分配", "Allocation"),
        "selection": ("层内抽样方法", "Selection within strata"),
        "reserves": ("每层/村备选户数", "Reserves per stratum / village"),
        "villages_to_sample": ("抽取村数", "Villages to sample"),
        "households_per_village": ("每村抽取户数", "Households per village"),
        "village_selection": ("抽村方法", "Village selection"),
        "exit_years": ("脱贫年度", "Exit years"),
        "risk_cut_points": ("风险分层切点", "Risk-band cut points"),
    }
    rows += [(label, str(params[key])) for key, label in labels.items() if key in params]
    return _two_columns(rows, lang)


def allocation_table(sample: Sample, lang: str = "zh") -> pd.DataFrame:
    """Allocation by stratum or village (样本分配表)."""
    headers = _pick(
        {
            "stratum": ("层", "Stratum"),
            "village_id": ("村编码", "Village code"),
            "households": ("脱贫户数", "Exited households"),
            "prob_village": ("入样概率（村）", "Inclusion probability (village)"),
            "selected": ("是否入样", "Selected"),
            "sampled": ("样本户数", "Sampled households"),
            "reserves": ("备选户数", "Reserves"),
            "prob": ("入样概率", "Inclusion probability"),
            "prob_household": ("入样概率（户）", "Inclusion probability (household)"),
            "weight": ("权数", "Weight"),
        },
        lang,
    )
    table = sample.allocation.copy()
    if "selected" in table:
        yes, no = (in_language(pair, lang) for pair in (("是", "yes"), ("否", "no")))
        table["selected"] = table["selected"].map({True: yes, False: no})
    return table.rename(columns=headers).round(4)


def precision_table(
    sample: Sample, frame: Frame, deff: float = 1.0, confidence: float = 0.95, lang: str = "zh"
) -> pd.DataFrame:
    """Expected ±margin of an estimated household rate for a few true rates (预期精度)."""
    n = len(sample.main)
    rates = [0.02, 0.05, 0.10, 0.50]
    margins = [expected_margin(n, p, confidence, frame.households, deff) for p in rates]
    half_width = (
        f"{confidence:.0%}置信区间半宽（约）",
        f"{confidence:.0%} CI half-width (approx.)",
    )
    return pd.DataFrame(
        {
            in_language(("假定真实比例", "Assumed true rate"), lang): [f"{p:.0%}" for p in rates],
            in_language(("样本户数", "Sampled households"), lang): n,
            in_language(("设计效应", "Design effect"), lang): f"{deff:g}",
            in_language(half_width, lang): [f"±{m:.1%}" for m in margins],
        }
    )


def plan_table(plan: AcceptancePlan, lang: str = "zh") -> pd.DataFrame:
    """The acceptance plan (验收方案) as a two-column table."""
    alpha = "—" if plan.alpha_achieved is None else f"{plan.alpha_achieved:.3f}"
    model = (
        ("超几何分布（有限总体）", "hypergeometric (finite population)")
        if plan.population
        else ("二项分布", "binomial")
    )
    rows = [
        (("抽查户数 n", "Households to check n"), str(plan.n)),
        (
            ("允许错退户数 d（不超过即通过）", "Wrong exits allowed d (pass if at most d)"),
            str(plan.d),
        ),
        (("错退率阈值 p0", "Wrong-exit threshold p0"), f"{plan.threshold:.1%}"),
        (
            ("良好水平 p1", "Good rate p1"),
            "—" if plan.good_rate is None else f"{plan.good_rate:.1%}",
        ),
        (
            ("阈值处仍通过的概率（评估方风险）", "P(pass) at the threshold (assessor's risk)"),
            f"{plan.beta_achieved:.3f}",
        ),
        (
            ("良好水平却不通过的概率（乡镇风险）", "P(fail) at the good rate (township's risk)"),
            alpha,
        ),
        (("模型", "Model"), in_language(model, lang)),
        (("设计效应", "Design effect"), f"{plan.deff:g}"),
    ]
    return _two_columns(rows, lang)


def oc_figure(plan: AcceptancePlan, max_rate: float | None = None, lang: str = "zh") -> Figure:
    """OC curve (操作特性曲线): probability of passing against the true wrong-exit rate."""
    text = _pick(
        {
            "p0": ("阈值 p0", "threshold p0"),
            "p1": ("良好水平 p1", "good rate p1"),
            "x": ("真实错退率（%）", "True wrong-exit rate (%)"),
            "y": ("判定通过的概率", "Probability of passing"),
            "title": (
                "验收方案的操作特性（OC）曲线",
                "Operating characteristic (OC) curve of the plan",
            ),
        },
        lang,
    )
    top = max_rate or min(1.0, 3 * plan.threshold)
    oc = plan.oc_curve(np.linspace(0.0, top, 201))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot(oc["rate"] * 100, oc["p_pass"], color=MAIN_COLOR, lw=2, label=f"n={plan.n}, d={plan.d}")
    ax.axvline(plan.threshold * 100, color=FAIL_COLOR, ls="--", lw=1, label=text["p0"])
    if plan.good_rate is not None:
        ax.axvline(plan.good_rate * 100, color=PASS_COLOR, ls="--", lw=1, label=text["p1"])
    ax.axhline(plan.beta, color=GREY, ls=":", lw=1)
    ax.set_xlabel(text["x"])
    ax.set_ylabel(text["y"])
    ax.set_ylim(0, 1.02)
    ax.set_title(text["title"])
    ax.legend(frameon=False)
    return fig


def sample_preview(units: pd.DataFrame, rows: int = 20, lang: str = "zh") -> pd.DataFrame:
    """First rows of the main sample, personal data masked (样本预览)."""
    main = units.loc[~units["reserve"]].head(rows)
    names = ["household_id", "village", "head_name", "head_id_number", "household_size"]
    names += ["income_per_capita", "exit_year"]
    table = mask_frame(main.loc[:, names])
    table["margin"] = main["margin"].map(lambda v: f"{v:.1%}")
    table["income_per_capita"] = main["income_per_capita"].map("{:.2f}".format)
    table["weight"] = main["weight"].map("{:.2f}".format)
    chinese = {n: column("households", n).header for n in names}
    chinese |= {"margin": "收入超线幅度", "weight": "权数"}
    return table.rename(
        columns={n: in_language((chinese[n], PREVIEW_EN[n]), lang) for n in chinese}
    )
