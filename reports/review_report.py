"""The methodology review report (方法评审报告), built from ``review.json``.

:class:`ReviewReport` loads the :class:`~data_contracts.records.ReviewRecord` written by
``exitcheck review`` and turns it into report blocks: the title and what was simulated, the
findings, the risks of the verdict rule, the OC curves, the coverage of the intervals, design
effects and sample sizes, the two sensitivity analyses and an appendix with the method and every
parameter. Every word comes from the message catalogue (topic ``review``), every number from the
record; nothing here computes a statistic. Headers and texts that name the confidence level or the
threshold take them from the recorded configuration. The notebook ``methodology_review.ipynb``
displays the same blocks, so the Jupyter path and the command line show the same report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, PercentFormatter

from data_contracts.messages import check_lang, label, text
from data_contracts.records import Finding, ReviewRecord, read_record
from evaluation.verdict import VERDICTS, Thresholds
from reports import figures
from reports.blocks import HtmlBlock, bullets, heading, paragraph, subheading, table
from reports.blocks import title as title_block
from reports.formatting import count, level_pct, number, pct, ratio
from reports.page import figure

SECTIONS = (
    "findings",
    "risks",
    "scenario_risks",
    "oc",
    "coverage",
    "sample_size",
    "measurement_error",
    "nonresponse",
    "appendix",
)
#: columns of the sensitivity tables shown as percentages (two decimals)
SENSITIVITY_PCT = (
    "p_",
    "coverage",
    "mean_estimate",
    "bias",
    "true_rate",
    "expected_apparent",
    "response_",
)


def _t(key: str, lang: str, **params: object) -> str:
    return text(f"review.{key}", lang, **params)


def _col(key: str, lang: str, **params: object) -> str:
    """A column header from ``review.col.*``."""
    return _t(f"col.{key}", lang, **params)


def rate_pct(rate: float) -> str:
    """A true rate in words or a header, no needless decimals (0.02 → "2%", 0.005 → "0.5%")."""
    return level_pct(rate)


@dataclass(frozen=True)
class Review:
    """review.json read back: the record and each of its tables as a DataFrame."""

    record: ReviewRecord
    frames: dict[str, pd.DataFrame]

    @classmethod
    def from_record(cls, record: ReviewRecord) -> Review:
        """The record with its tables as DataFrames."""
        return cls(record, {k: pd.DataFrame(v) for k, v in record.tables.items()})

    @property
    def parameters(self) -> dict:
        """The review's configuration (ReviewConfig as recorded)."""
        return self.record.parameters

    def __repr__(self) -> str:
        return f"Review({len(self.frames)} tables, {len(self.record.findings)} findings)"


def load_review(path: str | os.PathLike[str]) -> Review:
    """Read and validate review.json (:class:`RecordError` names the file when it cannot)."""
    return Review.from_record(read_record(path, ReviewRecord))


def design_name(design: str, lang: str) -> str:
    """A design's name in the report language (分层随机抽样 / stratified …)."""
    return _t(f"design.{design}", lang)


def design_label(label: str, lang: str) -> str:
    """'stratified n=150' in the report language ('分层随机抽样 n=150')."""
    design, _, size = label.partition(" ")
    return f"{design_name(design, lang)} {size}".strip()


def scenario_name(code: str, size_risk: float, lang: str) -> str:
    """A scenario in the report language with its γ ('错退集中在大户（γ = 1）')."""
    return _t(f"scenario.{code}", lang, g=float(size_risk))


def measure_name(measure: str, lang: str) -> str:
    """persons / households in the report language."""
    return _t(f"measure.{measure}", lang)


def method_name(method: str, lang: str) -> str:
    """An interval method's name in the report language (beta（Korn–Graubard）…)."""
    return _t(f"method.{method}", lang)


