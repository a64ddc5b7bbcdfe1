"""The sampling report (抽样报告), built from a township run folder's records.

:func:`load_run` reads ``design.json`` (:class:`~data_contracts.records.DesignRecord`),
``sample.parquet`` and the copied registry inputs of a run, rebuilds the frame (for the frame
summary and its fingerprint) and checks the seal; the sample is never drawn again — the report
shows the recorded sample and the recorded allocation. :class:`SamplingReport` turns the run
into report blocks: the title and an opening paragraph, the frame by village, the design and
its allocation, the expected precision, the acceptance plan with its OC curve (from the planning
parameters recorded in ``design.json``: threshold, good rate, risks, design effect), a masked
preview of the sample and the replacement rule. Every word comes from the message catalogue
(topic ``sampling_report``; the replacement rules from topic ``sampling``) and every table goes
through :func:`reports.blocks.table`, so names from the data stay inert. The notebook
``sample_township.ipynb`` displays the same blocks, so the Jupyter path and the command line
show the same report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from data_contracts import load
from data_contracts.messages import check_lang, has, text
from data_contracts.privacy import mask_frame
from data_contracts.records import DesignRecord, ReportParameters, read_record
from data_contracts.seal import seal_problems
from reports import figures
from reports.blocks import HtmlBlock, esc, heading, paragraph, table
from reports.formatting import DASH, level_pct, missing, pct, ratio
from reports.page import figure
from sampling.frame import Frame, build_frame
from sampling.plans import AcceptancePlan, acceptance_plan, expected_margin
from sampling.sample import Sample

INPUT_KINDS = ("households", "villages", "poverty-lines")
SECTIONS = ("frame", "design", "precision", "plan", "preview", "appendix")
#: true rates for which the expected precision is shown, and its confidence level
PRECISION_RATES = (0.02, 0.05, 0.10, 0.50)
PRECISION_LEVEL = 0.95
PREVIEW_ROWS = 20
#: the preview's columns (masked personal data), in order
PREVIEW_COLUMNS = ("household_id", "village", "head_name", "head_id_number", "household_size",
                   "income_per_capita", "exit_year", "margin", "weight")  # fmt: skip
#: design parameters shown in the design table (row key = parameter name, unless mapped here)
DESIGN_PARAMETERS = ("n", "strata", "allocation", "selection", "reserves", "fixed", "error_rates",
                     "villages_to_sample", "households_per_village", "village_selection",
                     "exit_years", "risk_cut_points")  # fmt: skip
_ROW = {"reserves": "reserves_per"}
#: parameters whose values are codes worded by the catalogue (parameter → catalogue group)
_CODES = {"strata": "strata", "allocation": "allocation", "selection": "selection",
          "village_selection": "selection"}  # fmt: skip


def _t(key: str, lang: str, **params: object) -> str:
    return text(f"sampling_report.{key}", lang, **params)


def _col(key: str, lang: str, **params: object) -> str:
    return _t(f"col.{key}", lang, **params)


def code_label(group: str, code: Any, lang: str) -> str:
    """A recorded option code in words (``srs`` → 简单随机抽样); an unknown code as it is."""
    key = f"sampling_report.{group}.{code}"
    return text(key, lang) if has(key) else str(code)


def design_name(kind: str, lang: str = "zh") -> str:
    """The design's name in the report language (分层抽样 / 整群抽样 / 两阶段抽样)."""
    return code_label("design", kind, lang)


def _whole(value: Any) -> Any:
    """A count as an int (a float column holding counts shows no decimals), missing kept."""
    return None if missing(value) else int(value)


def _emphasised(key: str, lang: str, strong: Mapping[str, tuple[Any, str]], **plain: Any) -> str:
    """Catalogue text ``key`` as escaped HTML with the ``strong`` parameters in bold.

    ``strong`` maps a parameter to (value, css class or ""); every value is escaped.
    """
    names = list(strong)
    marks = {name: f"\x00{i}\x01" for i, name in enumerate(names)}
    escaped = esc(text(key, lang, **plain, **marks))

    def bold(match: re.Match[str]) -> str:
        value, css = strong[names[int(match.group(1))]]
        attr = f' class="{esc(css)}"' if css else ""
        return f"<b{attr}>{esc(value)}</b>"

    return re.sub(r"\x00(\d+)\x01", bold, escaped)


