"""Display pieces of the reports (报告展示): the verdict box, indicator tables, "what changed".

They read the ``results.json`` dict of an assessment (``assess_township(...).to_results()``), so
the township report, the district summary and the version comparison all show the same numbers.
Everything returns either a DataFrame with readable headers or an :class:`HtmlBlock` that a
notebook displays as HTML; nothing here computes statistics.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.verdict import VERDICTS_ZH

INDICATOR_LABELS: dict[str, tuple[str, str]] = {
    "wrong_exit_rate": ("错退率（按人口）", "Wrong-exit rate (persons)"),
    "wrong_exit_rate_households": ("错退率（按户）", "Wrong-exit rate (households)"),
    "approval_rate": ("群众认可度", "Public approval"),
    "village_incidence": ("贫困发生率", "Poverty incidence"),
    "procedure_compliance": ("程序合规率", "Procedure compliance"),
}
VERDICTS_EN = {
    "credible": "credible",
    "inconclusive": "inconclusive",
    "not_credible": "not credible",
}
HEADERS = {
    "zh": {
        "indicator": "指标",
        "estimate": "估计值",
        "ci": "95%置信区间",
        "threshold": "标准",
        "official": "官方口径",
        "verdict": "统计结论",
        "pass": "达标",
        "fail": "不达标",
    },
    "en": {
        "indicator": "Indicator",
        "estimate": "Estimate",
        "ci": "95% CI",
        "threshold": "Standard",
        "official": "Official rule",
        "verdict": "Statistical verdict",
        "pass": "pass",
        "fail": "fail",
    },
}


class HtmlBlock(str):
    """A piece of HTML that Jupyter displays as HTML (and prints as its source elsewhere)."""

    def _repr_html_(self) -> str:
        return str(self)


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """The verdict in the report language (可信 / 尚无定论 / 不可信)."""
    table = VERDICTS_EN if _lang(lang) == "en" else VERDICTS_ZH
    return table.get(verdict, verdict)


def pct(value: float | None, digits: int = 1) -> str:
    """A proportion as a percentage string; blank for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{100 * value:.{digits}f}%"


