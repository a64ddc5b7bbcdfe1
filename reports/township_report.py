"""The township assessment report (乡镇评估报告), built from its version folder's records.

:class:`TownshipReport` loads ``results.json`` (:class:`~data_contracts.records.ResultsRecord`),
the analysis units (``units.parquet``, for the figures), ``inputs.json`` and ``changes.json`` and
turns them into report blocks: the verdict first, then the sample, wrong exits, income, villages,
procedure and an appendix with methods, parameters and inputs. Every word comes from the message
catalogue (topic ``township``), every number from a record; nothing here computes a statistic.
The notebook ``assess_township.ipynb`` displays the same blocks, so the Jupyter path and the
command line show the same report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_contracts.columns import spec
from data_contracts.messages import check_lang, has, label, text
from data_contracts.records import (
    ChangesRecord,
    Estimate,
    IndicatorRef,
    InputsRecord,
    ResultsRecord,
    read_record,
)
from evaluation.income import UNDER_VERIFIED
from reports import figures
from reports.blocks import HtmlBlock, box, column_header, esc, heading, subheading, table
from reports.formatting import DASH, interval, level_pct, money, number, p_value, pct, ratio
from reports.page import asset, figure
from reports.verdict_text import indicator_name, verdict_reason, village_verdict

UNITS = "units.parquet"
SECTIONS = ("sample", "wrong_exits", "income", "villages", "procedure", "appendix")


def _t(key: str, lang: str, **params: object) -> str:
    return text(f"township.{key}", lang, **params)


def _col(key: str, lang: str, level: float | None = None) -> str:
    """A column header of this report (``column_header``)."""
    return column_header("township", key, lang, level)


def indicator_frame(results: ResultsRecord, lang: str) -> pd.DataFrame:
    """The indicators against their thresholds, formatted (one row each, village rows by name)."""
    names = {v.village_id: v.village for v in results.villages}
    level = results.parameters.level
    rows = [
        {
            _col("indicator", lang): indicator_name(i, names, lang),
            _col("estimate", lang): pct(i.estimate.estimate),
            _col("ci", lang, level): DASH
            if i.estimate.method == "census"
            else interval(i.estimate.ci_low, i.estimate.ci_high),
            _col("threshold", lang): ("< " if i.direction == "below" else "≥ ")
            + pct(i.threshold, 0),
            _col("official", lang): _t("pass" if i.official_pass else "fail", lang),
            _col("verdict", lang): label("verdict", i.verdict, lang),
        }
        for i in results.indicators
    ]
    return pd.DataFrame(rows)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TownshipReport:
    """One assessment version's report: its records, ready to be shown in ``lang``."""

    results: ResultsRecord
    units: pd.DataFrame
    inputs: InputsRecord | None
    changes: ChangesRecord | None
    lang: str = "zh"

    @classmethod
    def load(cls, folder: str | os.PathLike[str], lang: str = "zh") -> TownshipReport:
        """Read a finished version folder (``results.json``, ``units.parquet``, ``inputs.json``
        and, from the second version on, ``changes.json``)."""
        path = Path(folder)
        results = read_record(path / ResultsRecord.FILE, ResultsRecord)
        inputs_path, changes_path = path / InputsRecord.FILE, path / ChangesRecord.FILE
        inputs = read_record(inputs_path, InputsRecord) if inputs_path.is_file() else None
        changes = read_record(changes_path, ChangesRecord) if changes_path.is_file() else None
        units = pd.read_parquet(path / UNITS)
        return cls(results, units, inputs, changes, lang)

    def __post_init__(self) -> None:
        check_lang(self.lang)
        figures.use_report_style()

    @property
    def level(self) -> float:
        """The confidence level of the assessment."""
        return self.results.parameters.level

    @property
    def village_names(self) -> dict[str, str]:
        """Village ID → name for every village the record knows."""
        names = {v.village_id: v.village for v in self.results.sample_by_village if v.village}
        names.update({v.village_id: v.village for v in self.results.villages})
        return names

    def __repr__(self) -> str:
        r = self.results
        return f"TownshipReport({r.township} {r.version}: {r.verdict.statistical}, {self.lang})"

    # ----------------------------------------------------------------- the report
    def blocks(self) -> list[HtmlBlock]:
        """Every block of the report, in order (what the notebook shows cell by cell)."""
        out = [self.title(), self.what_changed(), self.verdict_box()]
        for key in SECTIONS:
            out.extend(self.section(key))
        return [b for b in out if b]

    def section(self, key: str) -> list[HtmlBlock]:
        """The blocks of one section (``SECTIONS``), heading first."""
        lang = self.lang
        parts: dict[str, list] = {
            "sample": [self.sample_table],
            "wrong_exits": [
                ("scenarios", self.scenario_table),
                ("reasons", self.reasons_table),
                ("follow_up", self.follow_up_table),
            ],
            "income": [
                self.income_verdict,
                self.income_table,
                self.income_scatter,
                self.bland_altman,
                ("discrepancies", self.discrepancy_table),
            ],
            "villages": [self.village_table, ("infrastructure", self.infrastructure_table)],
            "procedure": [self.procedure_table, ("approval", self.approval_table)],
            "appendix": [
                self.methods,
                ("parameters", self.parameters_table),
                ("inputs", self.inputs_table),
                ("versions", self.versions_table),
            ],
        }
        out = [heading(f"township.section.{key}", lang)]
        for part in parts[key]:
            if isinstance(part, tuple):
                caption, make = part
                block = make()
                if block:
                    out += [subheading(f"township.caption.{caption}", lang), block]
            else:
                out.append(part())
        return [b for b in out if b]

    def title(self) -> HtmlBlock:
        """The ``<h1>``: township and version."""
        r = self.results
        key = "title_version" if r.version else "title"
        return HtmlBlock(
            f"<h1>{esc(_t(key, self.lang, township=r.township, version=r.version))}</h1>"
        )

    def verdict_box(self) -> HtmlBlock:
        """The verdict word, the reason, the official reading and the indicator table."""
        r, lang = self.results, self.lang
        word = r.verdict.statistical
        headline = _t("headline", lang, township=r.township, verdict=label("verdict", word, lang))
        official = _t("pass" if r.verdict.official_pass else "fail", lang)
        css = "pass" if r.verdict.official_pass else "fail"
        line = esc(_t("official_line", lang, result="\0")).replace(
            "\0", f'<span class="{css}">{esc(official)}</span>'
        )
        inner = (
            f'<p class="headline">{esc(headline)}</p><p>{esc(verdict_reason(r, lang))}</p>'
            f"<p>{line}</p>{table(indicator_frame(r, lang), numeric=self._numeric(3))}"
            f"{self._bound_note('bound_note')}"
        )
        return box(inner, f"verdict {word}")

    def _bound_note(self, key: str) -> str:
        """The note that a table's intervals are two-sided while a conclusion uses the one-sided
        bounds at the same level (the ends of the two-sided 1 − 2α interval)."""
        two_sided = 1 - 2 * (1 - self.level)
        note = _t(key, self.lang, level=level_pct(self.level), two_sided=level_pct(two_sided))
        return f'<p class="note">{esc(note)}</p>'

    def _numeric(self, k: int) -> list[str]:
        """Headers of the indicator table's numeric columns (the first ``k`` after the label)."""
        lang = self.lang
        return [_col("estimate", lang), _col("ci", lang, self.level), _col("threshold", lang)][:k]

    def what_changed(self) -> HtmlBlock:
        """What changed against the previous version (empty for a first version)."""
        c, lang = self.changes, self.lang
        if c is None or c.previous is None:
            return HtmlBlock("")
        before = label("verdict", c.verdict_before, lang) if c.verdict_before else DASH
        after = label("verdict", c.verdict_after, lang)
        changed = len({f.household_id for f in c.field_changes})
        lines = [
            f"<p><b>{esc(_t('changes.title', lang, previous=c.previous))}</b></p>",
            f"<p>{esc(_t('changes.verdict', lang, before=before, after=after))}</p>",
            "<p>"
            + esc(_t("changes.returns", lang, added=len(c.returns_added), changed=changed,
                     removed=len(c.returns_removed)))
            + "</p>",
        ]  # fmt: skip
        if c.field_changes:
            fields = _frame(
                [
                    {_col("household", lang): f.household_id,
                     _col("field", lang): survey_field(f.field, lang),
                     _col("before", lang): field_value(f.before, lang),
                     _col("after", lang): field_value(f.after, lang)}
                    for f in c.field_changes
                ]
            )  # fmt: skip
            lines += [f"<p>{esc(_t('changes.fields', lang))}</p>", table(fields)]
        names = self.village_names
        if c.indicators:
            moved = _frame(
                [
                    {
                        _col("indicator", lang): indicator_name(
                            IndicatorRef(kind=i.kind, village_id=i.village_id), names, lang
                        ),
                        _col("estimate_before", lang): pct(i.before),
                        _col("estimate_after", lang): pct(i.after),
                        _col("verdict_before", lang): label("verdict", i.verdict_before, lang)
                        if i.verdict_before
                        else DASH,
                        _col("verdict_after", lang): label("verdict", i.verdict_after, lang)
                        if i.verdict_after
                        else DASH,
                    }
                    for i in c.indicators
                ]
            )
            lines.append(table(moved))
        else:
            lines.append(f"<p>{esc(_t('changes.none', lang))}</p>")
        return box("".join(lines), "changes")

    # ----------------------------------------------------------------- 1. sample
    def sample_table(self) -> HtmlBlock:
        """Planned vs interviewed, replacements, refusals, not found and missing, by village."""
        lang = self.lang
        keys = ("planned", "completed", "replacement", "refused", "not_found", "missing",
                "wrong_exits")  # fmt: skip
        rows = [
            {"village": v.village or v.village_id, **{k: getattr(v, k) for k in keys}}
            for v in self.results.sample_by_village
        ]
        frame = _frame(rows)
        total = {"village": _t("total", lang), **{k: int(frame[k].sum()) for k in keys}}
        frame = pd.concat([frame, _frame([total])], ignore_index=True)
        headers = {"village": _col("village", lang), **{k: _col(k, lang) for k in keys}}
        return table(frame.rename(columns=headers), numeric=[headers[k] for k in keys])

    # ----------------------------------------------------------------- 2. wrong exits
    def scenario_table(self) -> HtmlBlock:
        """错退率 by persons and households under each scenario (borderline, non-response)."""
        lang, level = self.lang, self.level
        rows = [
            {
                _col("unit", lang): _t(f"unit.{s.unit}", lang),
                _col("scenario", lang): _t(f"scenario.{s.scenario}", lang),
                _col("rate", lang): pct(s.estimate.estimate),
                _col("ci", lang, level): interval(s.estimate.ci_low, s.estimate.ci_high),
                _col("upper_bound", lang, level): pct(s.estimate.upper_bound),
                _col("households", lang): s.estimate.n,
            }
            for s in self.results.scenarios
        ]
        numeric = [_col("rate", lang), _col("ci", lang, level), _col("upper_bound", lang, level),
                   _col("households", lang)]  # fmt: skip
        return table(_frame(rows), numeric)

    def reasons_table(self) -> HtmlBlock:
        """Why exits were wrong: households and estimated share of exited persons per reason."""
        lang, level = self.lang, self.level
        rows = [
            {
                _col("reason", lang): _t(f"reason.{r.reason}", lang),
                _col("wrong_households", lang): r.households,
                _col("persons_share", lang): pct(r.persons_share.estimate),
                _col("ci", lang, level): interval(r.persons_share.ci_low, r.persons_share.ci_high),
            }
            for r in self.results.reasons
        ]
        numeric = [_col("wrong_households", lang), _col("persons_share", lang),
                   _col("ci", lang, level)]  # fmt: skip
        return table(_frame(rows), numeric)

    def follow_up_table(self) -> HtmlBlock:
        """Households to revisit and why (household IDs only: no names, ID numbers or phones)."""
        lang = self.lang
        sep = _t("list_sep", lang)
        rows = [
            {
                _col("household", lang): f.household_id,
                _col("village", lang): f.village or f.village_id,
                _col("why", lang): sep.join(_t(f"follow_up.{c}", lang) for c in f.reasons),
                _col("outcome", lang): _t(f"outcome.{f.outcome}", lang),
                _col("reported_income", lang): money(f.income_per_capita),
                _col("surveyed_income", lang): money(f.surveyed_income_per_capita),
                _col("poverty_line", lang): money(f.poverty_line),
                _col("wrong_reasons", lang): sep.join(
                    _t(f"reason.{c}", lang) for c in f.wrong_exit_reasons
                ),
            }
            for f in self.results.follow_up
        ]
        if not rows:
            return HtmlBlock("")
        numeric = [_col(k, lang) for k in ("reported_income", "surveyed_income", "poverty_line")]
        return table(_frame(rows), numeric)

    # ----------------------------------------------------------------- 3. income
    def income_verdict(self) -> HtmlBlock:
        """The income conclusion in words (收入高报结论): the over-reported share against the
        tolerated share and the signed-rank test, then the verification factor as context (WHO
        data-quality review: below 0.90 = over-reporting in total). Numbers as in the table."""
        inc, lang = self.results.income, self.lang
        share, vf = inc.over_reported_share, inc.verification_factor
        test = _t(
            "income.test.rejects" if inc.signed_rank.rejects else "income.test.not_rejects",
            lang,
            p=p_value(inc.signed_rank.p_value, lang),
            alpha=level_pct(1 - self.level),
        )
        conclusion = _t(
            f"income.conclusion.{inc.conclusion}",
            lang,
            share=pct(share.estimate),
            lower=pct(share.lower_bound),
            upper=pct(share.upper_bound),
            threshold=pct(inc.over_report_threshold, 0),
            tolerated=pct(inc.tolerated_share, 0),
            level=level_pct(self.level),
            test=test,
        )
        context = _t(
            "income.factor_context." + ("below" if vf.over_reporting_flag else "not_below"),
            lang,
            factor=ratio(vf.estimate.estimate, 3),
            limit=ratio(UNDER_VERIFIED),
        )
        return HtmlBlock(f"<p>{esc(conclusion)}</p><p>{esc(context)}</p>")

    def income_table(self) -> HtmlBlock:
        """Design-based income summaries and the agreement of reported with surveyed income."""
        inc, lang, level = self.results.income, self.lang, self.level
        loa = inc.limits_of_agreement

        def money_ci(e: Estimate) -> str:
            return f"{money(e.ci_low)} – {money(e.ci_high)}"

        vf = inc.verification_factor.estimate
        rows = [
            (_t("income.mean_difference", lang), money(inc.mean_difference.estimate),
             money_ci(inc.mean_difference)),
            (_t("income.verification_factor", lang), ratio(vf.estimate, 3),
             f"{ratio(vf.ci_low, 3)} – {ratio(vf.ci_high, 3)}"),
            (_t("income.over_reported_share", lang, threshold=pct(inc.over_report_threshold, 0)),
             pct(inc.over_reported_share.estimate),
             interval(inc.over_reported_share.ci_low, inc.over_reported_share.ci_high)),
            (_t("income.limits", lang, level=level_pct(loa.level)), ratio(loa.ratio_bias, 3),
             f"{ratio(loa.ratio_lower, 3)} – {ratio(loa.ratio_upper, 3)}"),
            (_t("income.signed_rank", lang), p_value(inc.signed_rank.p_value, lang), ""),
        ]  # fmt: skip
        columns = [_col("measure", lang), _col("estimate", lang), _col("interval", lang, level)]
        return HtmlBlock(
            table(pd.DataFrame(rows, columns=columns), columns[1:])
            + self._bound_note("income.bound_note")
        )

    def _income_points(self) -> pd.DataFrame:
        u = self.units
        return u.loc[u["responded"].astype(bool)]

    def income_scatter(self) -> HtmlBlock:
        """Reported against surveyed income per interviewed household (wrong exits in red)."""
        points = self._income_points()
        if points.empty:
            return HtmlBlock("")
        return figure(
            figures.income_scatter(
                points,
                wrong="wrong_exit",
                poverty_line=self.results.income.typical_poverty_line,
                lang=self.lang,
            )
        )

    def bland_altman(self) -> HtmlBlock:
        """Agreement of reported and surveyed income (log scale) with the limits of agreement."""
        points = self._income_points()
        loa = self.results.income.limits_of_agreement
        if points.empty or loa.bias is None:
            return HtmlBlock("")
        return figure(
            figures.bland_altman(
                points,
                bias=loa.bias,
                limits=(loa.lower, loa.upper),
                level=loa.level,
                lang=self.lang,
            )
        )

    def discrepancy_table(self) -> HtmlBlock:
        """The households with the largest reported-vs-surveyed income discrepancies."""
        lang = self.lang
        rows = [
            {
                _col("household", lang): d.household_id,
                _col("reported_income", lang): money(d.reported),
                _col("surveyed_income", lang): money(d.surveyed),
                _col("ratio", lang): ratio(d.ratio),
            }
            for d in self.results.income.discrepancies
        ]
        if not rows:
            return HtmlBlock("")
        numeric = [_col(k, lang) for k in ("reported_income", "surveyed_income", "ratio")]
        return table(_frame(rows), numeric)

    # ----------------------------------------------------------------- 4. villages
    def village_table(self) -> HtmlBlock:
        """Exited key villages: registry and verified incidence, the village's own sample and
        wrong-exit rate, the comprehensive incidence and its verdict (未核查 with its reason)."""
        lang, level, r = self.lang, self.level, self.results
        rows = []
        for v in r.villages:
            ind = r.indicator("village_incidence", v.village_id)
            e = ind.estimate if ind else None
            census = e is not None and e.method == "census"
            rows.append(
                {
                    _col("village", lang): v.village,
                    _col("registry_incidence", lang): pct(v.registry_incidence),
                    _col("verified_incidence", lang): pct(v.verified_incidence),
                    _col("village_sample", lang): f"{v.interviewed}/{v.frame_households}",
                    _col("wrong_households", lang): v.wrong_households,
                    _col("village_rate", lang): pct(v.wrong_exit_rate.estimate),
                    _col("wrong_exit_persons", lang): number(v.wrong_exit_persons, 1),
                    _col("comprehensive", lang): pct(e.estimate if e else None),
                    _col("ci", lang, level): DASH
                    if e is None or census
                    else interval(e.ci_low, e.ci_high),
                    _col("verdict", lang): village_verdict(ind, v, lang),
                }
            )
        if not rows:
            return HtmlBlock("")
        frame = _frame(rows)
        return table(frame, list(frame.columns[1:-1]))

    def infrastructure_table(self) -> HtmlBlock:
        """Infrastructure and public-service checklist per village: registry / verified."""
        lang = self.lang
        items = self.results.infrastructure
        if not items:
            return HtmlBlock("")
        yes, no = _t("yes", lang), _t("no", lang)

        def mark(value: bool | None) -> str:
            return DASH if value is None else yes if value else no

        names = self.village_names
        first = _col("infrastructure_village", lang)
        cells = _frame(
            [
                {first: names.get(i.village_id, i.village_id),
                 "item": _t(f"infrastructure.{i.item}", lang),
                 "cell": f"{mark(i.registry)} / {mark(i.verified)}"}
                for i in items
            ]
        )  # fmt: skip
        wide = cells.pivot(index=first, columns="item", values="cell").reset_index()
        wide.columns.name = None
        return table(wide)

    # ----------------------------------------------------------------- 5. procedure, approval
    def procedure_table(self) -> HtmlBlock:
        """Procedure compliance of exited households and villages (a census of the registry)."""
        lang, p = self.lang, self.results.parameters
        days = {"notice_too_short": p.notice_days, "announcement_too_short": p.announce_days}
        codes = ("notice_too_short", "announcement_too_short", "steps_out_of_order",
                 "dates_incomplete", "acknowledgement_missing")  # fmt: skip
        rows = []
        for proc in self.results.procedure:
            row = {
                _col("procedure_unit", lang): _t(f"unit.{proc.unit}", lang),
                _col("assessed", lang): proc.assessed,
                _col("compliant", lang): proc.compliant,
                _col("compliance_rate", lang): pct(proc.rate),
            }
            for code in codes:
                header = text(f"township.violation.{code}", lang, days=days.get(code, ""))
                row[header] = proc.violations.get(code)
            rows.append(row)
        if not rows:
            return HtmlBlock("")
        frame = _frame(rows)
        return table(frame, list(frame.columns[1:]))

    def approval_table(self) -> HtmlBlock:
        """群众认可度 and the household acknowledgement rate with intervals."""
        lang, level, r = self.lang, self.level, self.results
        approval = r.indicator("approval_rate")
        named = [
            ("approval.approval_rate", approval.estimate if approval else None),
            ("approval.acknowledgement", r.acknowledgement),
        ]
        rows = [
            {
                _col("measure", lang): _t(key, lang),
                _col("estimate", lang): pct(e.estimate),
                _col("ci", lang, level): interval(e.ci_low, e.ci_high),
                _col("households", lang): e.n,
            }
            for key, e in named
            if e is not None
        ]
        if not rows:
            return HtmlBlock("")
        numeric = [_col("estimate", lang), _col("ci", lang, level), _col("households", lang)]
        return table(_frame(rows), numeric)

    # ----------------------------------------------------------------- appendix
    def methods(self) -> HtmlBlock:
        """The methods appendix in plain words with the formulas (``reports/assets``)."""
        return HtmlBlock(asset(f"methods.{self.lang}.html"))

    def parameters_table(self) -> HtmlBlock:
        """Every assessment parameter (thresholds, level, interval method, design, seed), each
        named and its value formatted for readers (rates as percentages, codes in words)."""
        lang = self.lang
        params = self.results.parameters.model_dump()
        frame = pd.DataFrame(
            {
                _col("parameter", lang): [text(f"parameter.name.{k}", lang) for k in params],
                _col("value", lang): [parameter_value(k, v, lang) for k, v in params.items()],
            }
        )
        return table(frame)

    def inputs_table(self) -> HtmlBlock:
        """Input files with their SHA-256 (from inputs.json), so the report can be reproduced."""
        if self.inputs is None:
            return HtmlBlock("")
        lang = self.lang
        files = self.inputs.files
        frame = pd.DataFrame(
            {
                _col("input", lang): [
                    text(f"parameter.input.{k}", lang) if has(f"parameter.input.{k}") else k
                    for k in files
                ],
                _col("file", lang): [f.file for f in files.values()],
                "SHA-256": [f.sha256 for f in files.values()],
            }
        )
        return table(frame)

    def versions_table(self) -> HtmlBlock:
        """Software versions recorded in inputs.json."""
        if self.inputs is None:
            return HtmlBlock("")
        lang, versions = self.lang, self.inputs.versions
        frame = pd.DataFrame(
            {_col("package", lang): list(versions), _col("version", lang): list(versions.values())}
        )
        return table(frame)