# --------------------------------------------------------------------------- the run folder
@dataclass
class SamplingRun:
    """A sampling run folder read back: frame, recorded sample, design record, seal check.

    ``sealed`` is true when every file ``sample`` wrote still has the SHA-256 recorded in
    design.json and the frame rebuilt from the copied inputs has the recorded fingerprint. The
    report shows the recorded sample; it never draws it again.
    """

    frame: Frame
    record: DesignRecord
    recorded: pd.DataFrame
    allocation: pd.DataFrame
    sealed: bool

    @property
    def design(self) -> dict[str, Any]:
        """design.json as plain data."""
        return self.record.model_dump(mode="json")

    @property
    def sample(self) -> Sample:
        """The recorded sample (units, design, allocation) as a :class:`Sample`."""
        return Sample(self.recorded, self.design, self.allocation)

    @property
    def main(self) -> pd.DataFrame:
        """The main-sample rows of the recorded sample."""
        return self.recorded.loc[~self.recorded["reserve"].astype(bool)]

    @property
    def reserves(self) -> pd.DataFrame:
        """The reserve rows of the recorded sample."""
        return self.recorded.loc[self.recorded["reserve"].astype(bool)]

    def to_frame(self) -> pd.DataFrame:
        """The recorded sample table."""
        return self.recorded.copy()

    def __repr__(self) -> str:
        ok = "sealed" if self.sealed else "NOT matching its seal"
        return f"SamplingRun({self.record.design}, {self.record.township}, {ok})"


def load_run(run_dir: str | os.PathLike[str]) -> SamplingRun:
    """Read design.json, sample.parquet and inputs/ of a run and check them against the seal."""
    run = Path(run_dir)
    record = read_record(run / DesignRecord.FILE, DesignRecord)
    params = record.parameters
    tables = {k: load(k, run / params.inputs[k]).frame for k in INPUT_KINDS}
    frame = build_frame(
        tables["households"],
        tables["villages"],
        tables["poverty-lines"],
        record.township,
        params.exit_years,
        params.risk_cut_points or (0.10, 0.30),
    )
    recorded = pd.read_parquet(run / "sample.parquet")
    allocation = pd.DataFrame([a.model_dump() for a in record.allocation]).dropna(
        axis="columns", how="all"
    )
    sealed = frame.fingerprint == record.frame_fingerprint and not seal_problems(run, record)
    return SamplingRun(frame, record, recorded, allocation, sealed)


# --------------------------------------------------------------------------- the OC figure
def oc_figure(plan: AcceptancePlan, max_rate: float | None = None, lang: str = "zh") -> Figure:
    """OC curve (操作特性曲线): probability of passing against the true wrong-exit rate."""
    check_lang(lang)
    top = max_rate or min(1.0, 3 * plan.threshold)
    oc = plan.oc_curve(np.linspace(0.0, top, 201))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot(oc["rate"] * 100, oc["p_pass"], color=figures.MAIN_COLOR, lw=2,
            label=f"n={plan.n}, d={plan.d}")  # fmt: skip
    ax.axvline(plan.threshold * 100, color=figures.FAIL_COLOR, ls="--", lw=1,
               label=_t("figure.p0", lang))  # fmt: skip
    if plan.good_rate is not None:
        ax.axvline(plan.good_rate * 100, color=figures.PASS_COLOR, ls="--", lw=1,
                   label=_t("figure.p1", lang))  # fmt: skip
    ax.axhline(plan.beta, color=figures.GREY, ls=":", lw=1)
    ax.set_xlabel(_t("figure.x", lang))
    ax.set_ylabel(_t("figure.y", lang))
    ax.set_ylim(0, 1.02)
    ax.set_title(_t("figure.title", lang))
    ax.legend(frameon=False)
    return fig