def _indicator_items(results: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(key, qualifier, indicator dict) for every indicator, villages expanded one per row."""
    items: list[tuple[str, str, Mapping[str, Any]]] = []
    for key, value in results.get("indicators", {}).items():
        if isinstance(value, Mapping) and "estimate" in value:
            items.append((key, "", value))
            continue
        villages = value.values() if isinstance(value, Mapping) else value or []
        for entry in villages:
            qualifier = str(entry.get("village") or entry.get("village_id") or "")
            items.append((key, qualifier, entry))
    return items


def indicator_frame(results: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """Machine-readable indicator rows: key, label, estimate, ci_low, ci_high, threshold, …"""
    col = 0 if _lang(lang) == "zh" else 1
    rows = []
    for key, qualifier, ind in _indicator_items(results):
        label = INDICATOR_LABELS.get(key, (key, key))[col]
        rows.append(
            {
                "key": key,
                "label": f"{label}（{qualifier}）"
                if qualifier and col == 0
                else f"{label} ({qualifier})"
                if qualifier
                else label,
                "estimate": ind.get("estimate"),
                "ci_low": ind.get("ci_low"),
                "ci_high": ind.get("ci_high"),
                "threshold": ind.get("threshold"),
                "direction": ind.get(
                    "direction",
                    "at_least" if key.startswith(("approval", "procedure")) else "below",
                ),
                "official_pass": ind.get("official_pass"),
                "verdict": ind.get("verdict"),
                "additional_n": ind.get("additional_n"),
            }
        )
    columns = [
        "key",
        "label",
        "estimate",
        "ci_low",
        "ci_high",
        "threshold",
        "direction",
        "official_pass",
        "verdict",
        "additional_n",
    ]
    return pd.DataFrame(rows, columns=columns)


def indicator_table(results: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """The indicators against their thresholds, formatted for the report (one row each)."""
    h = HEADERS[_lang(lang)]
    frame = indicator_frame(results, lang)
    sign = np.where(frame["direction"].eq("below"), "< ", "≥ ")
    return pd.DataFrame(
        {
            h["indicator"]: frame["label"],
            h["estimate"]: frame["estimate"].map(pct),
            h["ci"]: [
                f"{pct(lo)} – {pct(hi)}"
                for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
            ],
            h["threshold"]: sign + frame["threshold"].map(lambda t: pct(t, 0)),
            h["official"]: frame["official_pass"].map(lambda p: h["pass"] if p else h["fail"]),
            h["verdict"]: frame["verdict"].map(lambda v: verdict_label(v, lang)),
        }
    )


def _overall(results: Mapping[str, Any]) -> Mapping[str, Any]:
    """The township verdict as a dict (results may hold a dict or just the verdict word)."""
    verdict = results.get("verdict", {})
    return verdict if isinstance(verdict, Mapping) else {"statistical": str(verdict)}


def _indicator_names(results: Mapping[str, Any], names: list[str], lang: str) -> str:
    """Readable labels for verdict indicator names (``village_incidence:<id>`` → village name)."""
    col = 0 if _lang(lang) == "zh" else 1
    villages = (results.get("indicators") or {}).get("village_incidence") or {}
    labels = []
    for name in names:
        key, _, village_id = name.partition(":")
        label = INDICATOR_LABELS.get(key, (key, key))[col]
        if village_id:
            village = (villages.get(village_id) or {}).get("village") or village_id
            label = f"{label}（{village}）" if col == 0 else f"{label} ({village})"
        labels.append(label)
    return ("、" if col == 0 else ", ").join(labels)


def _why(results: Mapping[str, Any], lang: str) -> str:
    """One sentence explaining the verdict, naming the indicators that decide it."""
    overall = _overall(results)
    word = overall.get("statistical", "")
    deciding = overall.get("failing") if word == "not_credible" else overall.get("inconclusive")
    names = _indicator_names(results, list(deciding or []), lang)
    more = overall.get("additional_n")
    if _lang(lang) == "zh":
        if word == "credible":
            return "各项指标的95%置信界均在标准达标一侧，退出结果可信。"
        if word == "not_credible":
            return f"{names}的置信界落在标准不达标一侧，退出结果不可信。"
        extra = f"，建议再调查约{more}户" if more else ""
        return f"{names}的置信区间跨越标准，尚无定论{extra}。"
    if word == "credible":
        return "Every indicator's 95% confidence bound is on the passing side of its standard."
    if word == "not_credible":
        return f"The confidence bound of {names} lies on the failing side of its standard."
    extra = f"; surveying about {more} more households would likely settle it" if more else ""
    return f"The confidence interval of {names} straddles its standard{extra}."


def verdict_box(results: Mapping[str, Any], lang: str = "zh") -> HtmlBlock:
    """The first thing in the report: verdict word, one reason, indicators vs thresholds."""
    overall = _overall(results)
    word = str(overall.get("statistical", "inconclusive"))
    zh = _lang(lang) == "zh"
    township = html.escape(str(results.get("township", "")))
    headline = (
        f"{township}脱贫退出结果：{verdict_label(word, lang)}"
        if zh
        else f"{township}: exit results {verdict_label(word, lang)}"
    )
    official = overall.get("official_pass")
    official_text = ""
    if official is not None:
        ok = "达标" if zh else "pass"
        bad = "不达标" if zh else "fail"
        label = "官方口径（点估计对照标准）：" if zh else "Official rule (point estimates): "
        cls = "pass" if official else "fail"
        official_text = f'<p>{label}<span class="{cls}">{ok if official else bad}</span></p>'
    table = indicator_table(results, lang).to_html(index=False, border=0, escape=True)
    return HtmlBlock(
        f'<div class="verdict {html.escape(word)}">'
        f'<p class="headline">{headline}</p>'
        f"<p>{html.escape(_why(results, lang))}</p>{official_text}{table}"
        f'<p class="note">{html.escape(bound_note(results, lang))}</p></div>'
    )


def bound_note(results: Mapping[str, Any], lang: str = "zh") -> str:
    """Why a two-sided interval may touch a threshold the verdict still clears.

    The table shows two-sided intervals at the report's level; the statistical verdict compares the
    one-sided bound at that level (the two-sided interval at 1 − 2(1 − level)) with each threshold.
    """
    level = float(results.get("parameters", {}).get("level", 0.95))
    two_sided = 1 - 2 * (1 - level)
    if _lang(lang) == "zh":
        return (
            f"注：表中为双侧{level:.0%}置信区间；统计结论依据单侧{level:.0%}置信界"
            f"（即双侧{two_sided:.0%}区间的一端）与标准比较，故区间端点略越过标准时结论仍可能为“可信”。"
        )
    return (
        f"Note: the table shows two-sided {level:.0%} intervals; the statistical verdict "
        f"compares the one-sided {level:.0%} bound (one end of the two-sided {two_sided:.0%} "
        "interval) with each standard, so an interval end slightly past a standard can still be "
        "credible."
    )


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Cell-wise difference that ignores dtype (2 == 2.0) and treats two blanks as equal."""
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    numeric = (x.notna() | a.isna()) & (y.notna() | b.isna())
    if numeric.all():
        return ~np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-12, equal_nan=True)
    sa, sb = a.astype("string").fillna("\0"), b.astype("string").fillna("\0")
    return (sa != sb).to_numpy(dtype=bool)


