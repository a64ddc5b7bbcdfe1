"""The district summary report (区县汇总报告), built from ``district.json``.

:class:`DistrictReport` loads the district folder's :class:`~data_contracts.records.DistrictRecord`
and turns it into report blocks: the title, a warning when the townships come from different
counties, the district verdict box (the headline: the district wrong-exit rate with the townships
as strata as judged by the verdict module, then one sentence counting the townships by verdict and
naming every not-credible one), then the township table with the wrong-exit and approval forest
plots, the exited key villages (by name), the townships needing follow-up with their reasons and
the townships missing from the summary. Every word comes from the message catalogue (topic
``district``), every number from the record; nothing here computes a statistic. The notebook
``district_summary.ipynb`` displays the same blocks, so the Jupyter path and the command line
show the same report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_contracts.messages import check_lang, label, text
from data_contracts.records import (
    TOWNSHIP_VERDICTS,
    DistrictRecord,
    FollowUpReason,
    MissingTownship,
    TownshipFollowUp,
    read_record,
)
from reports import figures
from reports.blocks import HtmlBlock, box, column_header, esc, heading, table
from reports.formatting import interval, level_pct, pct
from reports.page import figure
from reports.verdict_text import indicator_name, village_verdict

SECTIONS = ("townships", "rates", "villages", "follow_up", "missing")


def _t(key: str, lang: str, **params: object) -> str:
    return text(f"district.{key}", lang, **params)


def _col(key: str, lang: str, level: float | None = None) -> str:
    """A column header of this report (``column_header``)."""
    return column_header("district", key, lang, level)


def reason_text(reason: FollowUpReason, villages: dict[str, str], lang: str) -> str:
    """One follow-up reason in words (its indicators by name, its numbers formatted)."""
    names = _t("list_separator", lang).join(
        indicator_name(ref, villages, lang) for ref in reason.indicators
    )
    code = reason.code
    follow = reason.follow_up
    if code == "inconclusive" and follow is not None:
        key = f"reason.inconclusive_{follow.code}"
        if follow.village_id is None:
            return _t(key, lang, indicators=names, households=follow.households)
        village = villages.get(follow.village_id, follow.village_id)
        return _t(f"{key}_village", lang, indicators=names, households=follow.households,
                  village=village)  # fmt: skip
    if code == "nonresponse":
        return _t("reason.nonresponse", lang, share=pct(reason.value, 0))
    if code == "over_reporting":
        return _t("reason.over_reporting", lang, share=pct(reason.value))
    return _t(f"reason.{code}", lang, indicators=names)


def townships_sentence(record: DistrictRecord, lang: str) -> str:
    """The headline's count of township verdicts in one sentence: N credible, M inconclusive,
    K not credible with every one named (never cut), or plainly none; then any other code."""
    counts = record.township_verdicts
    others = "".join(
        _t("box.townships_other", lang, count=count, verdict=label("verdict", code, lang))
        for code, count in counts.items()
        if code not in TOWNSHIP_VERDICTS and count
    )
    names = _t("list_separator", lang).join(record.not_credible_townships)
    return _t(
        "box.townships" if record.not_credible_townships else "box.townships_none",
        lang,
        **{code: counts.get(code, 0) for code in TOWNSHIP_VERDICTS},
        names=names,
        others=others,
    )


def missing_name(item: MissingTownship) -> str:
    """A missing township's name; its run folder's name when the township is not known."""
    return item.township or Path(item.run).name


@dataclass(frozen=True)
class DistrictReport:
    """The district summary's report: its record, ready to be shown in ``lang``."""

    record: DistrictRecord
    lang: str = "zh"

    def __post_init__(self) -> None:
        check_lang(self.lang)
        figures.use_report_style()  # idempotent: SVG text as text, CJK fonts, no glyph warnings

    @classmethod
    def load(cls, folder: str | os.PathLike[str], lang: str = "zh") -> DistrictReport:
        """Read ``district.json`` from a district folder (or the file itself); RecordError
        names the file when it is missing or invalid."""
        path = Path(folder)
        if path.is_dir() or path.name != DistrictRecord.FILE:
            path = path / DistrictRecord.FILE
        check_lang(lang)
        return cls(read_record(path, DistrictRecord), lang)

    @property
    def level(self) -> float:
        """The confidence level of the district verdict (and the townships' intervals)."""
        return self.record.level

    @property
    def counties(self) -> list[str]:
        """The distinct counties named by the townships, in order of appearance."""
        return list(dict.fromkeys(t.county for t in self.record.townships if t.county))

    def village_names(self, township: str) -> dict[str, str]:
        """Village ID → name for the exited key villages of ``township``."""
        return {
            v.village.village_id: v.village.village
            for v in self.record.villages
            if v.township == township
        }

    def __repr__(self) -> str:
        r = self.record
        return (
            f"DistrictReport({len(r.townships)} townships: {r.verdict.statistical}, "
            f"{len(r.missing)} missing, {self.lang})"
        )

    # ----------------------------------------------------------------- the report
    def blocks(self) -> list[HtmlBlock]:
        """Every block of the report, in order (what the notebook shows cell by cell)."""
        out = [self.title(), self.county_warning(), self.verdict_box()]
        for key in SECTIONS:
            out.extend(self.section(key))
        return [b for b in out if b]

    def section(self, key: str) -> list[HtmlBlock]:
        """The blocks of one section (``SECTIONS``), heading first; empty when it has none."""
        parts = {
            "townships": [self.township_table],
            "rates": [self.wrong_exit_figure, self.approval_figure],
            "villages": [self.village_table],
            "follow_up": [self.follow_up_table],
            "missing": [self.missing_table],
        }[key]
        if key == "missing" and not self.record.missing:
            return []
        blocks = [make() for make in parts]
        blocks = [b for b in blocks if b]
        if not blocks:
            return []
        return [heading(f"district.section.{key}", self.lang), *blocks]

    def title(self) -> HtmlBlock:
        """The report's ``<h1>`` (with the county when the townships name one)."""
        r, lang = self.record, self.lang
        count = len(r.townships)
        if r.county:
            words = _t("title_county", lang, county=r.county, count=count)
        else:
            words = _t("title", lang, count=count)
        return HtmlBlock(f"<h1>{esc(words)}</h1>")

    def county_warning(self) -> HtmlBlock:
        """A warning when the townships belong to different counties ('' otherwise)."""
        counties = self.counties
        if len(counties) < 2:
            return HtmlBlock("")
        listed = _t("list_separator", self.lang).join(counties)
        words = _t("counties_differ", self.lang, counties=listed)
        return box(f"<p>{esc(words)}</p>", "warning")

    def verdict_box(self) -> HtmlBlock:
        """The headline: the district wrong-exit rate (townships as strata) against the
        standard with the verdict, then the townships counted by verdict (not credible named)."""
        r, lang = self.record, self.lang
        ind, est = r.wrong_exit_indicator, r.wrong_exit_indicator.estimate
        level = level_pct(est.level)
        threshold = pct(ind.threshold, 0)
        headline = _t(
            "box.headline",
            lang,
            estimate=pct(est.estimate),
            level=level,
            ci=interval(est.ci_low, est.ci_high),
            upper=pct(est.upper_bound),
            threshold=threshold,
            verdict=label("verdict", r.verdict.statistical, lang),
        )
        result = _t("pass" if ind.official_pass else "fail", lang)
        lines = [
            townships_sentence(r, lang),
            _t("box.official", lang, threshold=threshold, result=result),
        ]
        follow = r.verdict.follow_up
        if follow is not None:
            lines.append(_t(f"box.{follow.code}", lang, households=follow.households))
        hh = r.wrong_exit_rate_households
        lines.append(
            _t("box.households", lang, estimate=pct(hh.estimate), level=level_pct(hh.level),
               ci=interval(hh.ci_low, hh.ci_high))
        )  # fmt: skip
        if r.approval_rate is not None:
            a = r.approval_rate
            lines.append(
                _t("box.approval", lang, estimate=pct(a.estimate), level=level_pct(a.level),
                   ci=interval(a.ci_low, a.ci_high))
            )  # fmt: skip
        lines.append(_t("box.bounds", lang, level=level))
        inner = f'<p class="headline">{esc(headline)}</p>' + "".join(
            f"<p>{esc(line)}</p>" for line in lines
        )
        return box(inner, f"verdict {r.verdict.statistical}")

    def township_table(self) -> HtmlBlock:
        """Townships with their verdicts and headline indicators."""
        lang, level = self.lang, self.level
        columns = {
            "township": _col("township", lang),
            "version": _col("version", lang),
            "verdict": _col("verdict", lang),
            "official": _col("official", lang),
            "wrong": _col("wrong_exit", lang),
            "wrong_ci": _col("wrong_exit_ci", lang, level),
            "approval": _col("approval", lang),
            "procedure": _col("procedure", lang),
            "villages": _col("key_villages", lang),
            "interviewed": _col("interviewed", lang),
        }
        rows = []
        for t in self.record.townships:
            w = t.wrong_exit_rate
            rows.append(
                {
                    columns["township"]: t.township,
                    columns["version"]: t.version or None,
                    columns["verdict"]: label("verdict", t.verdict, lang),
                    columns["official"]: _t("pass" if t.official_pass else "fail", lang),
                    columns["wrong"]: pct(w.estimate),
                    columns["wrong_ci"]: interval(w.ci_low, w.ci_high),
                    columns["approval"]: pct(None if t.approval_rate is None
                                             else t.approval_rate.estimate),
                    columns["procedure"]: pct(t.procedure_compliance),
                    columns["villages"]: f"{t.exited_key_villages} ({t.villages_not_credible})",
                    columns["interviewed"]: f"{t.interviewed} / {t.planned}",
                }
            )  # fmt: skip
        numeric = [columns[k] for k in ("wrong", "wrong_ci", "approval", "procedure",
                                        "villages", "interviewed")]  # fmt: skip
        return table(pd.DataFrame(rows, columns=list(columns.values())), numeric)

    def _forest_frame(self, approval: bool) -> pd.DataFrame:
        rows = []
        for t in self.record.townships:
            e = t.approval_rate if approval else t.wrong_exit_rate
            if e is None or e.estimate is None or e.ci_low is None or e.ci_high is None:
                continue
            rows.append((t.township, e.estimate, e.ci_low, e.ci_high))
        return pd.DataFrame(rows, columns=["township", "estimate", "ci_low", "ci_high"])

    def wrong_exit_figure(self) -> HtmlBlock:
        """Each township's wrong-exit rate with its interval, against the standard."""
        frame = self._forest_frame(approval=False)
        if frame.empty:
            return HtmlBlock("")
        threshold = self.record.wrong_exit_indicator.threshold
        return figure(
            figures.forest_plot(
                frame,
                label="township",
                threshold=threshold,
                threshold_label=_t("figure.standard", self.lang, threshold=pct(threshold, 0)),
                title=_t("figure.wrong_exit", self.lang, level=level_pct(self.level)),
            )
        )

    def approval_figure(self) -> HtmlBlock:
        """Each township's public approval with its interval, against the standard."""
        frame = self._forest_frame(approval=True)
        if frame.empty:
            return HtmlBlock("")
        threshold = self.record.approval_threshold
        standard = (
            "" if threshold is None
            else _t("figure.standard", self.lang, threshold=pct(threshold, 0))
        )  # fmt: skip
        return figure(
            figures.forest_plot(
                frame,
                label="township",
                threshold=threshold,
                threshold_label=standard,
                higher_is_better=True,
                title=_t("figure.approval", self.lang, level=level_pct(self.level)),
            )
        )

    def village_table(self) -> HtmlBlock:
        """Every exited key village of the district, by name, with its incidence verdict."""
        lang, level = self.lang, self.level
        if not self.record.villages:
            return HtmlBlock(f"<p>{esc(_t('no_villages', lang))}</p>")
        columns = [
            _col("township", lang),
            _col("village", lang),
            _col("registry_incidence", lang),
            _col("estimate_incidence", lang),
            _col("ci", lang, level),
            _col("verified_incidence", lang),
            _col("verdict", lang),
        ]
        rows = [
            (
                v.township,
                v.village.village,
                pct(v.village.registry_incidence),
                pct(v.indicator.estimate.estimate),
                interval(v.indicator.estimate.ci_low, v.indicator.estimate.ci_high),
                pct(v.village.verified_incidence),
                village_verdict(v.indicator, v.village, lang),
            )
            for v in self.record.villages
        ]
        return table(pd.DataFrame(rows, columns=columns), columns[2:6])

    def follow_up_reasons(self, item: TownshipFollowUp) -> str:
        """Every reason a township needs follow-up, in words."""
        names = self.village_names(item.township)
        sep = _t("reason_separator", self.lang)
        return sep.join(reason_text(r, names, self.lang) for r in item.reasons)

    def follow_up_table(self) -> HtmlBlock:
        """The townships needing follow-up, their verdicts and why."""
        lang = self.lang
        if not self.record.follow_up:
            return HtmlBlock(f"<p>{esc(_t('no_follow_up', lang))}</p>")
        columns = [_col("township", lang), _col("verdict", lang), _col("reasons", lang)]
        rows = [
            (f.township, label("verdict", f.verdict, lang), self.follow_up_reasons(f))
            for f in self.record.follow_up
        ]
        return table(pd.DataFrame(rows, columns=columns))

    def missing_table(self) -> HtmlBlock:
        """The township runs given without a usable finished assessment, by township name."""
        lang = self.lang
        if not self.record.missing:
            return HtmlBlock("")
        columns = [_col("township", lang), _col("run", lang), _col("missing_reason", lang)]
        rows = [
            (missing_name(m), m.run, _t(f"missing.{m.reason}", lang)) for m in self.record.missing
        ]
        return table(pd.DataFrame(rows, columns=columns))


def build(folder: str | os.PathLike[str], lang: str = "zh") -> list[HtmlBlock]:
    """The blocks of the report of a district folder (the one holding ``district.json``)."""
    return DistrictReport.load(folder, lang).blocks()