def survey_field(name: str, lang: str) -> str:
    """A survey column as a reader names it: the contract's Chinese header (核实住房安全有保障), in
    English its name in words ("verified housing secure"); never the code identifier."""
    headers = {c.name: c.header for c in spec("survey")}
    if lang == "zh" and name in headers:
        return headers[name]
    return name.replace("_", " ")


def field_value(value: str | None, lang: str) -> str:
    """A changed survey value as recorded in changes.json, booleans in words (是/否)."""
    words = {"True": "yes", "False": "no"}
    return _t(words[value], lang) if value in words else DASH if value is None else value


def parameter_value(name: str, value: object, lang: str) -> str:
    """One assessment parameter's value as a reader reads it: a rate as a percentage without
    needless decimals (0.02 → "2%"), a coded choice in words, days as days, the seed as is."""
    if name in ("interval_method", "lonely_psu"):
        return text(f"parameter.{name}.{value}", lang)
    if name == "design":
        return text(f"sampling_report.design.{value}", lang)
    if name.endswith("_days"):
        return text("parameter.days", lang, n=value)
    if name == "seed":
        return str(value)
    return level_pct(value)


def build(folder: str | os.PathLike[str], lang: str = "zh") -> list[HtmlBlock]:
    """The blocks of the report of a finished version folder."""
    return TownshipReport.load(folder, lang).blocks()