def survey_changes(previous: pd.DataFrame, current: pd.DataFrame) -> dict[str, int]:
    """How many survey returns were added, removed or changed between two versions (by ID)."""
    prev = previous.drop_duplicates("household_id").set_index("household_id")
    cur = current.drop_duplicates("household_id").set_index("household_id")
    common = prev.index.intersection(cur.index)
    differs = np.zeros(len(common), dtype=bool)
    for col in (c for c in cur.columns if c in prev.columns):
        differs |= _differs(prev.loc[common, col], cur.loc[common, col])
    changed = int(differs.sum())
    return {
        "added": int((~cur.index.isin(prev.index)).sum()),
        "removed": int((~prev.index.isin(cur.index)).sum()),
        "changed": changed,
        "unchanged": int(len(common) - changed),
    }


def indicator_changes(
    previous: Mapping[str, Any], current: Mapping[str, Any], lang: str = "zh"
) -> pd.DataFrame:
    """Indicators whose estimate or verdict moved between two versions' results."""
    h = HEADERS[_lang(lang)]
    before = indicator_frame(previous, lang).set_index("label")
    after = indicator_frame(current, lang).set_index("label")
    joined = before.join(after, how="outer", suffixes=("_prev", "_cur"))
    moved = (joined["verdict_prev"] != joined["verdict_cur"]) | ~np.isclose(
        joined["estimate_prev"].astype(float),
        joined["estimate_cur"].astype(float),
        rtol=0,
        atol=1e-9,
        equal_nan=True,
    )
    joined = joined.loc[moved]
    was, now = ("此前", "本次") if _lang(lang) == "zh" else ("before", "now")
    return pd.DataFrame(
        {
            h["indicator"]: joined.index,
            f"{h['estimate']}（{was}）": joined["estimate_prev"].map(pct).to_numpy(),
            f"{h['estimate']}（{now}）": joined["estimate_cur"].map(pct).to_numpy(),
            f"{h['verdict']}（{was}）": joined["verdict_prev"]
            .map(lambda v: verdict_label(v, lang) if isinstance(v, str) else "—")
            .to_numpy(),
            f"{h['verdict']}（{now}）": joined["verdict_cur"]
            .map(lambda v: verdict_label(v, lang) if isinstance(v, str) else "—")
            .to_numpy(),
        }
    )


def what_changed(
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    returns: Mapping[str, int] | None,
    previous_name: str = "",
    lang: str = "zh",
) -> HtmlBlock:
    """The "what changed since the previous version" box opening a v002+ report.

    Empty for a first version (``previous`` is None).
    """
    if previous is None:
        return HtmlBlock("")
    zh = _lang(lang) == "zh"
    old = verdict_label(_overall(previous).get("statistical", ""), lang)
    new = verdict_label(_overall(current).get("statistical", ""), lang)
    name = html.escape(previous_name)
    lines = [
        f"<p><b>与上一版本（{name}）相比的变化</b></p>"
        if zh
        else f"<p><b>What changed since the previous version ({name})</b></p>",
        f"<p>总体结论：{old} → {new}</p>" if zh else f"<p>Overall verdict: {old} → {new}</p>",
    ]
    if returns is not None:
        r = returns
        lines.append(
            f"<p>调查回收表：新增 {r['added']} 条，修改 {r['changed']} 条，删除 {r['removed']} 条，"
            f"未变 {r['unchanged']} 条。</p>"
            if zh
            else f"<p>Survey returns: {r['added']} added, {r['changed']} changed, {r['removed']} "
            f"removed, {r['unchanged']} unchanged.</p>"
        )
    moved = indicator_changes(previous, current, lang)
    if moved.empty:
        lines.append("<p>各项指标均未变化。</p>" if zh else "<p>No indicator changed.</p>")
    else:
        lines.append(moved.to_html(index=False, border=0))
    return HtmlBlock(f'<div class="changes">{"".join(lines)}</div>')