def finding_text(finding: Finding, lang: str, level: float = Thresholds.level) -> str:
    """One coded finding in words; design and measure codes are worded first. ``level`` is the
    verdict's confidence level (the one-sided bound a consumer's risk is held to)."""
    params: dict[str, Any] = dict(finding.params)
    if "d" in params:
        params["d"] = design_label(str(params["d"]), lang)
    if "sc" in params:
        params["sc"] = scenario_name(str(params["sc"]), float(params["g"]), lang)
    if "meas" in params:
        params["meas"] = _t("list_sep", lang).join(
            measure_name(m.strip(), lang) for m in str(params["meas"]).split(",")
        )
    params["nominal"] = level_pct(level)  # the coverage the findings hold each method to
    params["level"], params["alpha"] = level_pct(level), level_pct(1 - level)
    return _t(f"finding.{finding.code}", lang, **params)


def findings(doc: Review, lang: str) -> list[str]:
    """Every finding of the review in words."""
    level = doc.parameters["thresholds"]["level"]
    return [finding_text(f, lang, level) for f in doc.record.findings]


def _pcts(frame: pd.DataFrame, columns, digits: int = 1) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = [pct(v, digits) for v in out[c]]
    return out


def _value(value: Any) -> str:
    """A configuration value for readers: "a, b", "(10, 10), (10, 15)", "k = v; k = v"."""
    if isinstance(value, dict):
        return "; ".join(f"{k} = {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(
            f"({_value(v)})" if isinstance(v, list | tuple) else _value(v) for v in value
        )
    return str(value)


