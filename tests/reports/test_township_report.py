"""The township report is built from its records: words from the catalogue, numbers from
results.json, every data value escaped, headers that follow the level, English truly English."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "evaluation"))
from assessment_fixtures import (
    DESIGN_INFO,
    make_registry,
    make_sample,
    make_survey,
    make_village_survey,
    make_villages,
    set_rows,
)

from data_contracts.messages import label
from data_contracts.records import ChangesRecord, FieldChange, FollowUp
from evaluation.assessment import Parameters, assess_township
from evaluation.verdict import Thresholds
from reports.page import page
from reports.township_report import TownshipReport, verdict_reason

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
POP = 600


def _report(
    township: str = "T1",
    lang: str = "zh",
    level: float = 0.95,
    wrong: int = 0,
    checked: bool = True,
    inflated: int = 0,
):
    """A report on 150 of 600 households in two key villages (village survey unless not
    ``checked``); ``wrong`` of them surveyed at 1,000 yuan, or the first ``inflated`` reported at
    1.5 × their surveyed income."""
    sample = make_sample(n_main=150, n_reserve=3, population=POP, township=township)
    survey = make_survey(sample)
    if wrong:
        ids = [f"H{i:03d}" for i in range(0, 10 * wrong, 10)]
        survey = set_rows(survey, ids, surveyed_income_per_capita=1000.0)
    if inflated:
        rows = survey.index[:inflated]
        survey.loc[rows, "surveyed_income_per_capita"] /= 1.5
    params = Parameters(thresholds=Thresholds(level=level))
    info = {**DESIGN_INFO, "township": township}
    villages = make_villages(pop=8000, township=township)
    a = assess_township(
        sample, survey, make_registry(sample, POP), villages, info,
        make_village_survey(villages) if checked else None, parameters=params,
    )  # fmt: skip
    return TownshipReport(a.to_record(version="v001"), a.units, None, None, lang), a


def _visible(html: str) -> str:
    """The text a reader sees: no stylesheet, no tags, no SVG markup."""
    html = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module")
def zh() -> tuple:
    return _report(wrong=3)


def test_numbers_come_from_the_record(zh: tuple) -> None:
    report, a = zh
    html = page(report.blocks(), "zh")
    rate = report.results.indicator("wrong_exit_rate").estimate
    assert rate.estimate == pytest.approx(a.rates.persons.estimate, abs=1e-15)
    assert f"{rate.estimate:.1%}" in html and f"{rate.ci_low:.1%} – {rate.ci_high:.1%}" in html
    assert 'class="verdict ' + report.results.verdict.statistical in html
    # the sample table's total row equals the recorded sample summary (150 planned)
    assert "合计" in html and report.results.sample.planned == 150
    assert sum(v.planned for v in report.results.sample_by_village) == 150
    # the three wrong exits are the follow-up households, with their reasons worded
    follow = {f.household_id for f in report.results.follow_up}
    assert follow == {"H000", "H010", "H020"}
    assert "人均纯收入低于当年贫困线" in html and "错退" in html
    # the income, village and approval numbers are the record's, formatted
    inc = report.results.income
    vf = inc.verification_factor.estimate
    assert vf.estimate == pytest.approx(a.income.verification_factor.estimate, abs=1e-15)
    assert f'<td class="num">{vf.estimate:.3f}</td>' in html
    assert f"{inc.mean_difference.estimate:,.0f}" in html
    approval = report.results.indicator("approval_rate").estimate
    assert f"{approval.estimate:.1%}" in html and approval.n == 150
    for village in report.results.villages:
        ind = report.results.indicator("village_incidence", village.village_id)
        assert f"{village.registry_incidence:.1%}" in html
        assert f"{ind.estimate.ci_low:.1%} – {ind.estimate.ci_high:.1%}" in html
        assert f">{village.interviewed}/{village.frame_households}</td>" in html
        assert f"{village.wrong_exit_rate.estimate:.1%}" in html
        assert village.not_assessable is None and ind.verdict != "not_assessable"


def test_township_without_village_survey_shows_its_villages_not_checked() -> None:
    for lang, word, why in (
        ("zh", "未核查（没有该村的村级核查数据）", "村V1贫困发生率、村V2贫困发生率未核查"),
        ("en", "not checked (no village survey of this village)",
         "Not checked: poverty incidence of 村V1, poverty incidence of 村V2 ("),
    ):  # fmt: skip
        report, _ = _report(lang=lang, checked=False)
        villages = report.results.villages
        assert [v.not_assessable for v in villages] == ["no_village_survey"] * 2
        rows = re.findall(r"<tr><td[^>]*>(村V\d)</td>(.*?)</tr>", report.village_table())
        assert [name for name, _ in rows] == ["村V1", "村V2"]
        for _, row in rows:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
            assert cells[-1] == word  # not checked, never credible, its reason in plain words
            assert cells[-1] != label("verdict", "credible", lang)
            assert cells[1] == "—"  # no verified incidence without the village survey
        assert why in verdict_reason(report.results, lang)
        assert report.results.verdict.statistical != "credible"


def test_english_report_has_no_chinese_but_data_names() -> None:
    report, a = _report(lang="en", wrong=3)
    text = _visible(page(report.blocks(), "en"))
    for name in set(a.units["village"]) | {"T1"}:
        text = text.replace(name, " ")
    assert not CJK.findall(text), sorted(set(CJK.findall(text)))
    assert "Wrong-exit rate" in text and "Households to follow up" in text


def test_headers_follow_the_level() -> None:
    report, _ = _report(level=0.99, lang="en")
    text = _visible(page(report.blocks(), "en"))
    assert "99% confidence interval" in text and "99% upper bound" in text
    assert "95% confidence interval" not in text and "95% upper bound" not in text
    zh_report, _ = _report(level=0.99)
    assert "99%置信区间" in _visible(page(zh_report.blocks(), "zh"))


def test_hostile_township_name_stays_inert() -> None:
    name = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    report, _ = _report(township=name)
    html = page(report.blocks(), "zh")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_reason_words_the_follow_up_advice(zh: tuple) -> None:
    report, _ = zh
    r = report.results
    full = r.model_copy(
        update={"verdict": r.verdict.model_copy(update={
            "statistical": "inconclusive", "failing": [],
            "inconclusive": [r.indicator("wrong_exit_rate").ref],
            "follow_up": FollowUp(code="full_check", households=450)})}
    )  # fmt: skip
    assert verdict_reason(full, "zh") == (
        "错退率的置信区间跨越标准，尚无定论。"
        "仅靠抽样无法以足够把握得出结论，建议对剩余的450户全部核查（全面核查）。"
    )
    village = full.model_copy(
        update={"verdict": full.verdict.model_copy(update={
            "follow_up": FollowUp(code="survey_more", households=40, village_id="V1", power=0.83)})}
    )  # fmt: skip
    # the promise: planning rate from the parameters (0.5%), the chance from the record
    assert verdict_reason(village, "en").endswith(
        "Survey 40 more households in 村V1. If the households not yet sampled have a wrong-exit "
        "rate of 0.5%, this gives about a 83% chance of a credible verdict."
    )
    assert verdict_reason(village, "zh").endswith(
        "建议在村V1再调查40户。若尚未抽到的户错退率为0.5%，追加调查后约有83%的把握得出“可信”结论。"
    )


def test_reason_explains_a_failure_held_back_by_holm(zh: tuple) -> None:
    """An indicator whose own lower bound is past 2% but which Holm's step-down did not confirm
    is inconclusive; the reason says why (evaluation.verdict.holm)."""
    report, _ = zh
    r = report.results
    wrong = r.indicator("wrong_exit_rate")
    held = wrong.model_copy(update={
        "verdict": "inconclusive",
        "estimate": wrong.estimate.model_copy(update={"lower_bound": 0.021})})  # fmt: skip
    indicators = [held if i.ref == wrong.ref else i for i in r.indicators]
    tests = sum(1 for i in indicators if i.judged and i.verdict != "not_assessable")
    changed = r.model_copy(update={"indicators": indicators, "verdict": r.verdict.model_copy(
        update={"statistical": "inconclusive", "failing": [], "inconclusive": [wrong.ref],
                "follow_up": None})})  # fmt: skip
    assert verdict_reason(changed, "zh").endswith(
        f"错退率单独看已越过标准，但本乡镇同时检验了{tests}项指标，"
        "经多重检验校正（Holm法）后证据尚不足以判定不可信。"
    )
    assert "multiple-testing correction (Holm)" in verdict_reason(changed, "en")


def test_what_changed_names_household_and_field(zh: tuple) -> None:
    report, _ = zh
    changes = ChangesRecord(
        previous="v001",
        verdict_before="credible",
        verdict_after=report.results.verdict.statistical,
        returns_removed=["H149"],
        field_changes=[
            FieldChange(
                household_id="H010", field="verified_housing_secure", before="True", after="False"
            ),
        ],
    )
    box = TownshipReport(report.results, report.units, None, changes, "zh").what_changed()
    assert "与上一版本（v001）相比的变化" in box and "总体结论：可信 → " in box
    assert "新增 0 条，修改 1 条，删除 1 条" in box
    assert "H010" in box and "核实住房安全有保障" in box  # the contract's header, not the code
    assert "verified_housing_secure" not in box and re.search(r">是<.*>否<", box)


def test_census_indicator_shows_no_zero_width_interval(zh: tuple) -> None:
    report, _ = zh
    proc = report.results.indicator("procedure_compliance")
    assert proc.estimate.method == "census"
    row = re.search(r"<tr><td[^>]*>程序合规率</td>(.*?)</tr>", report.verdict_box()).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[:3] == ["100.0%", "—", "≥ 95%"]


def _words(block: str) -> str:
    """What a reader reads in ``block`` (tags removed, entities such as &lt; decoded)."""
    return html.unescape(_visible(block))


def test_income_sentence_none_found_agrees_with_the_table(zh: tuple) -> None:
    """3 of 150 households surveyed at 1,000 yuan: the only 3 non-zero pairs are all positive
    (exact signed-rank p = 1/2³ = 0.125, not rejected at 5 %) and 2.0 % are over-reported, with
    a one-sided upper bound far below the tolerated 10 %: none found, in the table's numbers."""
    report, _ = zh
    inc = report.results.income
    share = inc.over_reported_share
    assert inc.signed_rank.p_value == pytest.approx(1 / 8) and not inc.signed_rank.rejects
    assert share.estimate == pytest.approx(3 / 150) and share.upper_bound < 0.10
    assert inc.conclusion == "none_found" and inc.tolerated_share == 0.10
    assert report.results.parameters.tolerated_over_report_share == 0.10
    sentence = _words(report.income_verdict())
    assert sentence.lstrip().startswith("未见系统性高报")
    assert f"{share.estimate:.1%}的受访户" in sentence or f"占{share.estimate:.1%}" in sentence
    assert f"95%单侧上界{share.upper_bound:.1%}低于容许比例10%" in sentence
    assert "符号秩检验未显示" in sentence and "单侧p = 0.12" in sentence  # 0.125 to even
    factor = inc.verification_factor.estimate.estimate
    assert f"核验系数（核实总收入÷登记总收入）为{factor:.3f}" in sentence
    table_text = _words(report.income_table())
    assert f"{share.estimate:.1%}" in table_text and "p = 0.12" in table_text
    assert "登记收入存在系统性高报" not in _words(page(report.blocks(), "zh"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_income_sentence_says_systematic_over_reporting(lang: str) -> None:
    """40 of 150 households reported at 1.5 × the survey: 40 positive, distinct differences
    (exact p = 2⁻⁴⁰ < 0.001) and 26.7 % over-reported beyond 20 %, lower bound above 10 %.
    The verification factor stays near 0.91 (not below 0.90): the sentence says systematic
    over-reporting and gives the factor only as context — no contradiction with the table."""
    report, _ = _report(lang=lang, inflated=40)
    inc = report.results.income
    share = inc.over_reported_share
    assert inc.signed_rank.p_value == pytest.approx(2.0**-40, rel=1e-9)
    assert share.estimate == pytest.approx(40 / 150) and share.lower_bound > 0.10
    assert inc.conclusion == "systematic_over_reporting"
    vf = inc.verification_factor.estimate.estimate
    assert vf >= 0.90 and not inc.verification_factor.over_reporting_flag
    sentence = _words(report.income_verdict())
    words = {
        "zh": ("登记收入存在系统性高报", "26.7%的受访户", f"95%单侧下界{share.lower_bound:.1%}",
               "单侧p < 0.001", f"为{vf:.3f}，未低于0.90"),
        "en": ("Reported incomes were systematically inflated", "26.7% of interviewed",
               f"one-sided 95% lower bound {share.lower_bound:.1%}", "one-sided p < 0.001",
               f"is {vf:.3f}, not below 0.90"),
    }[lang]  # fmt: skip
    for part in words:
        assert part in sentence, (part, sentence)
    assert not re.search(r"\d[eE][-+]\d", sentence)  # no scientific notation (5.5e-04)
    assert "p < 0.001" in _words(report.income_table())
    if lang == "en":
        assert not CJK.findall(sentence)


def test_parameters_appendix_names_parameters_in_words(zh: tuple) -> None:
    """Issue 16: no internal names in a report — the parameters table names each parameter in
    the report language and formats its value (0.02 → "2%", beta → Korn–Graubard)."""
    report, _ = zh
    shown = _visible(report.parameters_table())
    params = report.results.parameters.model_dump()
    for name in params:
        assert name not in shown
    assert "错退率标准（须低于）" in shown and "Korn–Graubard（贝塔）区间" in shown
    assert re.search(r"错退率标准（须低于）\s*2%", shown)
    assert f"{params['seed']}" in shown and "7 天" in shown
    english, _ = _report(lang="en", wrong=3)
    words = _visible(english.parameters_table())
    assert "Wrong-exit rate threshold" in words and not CJK.findall(words)