# --------------------------------------------------------------------------- township report
SECTIONS: dict[str, tuple[str, str]] = {
    "sample": ("一、样本执行情况", "1. The sample"),
    "wrong_exits": ("二、错退情况", "2. Wrong exits"),
    "income": ("三、收入核实", "3. Income verification"),
    "villages": ("四、贫困村退出", "4. Exited key villages"),
    "procedure": ("五、退出程序与群众认可度", "5. Exit procedure and public approval"),
    "appendix": ("附录：方法、参数与输入", "Appendix: methods, parameters and inputs"),
    "district_townships": ("一、各乡镇评估结论", "1. Township verdicts"),
    "district_rates": ("二、错退率与群众认可度", "2. Wrong-exit rates and approval"),
    "district_villages": ("三、退出贫困村", "3. Exited key villages"),
    "district_follow_up": ("四、需跟进的乡镇", "4. Townships needing follow-up"),
}
SCENARIOS = {
    "interviewed": ("已访问户", "interviewed households"),
    "borderline_as_wrong": ("临界户计为错退", "borderline counted as wrong"),
    "borderline_as_correct": ("临界户计为正确", "borderline counted as correct"),
    "nonrespondents_correct": (
        "未访问户全部正确（最好情形）",
        "non-respondents all correct (best)",
    ),
    "nonrespondents_wrong": ("未访问户全部错退（最坏情形）", "non-respondents all wrong (worst)"),
}

OUTCOMES = {
    "completed": ("完成", "completed"),
    "replacement": ("替换户", "replacement"),
    "refused": ("拒访", "refused"),
    "not_found": ("未找到", "not found"),
    "missing": ("无回收记录", "no return"),
}
CAPTIONS: dict[str, tuple[str, str]] = {
    "follow_up": ("需跟进的样本户（身份证号已脱敏）", "Households to follow up (IDs masked)"),
    "reasons": ("错退原因", "Reasons for wrong exits"),
    "scenarios": ("错退率及敏感性分析", "Wrong-exit rate and sensitivity"),
    "discrepancies": ("登记与核实收入差异最大的户", "Largest income discrepancies"),
    "infrastructure": ("基础设施与公共服务", "Infrastructure and public services"),
    "approval": ("群众认可度", "Public approval"),
    "parameters": ("参数与随机数种子", "Parameters and seed"),
    "inputs": ("输入文件及其SHA-256", "Input files and their SHA-256"),
    "versions": ("软件版本", "Software versions"),
}


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if _lang(lang) == "en" else pair[0]


def section(key: str, lang: str = "zh") -> HtmlBlock:
    """A report section heading (``<h2>``; printing starts a new page)."""
    return HtmlBlock(f"<h2>{html.escape(_t(SECTIONS[key], lang))}</h2>")


def caption(key: str, lang: str = "zh") -> HtmlBlock:
    """A sub-heading (``<h3>``) above a table or figure."""
    return HtmlBlock(f"<h3>{html.escape(_t(CAPTIONS[key], lang))}</h3>")


def report_title(township: str, version: str = "", lang: str = "zh") -> HtmlBlock:
    """The report's ``<h1>`` with the township and the assessment version."""
    name = html.escape(township)
    ver = (
        f"（{html.escape(version)}）"
        if version and _lang(lang) == "zh"
        else (f" ({html.escape(version)})" if version else "")
    )
    text = (
        f"{name}脱贫退出第三方评估报告{ver}"
        if _lang(lang) == "zh"
        else (f"{name}: third-party assessment of poverty exit{ver}")
    )
    return HtmlBlock(f"<h1>{text}</h1>")


def styled(frame: pd.DataFrame) -> Any:
    """A table for display: no index column, blanks shown as a dash."""
    return frame.style.hide(axis="index").format(na_rep="—")


def _ci(lo: pd.Series, hi: pd.Series) -> list[str]:
    return [f"{pct(a)} – {pct(b)}" for a, b in zip(lo, hi, strict=True)]


def _money(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}")