# --------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class SamplingReport:
    """One township run's sampling report: its records, ready to be shown in ``lang``."""

    run: SamplingRun
    lang: str = "zh"
    preview_rows: int = PREVIEW_ROWS

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str], lang: str = "zh") -> SamplingReport:
        """Read a run folder (design.json, sample.parquet, inputs/) and check its seal."""
        check_lang(lang)
        return cls(load_run(run_dir), lang)

    def __post_init__(self) -> None:
        check_lang(self.lang)
        figures.use_report_style()

    @property
    def record(self) -> DesignRecord:
        """The run's design.json."""
        return self.run.record

    @property
    def parameters(self) -> ReportParameters:
        """The planning parameters recorded in design.json (p0, p1, α, β, design effect)."""
        return self.record.report

    @cached_property
    def plan(self) -> AcceptancePlan:
        """The acceptance plan of the recorded planning parameters for this frame."""
        p = self.parameters
        return acceptance_plan(p.threshold, p.good_rate, p.alpha, p.beta,
                               population=self.run.frame.households, deff=p.deff)  # fmt: skip

    def __repr__(self) -> str:
        r = self.record
        return f"SamplingReport({r.design}, {r.township}, seed {r.seed}, {self.lang})"

    def blocks(self) -> list[HtmlBlock]:
        """Every block of the report, in order (what the notebook shows cell by cell)."""
        out = [self.title(), self.intro()]
        for key in SECTIONS:
            out.extend(self.section(key))
        return [b for b in out if b]

    def section(self, key: str) -> list[HtmlBlock]:
        """The blocks of one section (``SECTIONS``), heading first."""
        parts = {
            "frame": [self.frame_table],
            "design": [self.design_table, self.allocation_table],
            "precision": [self.precision_table],
            "plan": [self.plan_table, self.oc_curve],
            "preview": [self.preview_table],
            "appendix": [self.replacement_rule],
        }[key]
        out = [heading(f"sampling_report.section.{key}", self.lang), *(make() for make in parts)]
        return [b for b in out if b]

    # ----------------------------------------------------------------- title and intro
    def title(self) -> HtmlBlock:
        """The ``<h1>``: the township's sample of exited households."""
        return HtmlBlock(f"<h1>{esc(_t('title', self.lang, township=self.record.township))}</h1>")

    def intro(self) -> HtmlBlock:
        """Design, sample and reserve sizes, seed, and whether the run matches its seal."""
        r, lang = self.record, self.lang
        seal = ("seal.ok", "pass") if self.run.sealed else ("seal.broken", "fail")
        strong = {
            "township": (r.township, ""),
            "design": (design_name(r.design, lang), ""),
            "n": (len(self.run.main), ""),
            "reserves": (len(self.run.reserves), ""),
            "seal": (_t(seal[0], lang), seal[1]),
        }
        inner = _emphasised("sampling_report.intro", lang, strong, seed=r.seed)
        return HtmlBlock(f"<p>{inner}</p>")

    # ----------------------------------------------------------------- 1. frame
    def frame_summary(self) -> pd.DataFrame:
        """Households, persons and reported margin by village, plus a total (抽样框概况)."""
        lang, frame = self.lang, self.run.frame
        summary = frame.summary()
        bands = [c for c in summary.columns if c.endswith("%") or c == "unknown"]
        counts = ["households", "persons", *bands]
        total = {"village_id": _t("total", lang), "village": "",
                 **{c: int(summary[c].sum()) for c in counts},
                 "margin_median": frame.units["margin"].median(),
                 "margin_min": frame.units["margin"].min()}  # fmt: skip
        out = pd.concat([summary, pd.DataFrame([total])], ignore_index=True)
        out = out[["village_id", "village", "households", "persons", "margin_median",
                   "margin_min", *bands]]  # fmt: skip
        for name in ("margin_median", "margin_min"):
            out[name] = out[name].map(pct)
        out[counts] = out[counts].astype("int64")
        headers = {c: _col(c, lang) for c in ("village_id", "village", "households", "persons",
                                              "margin_median", "margin_min")}  # fmt: skip
        headers |= {
            b: _col("band_unknown", lang) if b == "unknown" else _col("band", lang, band=b)
            for b in bands
        }
        return out.rename(columns=headers)

    def frame_table(self) -> HtmlBlock:
        """The frame summary as a table (numbers right-aligned)."""
        summary = self.frame_summary()
        return table(summary, list(summary.columns[2:]))

    # ----------------------------------------------------------------- 2. design, allocation
    def _parameter_value(self, name: str, value: Any) -> str:
        lang = self.lang
        sep = _t("list_sep", lang)
        if name in _CODES:
            return code_label(_CODES[name], value, lang)
        if name == "exit_years":
            return sep.join(str(y) for y in value)
        if name == "risk_cut_points":
            return sep.join(level_pct(c) for c in value)
        if isinstance(value, dict):
            return sep.join(f"{k}={v:g}" for k, v in value.items())
        return str(value)

    def design_facts(self) -> pd.DataFrame:
        """Key facts of the design (抽样设计) as an item/value table; unused options left out."""
        r, lang, run = self.record, self.lang, self.run
        rows = [
            ("design", design_name(r.design, lang)),
            ("township", r.township),
            ("seed", str(r.seed)),
            ("frame", f"{r.frame_households} / {r.frame_persons}"),
            ("fingerprint", r.frame_fingerprint),
            ("sampled", str(len(run.main))),
            ("reserves", str(len(run.reserves))),
            ("psus", str(run.main["psu"].nunique())),
        ]
        params = r.parameters.model_dump()
        rows += [
            (_ROW.get(name, name), self._parameter_value(name, params[name]))
            for name in DESIGN_PARAMETERS
            if params.get(name) not in (None, {}, [])
        ]
        return pd.DataFrame(
            [(_t(f"row.{key}", lang), value) for key, value in rows],
            columns=[_col("item", lang), _col("value", lang)],
        )

    def design_table(self) -> HtmlBlock:
        """The design facts as a two-column table."""
        return table(self.design_facts())

    def allocation(self) -> pd.DataFrame:
        """The recorded allocation by stratum or village (样本分配表), formatted."""
        lang = self.lang
        out = self.run.allocation.copy()
        for name in ("households", "sampled", "reserves"):
            if name in out:
                out[name] = out[name].map(_whole).astype(object)
        for name in ("prob", "prob_village", "prob_household", "weight"):
            if name in out:
                out[name] = out[name].map(lambda v: ratio(v, 4))
        if "selected" in out:
            words = {True: _t("yes", lang), False: _t("no", lang)}
            out["selected"] = out["selected"].map(lambda v: DASH if missing(v) else words[bool(v)])
        return out.rename(columns={c: _col(c, lang) for c in out.columns})

    def allocation_table(self) -> HtmlBlock:
        """The allocation as a table (numbers right-aligned)."""
        lang = self.lang
        frame = self.allocation()
        text_columns = {_col(c, lang) for c in ("stratum", "village_id", "selected")}
        return table(frame, [c for c in frame.columns if c not in text_columns])

    # ----------------------------------------------------------------- 3. precision
    def precision(self) -> pd.DataFrame:
        """Expected ±margin of an estimated household rate for a few true rates (预期精度)."""
        lang, deff = self.lang, self.parameters.deff
        n = len(self.run.main)
        population = self.run.frame.households
        margins = [expected_margin(n, p, PRECISION_LEVEL, population, deff)
                   for p in PRECISION_RATES]  # fmt: skip
        return pd.DataFrame(
            {
                _col("assumed_rate", lang): [pct(p, 0) for p in PRECISION_RATES],
                _col("sampled", lang): n,
                _col("deff", lang): f"{deff:g}",
                _col("half_width", lang, level=level_pct(PRECISION_LEVEL)): [
                    f"±{pct(m)}" for m in margins
                ],
            }
        )

    def precision_table(self) -> HtmlBlock:
        """The expected precision as a table."""
        frame = self.precision()
        return table(frame, list(frame.columns))

    # ----------------------------------------------------------------- 4. acceptance plan
    def plan_facts(self) -> pd.DataFrame:
        """The acceptance plan (验收方案) as an item/value table."""
        plan, lang = self.plan, self.lang
        model = "hypergeometric" if plan.population else "binomial"
        rows = [
            ("plan_n", str(plan.n)),
            ("plan_d", str(plan.d)),
            ("threshold", pct(plan.threshold)),
            ("good_rate", pct(plan.good_rate)),
            ("beta", ratio(plan.beta_achieved, 3)),
            ("alpha", ratio(plan.alpha_achieved, 3)),
            ("model", _t(f"model.{model}", lang)),
            ("deff", f"{plan.deff:g}"),
        ]
        return pd.DataFrame(
            [(_t(f"row.{key}", lang), value) for key, value in rows],
            columns=[_col("item", lang), _col("value", lang)],
        )

    def plan_table(self) -> HtmlBlock:
        """The acceptance plan as a two-column table."""
        return table(self.plan_facts())

    def oc_curve(self) -> HtmlBlock:
        """The plan's OC curve as an inline SVG figure."""
        return figure(oc_figure(self.plan, lang=self.lang))

    # ----------------------------------------------------------------- 5. preview
    def preview(self) -> pd.DataFrame:
        """The first rows of the main sample, personal data masked (样本预览)."""
        main = self.run.main.head(self.preview_rows)
        names = [c for c in PREVIEW_COLUMNS if c in main.columns]
        out = mask_frame(main.loc[:, names])
        formats = {"margin": pct, "income_per_capita": lambda v: ratio(v, 2),
                   "weight": lambda v: ratio(v, 2)}  # fmt: skip
        for name, fmt in formats.items():
            if name in out:
                out[name] = out[name].map(fmt)
        return out.rename(columns={c: _col(c, self.lang) for c in names})

    def preview_table(self) -> HtmlBlock:
        """The masked preview as a table."""
        lang = self.lang
        frame = self.preview()
        numeric = [_col(c, lang) for c in ("household_size", "income_per_capita", "exit_year",
                                           "margin", "weight")]  # fmt: skip
        return table(frame, [c for c in numeric if c in frame.columns])

    # ----------------------------------------------------------------- appendix
    def replacement_rule(self) -> HtmlBlock:
        """The replacement rule recorded in design.json (a code), in words."""
        return paragraph(f"sampling.rule_{self.record.replacement_rule}", self.lang)


def build(run_dir: str | os.PathLike[str], lang: str = "zh") -> list[HtmlBlock]:
    """The blocks of the sampling report of a run folder."""
    return SamplingReport.load(run_dir, lang).blocks()