@dataclass(frozen=True)
class ReviewReport:
    """The methodology review's report: its record, ready to be shown in ``lang``."""

    review: Review
    lang: str = "zh"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        figures.use_report_style()  # idempotent: SVG text as text, CJK fonts, no glyph warnings

    @classmethod
    def load(cls, folder_or_review_json: str | os.PathLike[str], lang: str = "zh") -> ReviewReport:
        """Read ``review.json`` from a review folder (or the file itself); RecordError names the
        file when it is missing or invalid."""
        path = Path(folder_or_review_json)
        if path.is_dir():
            path = path / ReviewRecord.FILE
        check_lang(lang)
        return cls(load_review(path), lang)

    # ----------------------------------------------------------------- the configuration
    @property
    def record(self) -> ReviewRecord:
        """review.json as validated."""
        return self.review.record

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """The review's tables as DataFrames (raw numbers)."""
        return self.review.frames

    @property
    def parameters(self) -> dict:
        """The recorded configuration."""
        return self.review.parameters

    @property
    def level(self) -> float:
        """The confidence level of the intervals and the verdict."""
        return float(self.parameters["thresholds"]["level"])

    @property
    def threshold(self) -> float:
        """The wrong-exit standard (2%)."""
        return float(self.parameters["thresholds"]["wrong_exit"])

    @property
    def default_design(self) -> str:
        """The default design and size, as the tables label it ('stratified n=150')."""
        return " ".join(self.parameters["default_design"])

    @property
    def default_method(self) -> str:
        """The default interval method ('beta')."""
        return str(self.parameters["default_method"])

    def __repr__(self) -> str:
        return f"ReviewReport({self.review!r}, {self.lang})"

    # ----------------------------------------------------------------- the report
    def blocks(self) -> list[HtmlBlock]:
        """Every block of the report, in order (what the notebook shows cell by cell)."""
        out = [self.title(), self.intro()]
        for key in SECTIONS:
            out.extend(self.section(key))
        return [b for b in out if b]

    def section(self, key: str) -> list[HtmlBlock]:
        """The blocks of one section (``SECTIONS``), heading first."""
        parts = {
            "findings": [self.findings_list],
            "risks": [self.risk_words, self.risk_table],
            "scenario_risks": [
                self.scenario_words,
                self.true_rate_words,
                self.scenario_risk_table,
            ],
            "oc": [self.oc_words, self.oc_chart, self.oc_default_words, self.oc_table],
            "coverage": [self.coverage_words, self.coverage_chart, self.coverage_table],
            "sample_size": [
                self.deff_table,
                self.size_needed_words,
                self.size_needed_table,
                self.sample_size_table,
            ],
            "measurement_error": [
                lambda: self.sensitivity_words("measurement_error"),
                lambda: self.sensitivity_table("measurement_error"),
            ],
            "nonresponse": [
                lambda: self.sensitivity_words("nonresponse"),
                lambda: self.sensitivity_table("nonresponse"),
            ],
            "appendix": [self.method_words, self.parameters_heading, self.parameters_table],
        }[key]
        words = {"level": level_pct(self.level)} if key == "coverage" else {}
        blocks = [heading(f"review.section.{key}", self.lang, **words)]
        blocks += [make() for make in parts]
        return [b for b in blocks if b]

    def title(self) -> HtmlBlock:
        """The report's ``<h1>``."""
        return title_block("review.title", self.lang)

    def intro(self) -> HtmlBlock:
        """What was simulated: the township's truth, designs, replications and seed."""
        truth, p = self.record.truth, self.parameters
        designs = len(dict.fromkeys(self.frames["oc"]["design"]))
        return paragraph(
            "review.intro",
            self.lang,
            households=count(truth.households),
            persons=count(truth.persons),
            villages=count(truth.villages),
            designs=designs,
            reps=count(p["reps"]),
            seed=p["seed"],
        )

    def findings_list(self) -> HtmlBlock:
        """The coded findings in words, one bullet each."""
        return bullets(findings(self.review, self.lang))

    def _bad_rates(self) -> str:
        """The true rates the consumer's risk is shown at ('2%或3%' / '2% or 3%')."""
        columns = self.frames["risks"].columns
        rates = [
            float(c.rsplit("_", 1)[1])
            for c in columns
            if c.startswith("consumer_risk_") and not c.startswith("consumer_risk_official_")
        ]
        return _t("or_sep", self.lang).join(rate_pct(r) for r in rates)

    def risk_words(self) -> HtmlBlock:
        """What the producer's and the consumer's risk are (at the good and the bad rates)."""
        good = rate_pct(self.parameters["good_rate"])
        return paragraph("review.para.risks", self.lang, good=good, bad=self._bad_rates())

    def oc_words(self) -> HtmlBlock:
        """How to read the OC curves (the threshold line)."""
        return paragraph("review.para.oc", self.lang, threshold=rate_pct(self.threshold))

    def oc_default_words(self) -> HtmlBlock:
        """The line above the default design's verdict probabilities."""
        design = design_label(self.default_design, self.lang)
        return paragraph("review.para.oc_default", self.lang, design=design)

    def coverage_words(self) -> HtmlBlock:
        """How to read the coverage table (at the level)."""
        return paragraph("review.para.coverage", self.lang, level=level_pct(self.level))

    def sensitivity_words(self, name: str) -> HtmlBlock:
        """What one sensitivity analysis varies (at the threshold rate, default design)."""
        return paragraph(
            f"review.para.{name}",
            self.lang,
            rate=rate_pct(self.threshold),
            design=design_label(self.default_design, self.lang),
        )

    def method_words(self) -> HtmlBlock:
        """The simulation method in words (level and threshold as recorded)."""
        level, threshold = level_pct(self.level), rate_pct(self.threshold)
        return paragraph("review.para.method", self.lang, level=level, threshold=threshold)

    def parameters_heading(self) -> HtmlBlock:
        """The sub-heading above the parameters table."""
        return subheading("review.parameters", self.lang)

    # ----------------------------------------------------------------- risks
    def risk_frame(self) -> pd.DataFrame:
        """Producer's and consumer's risks of every design (default method, persons)."""
        lang = self.lang
        r = self.frames["risks"].copy()
        names = {"design_size": _col("design", lang)}
        for c in r.columns:
            if c.startswith("consumer_risk_official_"):
                rate = rate_pct(float(c.rsplit("_", 1)[1]))
                names[c] = _col("consumer_risk_official", lang, rate=rate)
            elif c.startswith("consumer_risk_"):
                names[c] = _col("consumer_risk", lang, rate=rate_pct(float(c.rsplit("_", 1)[1])))
            elif c != "design_size":
                names[c] = _col(c, lang)
        r["design_size"] = [design_label(d, lang) for d in r["design_size"]]
        r = _pcts(r, [c for c in r.columns if c != "design_size"])
        return r.rename(columns=names)

    def risk_table(self) -> HtmlBlock:
        """The risks as a table."""
        frame = self.risk_frame()
        return table(frame, list(frame.columns[1:]))

    # ----------------------------------------------------------------- scenarios
    def scenario_words(self) -> HtmlBlock:
        """What the consumer's and producer's risks by scenario are and what γ means."""
        return paragraph(
            "review.para.scenario_risks",
            self.lang,
            threshold=rate_pct(self.threshold),
            alpha=level_pct(1 - self.level),
            good=rate_pct(self.parameters["good_rate"]),
        )

    def true_rate_words(self) -> HtmlBlock:
        """The realised true rates (persons, households) at the threshold's grid point."""
        r = self.frames["scenario_risks"].drop_duplicates(["scenario", "size_risk"])
        parts = [
            _t(
                "true_rates_of",
                self.lang,
                scenario=scenario_name(c, g, self.lang),
                persons=pct(p, 2),
                households=pct(h, 2),
            )
            for c, g, p, h in zip(
                r["scenario"], r["size_risk"], r["true_rate"], r["true_rate_households"],
                strict=True,
            )
        ]  # fmt: skip
        rates = _t("list_sep", self.lang).join(parts)
        return paragraph(
            "review.para.true_rates", self.lang, threshold=rate_pct(self.threshold), rates=rates
        )

    def scenario_risk_frame(self) -> pd.DataFrame:
        """Consumer's and producer's risk (± MC SE) per design and scenario (one row each)."""
        lang = self.lang
        r = self.frames["scenario_risks"]
        order = {d: i for i, d in enumerate(dict.fromkeys(r["design_size"]))}
        r = r.sort_values("design_size", key=lambda d: d.map(order), kind="stable")

        def cells(risk: str) -> list[str]:
            pairs = zip(r[f"{risk}_risk"], r[f"{risk}_mc_se"], strict=True)
            return [f"{pct(p)} ± {pct(e)}" for p, e in pairs]

        return pd.DataFrame(
            {
                _col("design", lang): [design_label(d, lang) for d in r["design_size"]],
                _col("scenario", lang): [
                    scenario_name(c, g, lang)
                    for c, g in zip(r["scenario"], r["size_risk"], strict=True)
                ],
                _col("consumer_risk", lang, rate=rate_pct(self.threshold)): cells("consumer"),
                _col("producer_risk", lang): cells("producer"),
            }
        )

    def scenario_risk_table(self) -> HtmlBlock:
        """The risks by scenario as a table."""
        frame = self.scenario_risk_frame()
        return table(frame, list(frame.columns[2:]))

    # ----------------------------------------------------------------- OC
    def oc_frame(self, design_size: str | None = None, method: str | None = None) -> pd.DataFrame:
        """P(credible / inconclusive / not credible / official pass) by true rate for one design
        (the default design and method unless named)."""
        lang = self.lang
        design_size = design_size or self.default_design
        method = method or self.default_method
        oc = self.frames["oc"]
        oc = oc[
            (oc["design_size"] == design_size)
            & (oc["method"] == method)
            & (oc["measure"] == "persons")
        ]
        columns = {"rate": _col("true_rate", lang)}
        columns |= {f"p_{v}": label("verdict", v, lang) for v in VERDICTS}
        columns["p_official_pass"] = _col("official_pass", lang)
        out = _pcts(oc[list(columns)], list(columns)).rename(columns=columns)
        return out.reset_index(drop=True)

    def oc_table(self) -> HtmlBlock:
        """The default design's verdict probabilities as a table."""
        frame = self.oc_frame()
        return table(frame, list(frame.columns))

    def oc_figure(self, method: str | None = None) -> Figure:
        """OC curves: P(credible) (solid) and P(official rule passes) (dashed) vs the true rate,
        one panel per design, one line per size."""
        lang = self.lang
        oc = self.frames["oc"]
        oc = oc[(oc["method"] == (method or self.default_method)) & (oc["measure"] == "persons")]
        designs = list(dict.fromkeys(oc["design"]))
        fig = Figure(figsize=(4.2 * len(designs), 3.4))
        axes = fig.subplots(1, len(designs), sharey=True, squeeze=False)[0]
        for ax, design in zip(axes, designs, strict=True):
            for size, g in oc[oc["design"] == design].groupby("size", sort=False):
                line = ax.plot(g["rate"], g["p_credible"], marker="o", ms=3, label=f"{size}")[0]
                ax.plot(g["rate"], g["p_official_pass"], ls="--", color=line.get_color(), lw=1)
            ax.axvline(self.threshold, color="grey", lw=0.8)
            ax.set_title(design_name(design, lang))
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
            ax.set_xlabel(_t("figure.true_rate", lang))
            ax.legend(fontsize=8)
        axes[0].set_ylabel(_t("figure.oc_ylabel", lang))
        fig.tight_layout()
        return fig

    def oc_chart(self) -> HtmlBlock:
        """The OC curves as an inline SVG block."""
        return figure(self.oc_figure())

    # ----------------------------------------------------------------- coverage
    def coverage_frame(self, measure: str = "persons") -> pd.DataFrame:
        """Coverage (± MC error) of each interval method by design (rows) and true rate."""
        lang = self.lang
        cov = self.frames["coverage"]
        cov = cov[cov["measure"] == measure].copy()
        cov["cell"] = [
            f"{pct(c)} ± {pct(e)}" for c, e in zip(cov["coverage"], cov["mc_se"], strict=True)
        ]
        wide = cov.pivot_table(
            index=["design_size", "method"], columns="rate", values="cell", aggfunc="first",
            sort=False,
        ).reset_index()  # fmt: skip
        wide.columns.name = None
        wide["design_size"] = [design_label(d, lang) for d in wide["design_size"]]
        wide["method"] = [method_name(m, lang) for m in wide["method"]]
        rates = {r: pct(r) for r in wide.columns[2:]}
        names = {"design_size": _col("design", lang), "method": _col("method", lang), **rates}
        return wide.rename(columns=names)

    def coverage_table(self) -> HtmlBlock:
        """Coverage by persons as a table."""
        frame = self.coverage_frame("persons")
        return table(frame, list(frame.columns[2:]))

    def coverage_figure(self, design_size: str | None = None) -> Figure:
        """Coverage ± 2 MC SE of each method against the true rate for one design (persons),
        with the nominal level as a line."""
        lang = self.lang
        design_size = design_size or self.default_design
        cov = self.frames["coverage"]
        cov = cov[
            (cov["design_size"] == design_size) & (cov["measure"] == "persons") & (cov["rate"] > 0)
        ]
        fig = Figure(figsize=(6.5, 3.4))
        ax = fig.subplots()
        for i, (method, g) in enumerate(cov.groupby("method", sort=False)):
            ax.errorbar(
                g["rate"] * (1 + 0.03 * (i - 1.5)),
                g["coverage"],
                yerr=2 * g["mc_se"],
                marker="o",
                ms=3,
                capsize=2,
                label=method_name(method, lang),
            )
        ax.axhline(self.level, color="grey", lw=0.8)
        ax.set_xscale("log")
        ax.set_xticks(sorted(cov["rate"].unique()))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(_t("figure.true_rate", lang))
        ax.set_ylabel(_t("figure.coverage_ylabel", lang, level=level_pct(self.level)))
        ax.set_title(design_label(design_size, lang))
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig

    def coverage_chart(self) -> HtmlBlock:
        """The default design's coverage as an inline SVG block."""
        return figure(self.coverage_figure())

    # ----------------------------------------------------------------- design effects, sizes
    def deff_frame(self) -> pd.DataFrame:
        """Realised design effect at the threshold rate against the assumed one."""
        lang = self.lang
        d = self.frames["design_effects"]
        return pd.DataFrame(
            {
                _col("design", lang): [design_label(x, lang) for x in d["design_size"]],
                _col("measure", lang): [measure_name(m, lang) for m in d["measure"]],
                _col("mean_n", lang): [count(v) for v in d["mean_n"]],
                _col("deff", lang): [ratio(v) for v in d["deff"]],
                _col("assumed_deff", lang): [ratio(v) for v in d["assumed_deff"]],
                _col("se_ratio", lang): [ratio(v) for v in d["se_ratio"]],
            }
        )

    def deff_table(self) -> HtmlBlock:
        """The design effects as a table."""
        frame = self.deff_frame()
        return table(frame, list(frame.columns[2:]))

    def sample_size_frame(self) -> pd.DataFrame:
        """Sample size each design needs for the target OC (simulated sizes and projection)."""
        lang, p = self.lang, self.parameters
        s = self.frames["sample_size"]
        target = _t("target", lang, good=pct(p["good_rate"]), power=pct(p["target_power"], 0))
        return pd.DataFrame(
            {
                _col("design", lang): [design_name(x, lang) for x in s["design"]],
                _col("target", lang): [target] * len(s),
                _col("simulated", lang): list(s["simulated"]),
                _col("smallest_simulated_size", lang): list(s["smallest_simulated_size"]),
                _col("n_stratified", lang): [count(v) for v in s["n_stratified"]],
                _col("deff_at_threshold", lang, threshold=rate_pct(self.threshold)): [
                    ratio(v) for v in s["deff_at_threshold"]
                ],
                _col("projected_n", lang): [count(v) for v in s["projected_n"]],
            }
        )

    def size_needed_words(self) -> HtmlBlock:
        """What the zero-error size and the stratified size needed are."""
        n = self.frames["size_needed"]
        p = self.parameters
        return paragraph(
            "review.para.size_needed",
            self.lang,
            factor=ratio(float(n["size_factor"].iloc[0])),
            good=rate_pct(p["good_rate"]),
            power=pct(p["target_power"], 0),
        )

    def size_needed_frame(self) -> pd.DataFrame:
        """Per scenario: the zero-error sizes and the stratified size the target needs."""
        lang = self.lang
        n = self.frames["size_needed"]
        return pd.DataFrame(
            {
                _col("scenario", lang): [
                    scenario_name(c, g, lang)
                    for c, g in zip(n["scenario"], n["size_risk"], strict=True)
                ],
                _col("n_zero_persons", lang): [count(v) for v in n["n_zero_persons"]],
                _col("n_zero_households", lang): [count(v) for v in n["n_zero_households"]],
                _col("n_needed", lang): [count(v) for v in n["n_needed"]],
                _col("p_credible_needed", lang): [
                    f"{pct(p)} ± {pct(e)}" for p, e in zip(n["p_credible"], n["mc_se"], strict=True)
                ],
            }
        )

    def size_needed_table(self) -> HtmlBlock:
        """The sizes the verdict rule needs as a table."""
        frame = self.size_needed_frame()
        return table(frame, list(frame.columns[1:]))

    def sample_size_table(self) -> HtmlBlock:
        """The sample sizes needed as a table."""
        frame = self.sample_size_frame()
        return table(frame, list(frame.columns[3:]))

    # ----------------------------------------------------------------- sensitivity
    def sensitivity_frame(self, name: str, rate: float | None = None) -> pd.DataFrame:
        """The measurement-error or non-response table at one true rate (the threshold unless
        named), formatted, with headers in the report language."""
        lang = self.lang
        rate = self.threshold if rate is None else rate
        t = self.frames[name]
        t = t[np.isclose(t["rate"], rate)].drop(columns=["rate"]).reset_index(drop=True)
        out = pd.DataFrame(index=t.index)
        for c in t.columns:
            if c.startswith(SENSITIVITY_PCT):
                out[c] = [pct(v, 2) for v in t[c]]
            elif c == "measurement_sd":
                out[c] = [ratio(v) for v in t[c]]
            else:
                out[c] = [number(v, 1) for v in t[c]]
        method = self.default_method
        names = {c: _col(c, lang, method=method) if c == "coverage" else _col(c, lang)
                 for c in out.columns}  # fmt: skip
        return out.rename(columns=names)

    def sensitivity_table(self, name: str) -> HtmlBlock:
        """One sensitivity analysis at the threshold rate as a table."""
        frame = self.sensitivity_frame(name)
        return table(frame, list(frame.columns))

    # ----------------------------------------------------------------- appendix
    def parameters_table(self) -> HtmlBlock:
        """Every recorded parameter of the review (for reproducing it)."""
        lang = self.lang
        params = self.parameters
        frame = pd.DataFrame(
            {
                _col("parameter", lang): list(params),
                _col("value", lang): [_value(v) for v in params.values()],
            }
        )
        return table(frame)


def build(folder: str | os.PathLike[str], lang: str = "zh") -> list[HtmlBlock]:
    """The blocks of the report of a review folder (or its review.json)."""
    return ReviewReport.load(folder, lang).blocks()