def sample_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Planned vs interviewed, replacements, refusals, not found and missing, by village."""
    zh = _lang(lang) == "zh"
    by = assessment.sample_by_village()
    names = assessment.units.drop_duplicates("village_id").set_index("village_id")["village"]
    by.insert(1, "village", by["village_id"].map(names))
    total = by.drop(columns=["village_id", "village"]).sum()
    by.loc[len(by)] = {"village_id": "", "village": "合计" if zh else "Total", **total.to_dict()}
    labels = {
        "village": ("村", "Village"), "planned": ("计划样本户", "Planned"),
        "completed": ("完成访问", "Completed"), "replacement": ("替换户", "Replacements"),
        "refused": ("拒访", "Refused"), "not_found": ("未找到", "Not found"),
        "missing": ("无回收记录", "No return"), "wrong_exits": ("错退户", "Wrong exits"),
    }  # fmt: skip
    out = by[list(labels)].rename(columns={k: _t(v, lang) for k, v in labels.items()})
    return out


def wrong_exit_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """错退率 by persons and households under each scenario (borderline, non-response bounds)."""
    s = assessment.rates.scenarios
    unit = s["unit"].map({"persons": ("按人口", "persons"), "households": ("按户", "households")})
    return pd.DataFrame(
        {
            _t(("口径", "Unit"), lang): unit.map(lambda p: _t(p, lang)),
            _t(("情形", "Scenario"), lang): s["scenario"].map(lambda k: _t(SCENARIOS[k], lang)),
            _t(("错退率", "Rate"), lang): s["estimate"].map(pct),
            _t(("95%置信区间", "95% CI"), lang): _ci(s["ci_low"], s["ci_high"]),
            _t(("95%单侧上界", "95% upper bound"), lang): s["upper_bound"].map(pct),
            _t(("样本户数", "Households"), lang): s["n"],
        }
    )


def reasons_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Why exits were wrong: households and estimated share of exited persons per reason."""
    r = assessment.rates.reasons
    return pd.DataFrame(
        {
            _t(("原因", "Reason"), lang): r["reason_zh"] if _lang(lang) == "zh" else r["reason"],
            _t(("错退户数", "Households"), lang): r["households"],
            _t(("占脱贫人口比例", "Share of exited persons"), lang): r["persons_share"].map(pct),
            _t(("95%置信区间", "95% CI"), lang): _ci(r["ci_low"], r["ci_high"]),
        }
    )


def follow_up_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Households to revisit, with masked ID numbers only (no names, no phones)."""
    f = assessment.follow_up()
    labels = {
        "household_id": ("户编号", "Household"),
        "head_id_number": ("户主身份证号（脱敏）", "Head's ID (masked)"),
        "village": ("村", "Village"),
        "follow_up": ("跟进原因", "Why"),
        "outcome": ("访问结果", "Visit"),
        "income_per_capita": ("登记人均纯收入", "Reported income"),
        "surveyed_income_per_capita": ("核实人均纯收入", "Surveyed income"),
        "poverty_line": ("贫困线", "Poverty line"),
        "reasons_zh": ("错退原因", "Wrong-exit reasons"),
    }
    out = f[[c for c in labels if c in f.columns]].copy()
    out["outcome"] = out["outcome"].map(lambda o: _t(OUTCOMES.get(o, (o, o)), lang))
    for col in ("income_per_capita", "surveyed_income_per_capita", "poverty_line"):
        out[col] = _money(pd.to_numeric(out[col], errors="coerce"))
    return out.rename(columns={k: _t(v, lang) for k, v in labels.items()})


def income_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Design-based income summaries and the Bland–Altman agreement, in words and numbers."""
    inc = assessment.income
    ba = inc.bland_altman
    lo, hi = ba.ratio_limits
    rows = [
        (("平均差（核实−登记，元/人）", "Mean difference (surveyed − reported, yuan)"),
         f"{inc.mean_difference.estimate:,.0f}",
         f"{inc.mean_difference.ci[0]:,.0f} – {inc.mean_difference.ci[1]:,.0f}"),
        (("核验系数（核实总收入÷登记总收入）", "Verification factor (surveyed ÷ reported)"),
         f"{inc.verification_factor.estimate:.3f}",
         f"{inc.verification_factor.ci[0]:.3f} – {inc.verification_factor.ci[1]:.3f}"),
        ((f"登记收入高报超过{inc.over_report:.0%}的户比例",
          f"Households over-reported by more than {inc.over_report:.0%}"),
         pct(inc.over_reported.estimate), " – ".join(map(pct, inc.over_reported.ci))),
        (("几何平均比值（核实÷登记）与95%一致性界限", "Geometric mean ratio and 95% limits"),
         f"{ba.ratio_bias:.3f}", f"{lo:.3f} – {hi:.3f}"),
        (("符号秩检验（登记是否系统偏高）单侧p值", "Signed-rank test of inflation, one-sided p"),
         f"{inc.signed_rank.p_value:.3g}", ""),
    ]  # fmt: skip
    return pd.DataFrame(
        [(_t(k, lang), v, ci) for k, v, ci in rows],
        columns=[_t(("指标", "Measure"), lang), _t(("估计", "Estimate"), lang),
                 _t(("95%区间", "95% interval"), lang)],
    )  # fmt: skip


def income_verdict(assessment: Any, lang: str = "zh") -> HtmlBlock:
    """One sentence on the verification factor (WHO practice: below 0.90 = over-reporting)."""
    vf = assessment.income.verification_factor.estimate
    if assessment.income.over_reporting_flag:
        text = (
            f"核验系数为{vf:.2f}，低于0.90，登记收入存在系统性高报。"
            if _lang(lang) == "zh"
            else f"The verification factor is {vf:.2f}, below 0.90: incomes were over-reported."
        )
    else:
        text = (
            f"核验系数为{vf:.2f}，未低于0.90，未见系统性高报。"
            if _lang(lang) == "zh"
            else f"The verification factor is {vf:.2f}, not below 0.90: no over-reporting found."
        )
    return HtmlBlock(f"<p>{html.escape(text)}</p>")  # fmt: skip


def income_points(assessment: Any) -> pd.DataFrame:
    """Reported and surveyed income per interviewed household with its wrong-exit flag."""
    h = assessment.income.households
    wrong = assessment.units.drop_duplicates("household_id").set_index("household_id")["wrong_exit"]
    return h.assign(wrong_exit=h["household_id"].map(wrong).fillna(False).astype(bool))


def typical_poverty_line(assessment: Any) -> float:
    """The poverty line of the most common exit year among the sampled households."""
    lines = pd.to_numeric(assessment.units["poverty_line"], errors="coerce").dropna()
    return float(lines.mode().iloc[0]) if len(lines) else float("nan")


def discrepancy_table(assessment: Any, lang: str = "zh", k: int = 10) -> pd.DataFrame:
    """The ``k`` households with the largest reported-vs-surveyed income discrepancies."""
    d = assessment.income.largest_discrepancies(k)
    return pd.DataFrame(
        {
            _t(("户编号", "Household"), lang): d["household_id"],
            _t(("登记人均纯收入", "Reported"), lang): _money(d["reported"]),
            _t(("核实人均纯收入", "Surveyed"), lang): _money(d["surveyed"]),
            _t(("核实÷登记", "Surveyed ÷ reported"), lang): d["ratio"].map(
                lambda v: "—" if pd.isna(v) else f"{v:.2f}"),
        }
    )  # fmt: skip


def village_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Exited key villages: registry vs re-estimated incidence against the standard."""
    v = assessment.villages
    verdicts = v["village_id"].map(
        lambda i: verdict_label(assessment.indicators[f"village_incidence:{i}"].verdict, lang)
    )
    return pd.DataFrame(
        {
            _t(("村", "Village"), lang): v["village"],
            _t(("登记人口", "Registered population"), lang): v["registered_population"],
            _t(("剩余贫困人口", "Poor remaining"), lang): v["poor_population_remaining"],
            _t(("登记贫困发生率", "Registry incidence"), lang): v["registry_incidence"].map(pct),
            _t(("推算错退人口", "Implied wrong-exit persons"), lang): v["wrong_exit_persons"].map(
                lambda x: "—" if pd.isna(x) else f"{x:.1f}"),
            _t(("重估贫困发生率", "Re-estimated incidence"), lang): v["estimate"].map(pct),
            _t(("95%置信区间", "95% CI"), lang): _ci(v["ci_low"], v["ci_high"]),
            _t(("核查贫困发生率", "Verified incidence"), lang): v["verified_incidence"].map(pct),
            _t(("统计结论", "Verdict"), lang): verdicts,
        }
    )  # fmt: skip


def infrastructure_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Infrastructure and public-service checklist per village: registry / verified."""
    inf = assessment.infrastructure
    if inf.empty:
        return pd.DataFrame()
    names = assessment.villages.set_index("village_id")["village"]
    yes, no = ("是", "否") if _lang(lang) == "zh" else ("yes", "no")

    def mark(v: object) -> str:
        return "—" if pd.isna(v) else yes if bool(v) else no

    cell = inf["registry"].map(mark) + " / " + inf["verified"].map(mark)
    table = inf.assign(cell=cell, village=inf["village_id"].map(names)).pivot(
        index="village", columns="item_zh" if _lang(lang) == "zh" else "item", values="cell"
    )
    table.columns.name = None
    first = _t(("村（登记 / 核查）", "Village (registry / verified)"), lang)
    return table.reset_index().rename(columns={"village": first})


def procedure_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """Procedure compliance of exited households and villages (a census of the registry)."""
    frame = pd.concat(
        [assessment.household_procedure.to_frame(), assessment.village_procedure.to_frame()],
        ignore_index=True,
    )
    counts = frame.columns.difference(["unit", "rate"])
    frame[counts] = frame[counts].fillna(0).astype(int)
    labels = {
        "unit": ("对象", "Unit"), "assessed": ("有日期记录", "With dates"),
        "compliant": ("合规", "Compliant"), "rate": ("合规率", "Rate"),
        "notice_too_short": ("公示不足7天", "Notice < 7 days"),
        "announcement_too_short": ("公告不足5天", "Announcement < 5 days"),
        "steps_out_of_order": ("程序顺序错误", "Steps out of order"),
        "dates_incomplete": ("日期不全", "Dates incomplete"),
        "acknowledgement_missing": ("无户认可记录", "No acknowledgement"),
    }  # fmt: skip
    out = frame[[c for c in labels if c in frame.columns]].copy()
    out["unit"] = out["unit"].map({"household": _t(("脱贫户", "households"), lang),
                                   "village": _t(("贫困村", "villages"), lang)})  # fmt: skip
    out["rate"] = out["rate"].map(pct)
    return out.rename(columns={k: _t(v, lang) for k, v in labels.items()})


def approval_table(assessment: Any, lang: str = "zh") -> pd.DataFrame:
    """群众认可度 and the household acknowledgement rate with intervals."""
    rows = [
        (("群众认可度（认可评估结果的户）", "Public approval"), assessment.rates.approval),
        (("户认可脱贫比例", "Households acknowledging their exit"),
         assessment.rates.acknowledgement),
    ]  # fmt: skip
    data = [
        (_t(k, lang), pct(e.estimate), f"{pct(e.ci[0])} – {pct(e.ci[1])}", e.n)
        for k, e in rows
        if e is not None
    ]
    return pd.DataFrame(
        data,
        columns=[_t(("指标", "Measure"), lang), _t(("估计值", "Estimate"), lang),
                 _t(("95%置信区间", "95% CI"), lang), _t(("样本户数", "Households"), lang)],
    )  # fmt: skip


def methods_text(lang: str = "zh") -> HtmlBlock:
    """The methods appendix in plain words with the formulas (``workbench/assets/methods.*``)."""
    name = f"assets/methods.{_lang(lang)}.html"
    return HtmlBlock(resources.files("workbench").joinpath(name).read_text(encoding="utf-8"))


def parameters_table(results: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """Every assessment parameter (thresholds, level, interval method, design, seed)."""
    params = results.get("parameters", {})
    return pd.DataFrame(
        {_t(("参数", "Parameter"), lang): list(params),
         _t(("取值", "Value"), lang): [str(v) for v in params.values()]}
    )  # fmt: skip


def inputs_table(inputs: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """Input files with their SHA-256 (from inputs.json), so the report can be reproduced."""
    files = inputs.get("files", {})
    return pd.DataFrame(
        {
            _t(("输入", "Input"), lang): list(files),
            _t(("文件", "File"), lang): [f.get("file", "") for f in files.values()],
            "SHA-256": [f.get("sha256", "") for f in files.values()],
        }
    )


def versions_table(inputs: Mapping[str, Any], lang: str = "zh") -> pd.DataFrame:
    """Software versions recorded in inputs.json."""
    versions = inputs.get("versions", {})
    return pd.DataFrame(
        {_t(("软件", "Package"), lang): list(versions),
         _t(("版本", "Version"), lang): list(versions.values())}
    )  # fmt: skip


# --------------------------------------------------------------------------- district report
def district_title(count: int, lang: str = "zh") -> HtmlBlock:
    """The district report's ``<h1>``."""
    text = (
        f"区县脱贫退出第三方评估汇总报告（{count}个乡镇）"
        if _lang(lang) == "zh"
        else f"District summary of the third-party exit assessment ({count} townships)"
    )
    return HtmlBlock(f"<h1>{text}</h1>")  # fmt: skip


def district_estimate_box(estimate: Any, threshold: float = 0.02, lang: str = "zh") -> HtmlBlock:
    """The pooled district wrong-exit rate (townships as strata) against the standard."""
    lo, hi = estimate.ci
    upper = estimate.upper_bound(estimate.level)
    word = (
        "credible"
        if upper < threshold
        else (
            "not_credible" if estimate.lower_bound(estimate.level) >= threshold else "inconclusive"
        )
    )
    if _lang(lang) == "zh":
        text = (
            f"全区错退率（按人口，各乡镇为层）估计为 {pct(estimate.estimate)}，"
            f"95%置信区间 {pct(lo)} – {pct(hi)}，95%单侧上界 {pct(upper)}，"
            f"标准 < {pct(threshold, 0)}：{verdict_label(word, lang)}。"
        )
    else:
        text = (
            f"District wrong-exit rate (persons, townships as strata): "
            f"{pct(estimate.estimate)}, 95% CI {pct(lo)} – {pct(hi)}, one-sided upper bound "
            f"{pct(upper)}, standard < {pct(threshold, 0)}: {verdict_label(word, lang)}."
        )
    return HtmlBlock(f'<div class="verdict {word}"><p class="headline">'
                     f"{html.escape(text)}</p></div>")  # fmt: skip


def township_table(townships: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Townships with verdicts and headline indicators (``DistrictSummary.townships``)."""
    s = townships.reset_index(drop=True)
    pas, fail = _t(("达标", "pass"), lang), _t(("不达标", "fail"), lang)
    return pd.DataFrame(
        {
            _t(("乡镇", "Township"), lang): s["township"],
            _t(("统计结论", "Verdict"), lang): s["verdict"].map(lambda v: verdict_label(v, lang)),
            _t(("官方口径", "Official rule"), lang): s["official_pass"].map(
                lambda p: pas if p else fail
            ),
            _t(("错退率", "Wrong exits"), lang): s["wrong_exit_rate"].map(pct),
            _t(("错退率95%区间", "95% CI"), lang): _ci(
                s["wrong_exit_ci_low"], s["wrong_exit_ci_high"]
            ),
            _t(("群众认可度", "Approval"), lang): s["approval_rate"].map(pct),
            _t(("程序合规率", "Procedure"), lang): s["procedure_compliance"].map(pct),
            _t(("访问户/计划户", "Interviewed / planned"), lang): s["interviewed"].astype(str)
            + " / "
            + s["planned"].astype(str),
        }
    )


def district_villages(villages: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every exited key village of the district with its incidence against 2%."""
    if villages.empty:
        return pd.DataFrame()
    v = villages.reset_index(drop=True)
    return pd.DataFrame(
        {
            _t(("乡镇", "Township"), lang): v["township"],
            _t(("村", "Village"), lang): v["village"],
            _t(("登记贫困发生率", "Registry incidence"), lang): v["registry_incidence"].map(pct),
            _t(("重估贫困发生率", "Re-estimated"), lang): v["estimate"].map(pct),
            _t(("95%置信区间", "95% CI"), lang): _ci(v["ci_low"], v["ci_high"]),
            _t(("核查贫困发生率", "Verified"), lang): v["verified_incidence"].map(pct),
            _t(("统计结论", "Verdict"), lang): v["verdict"].map(lambda x: verdict_label(x, lang)),
        }
    )


def follow_up_townships(
    follow_up: pd.DataFrame, missing: list[tuple[str, str]], lang: str = "zh"
) -> pd.DataFrame:
    """Townships needing follow-up and why (``DistrictSummary.follow_up``), then missing runs."""
    rows = [
        (t, verdict_label(v, lang), why)
        for t, v, why in follow_up[["township", "verdict", "why"]].itertuples(index=False)
    ]
    rows += [(Path(run).name, _t(("缺失", "missing"), lang), why) for run, why in missing]
    return pd.DataFrame(
        rows,
        columns=[_t(("乡镇", "Township"), lang), _t(("结论", "Verdict"), lang),
                 _t(("原因", "Why"), lang)],
    )  # fmt: skip
