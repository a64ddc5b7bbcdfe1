"""District summary: townships as strata (closed form), verdict table, follow-up list, and the
headline's count of township verdicts with the not-credible townships named."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from district_fixtures import township
from hypothesis import given, settings
from hypothesis import strategies as st

from data_contracts.errors import ExitcheckError
from data_contracts.privacy import PERSONAL_COLUMNS
from data_contracts.records import (
    TOWNSHIP_VERDICTS,
    DistrictRecord,
    IndicatorRef,
    ResultsRecord,
    VerdictCode,
    read_record,
    write_record,
)
from evaluation.district import follow_up_reasons, summarise_district
from evaluation.verdict import Thresholds, judge
from reports.district_report import DistrictReport, reason_text, townships_sentence


@pytest.fixture(scope="module")
def towns():
    # A: 160 of 600 with no error certifies the person rate (zero_failure_plan with the frame's
    # size factor needs 154; see tests/evaluation/test_assessment.py)
    return [township("A", 160, 600, 0), township("B", 60, 900, 9), township("C", 60, 900, 0, 8)]


@pytest.fixture(scope="module")
def summary(towns):
    return summarise_district(towns)


def test_townships_as_strata_closed_form(towns):
    # without nonresponse Σw is each township's N, so p = Σ (N_t/N) p_t and
    # var = Σ (N_t/N)² var_t exactly (stratified estimator over independent townships)
    d = summarise_district(towns[:2])
    (a, b), shares = (t.rates.households for t in towns[:2]), np.array([600, 900]) / 1500
    est = d.wrong_exit_rate_households
    assert est.estimate == pytest.approx(shares @ [a.estimate, b.estimate], rel=1e-12)
    assert est.estimate == pytest.approx(0.6 * 9 / 60)
    assert est.se == pytest.approx(np.sqrt(shares**2 @ [a.se**2, b.se**2]), rel=1e-9)
    assert est.n == 220 and est.df == 218  # PSUs − strata (the townships' strata)
    persons = d.wrong_exit_rate
    units = [t.units for t in towns[:2]]
    num = sum((u["weight"] * u["surveyed_household_size"] * u["wrong_exit"]).sum() for u in units)
    den = sum((u["weight"] * u["surveyed_household_size"]).sum() for u in units)
    assert persons.estimate == pytest.approx(num / den, rel=1e-12)


def test_headline_counts_and_names_the_not_credible_township(towns, summary):
    """A: 0 of 150 wrong (credible), B: 9 of 60 (not credible), C: 0 of 52 (inconclusive)."""
    own = [t.verdict.statistical for t in towns]  # each township's own verdict
    assert own == ["credible", "not_credible", "inconclusive"]
    record = summary.to_record()
    assert record.township_verdicts == {"credible": 1, "inconclusive": 1, "not_credible": 1}
    assert list(record.township_verdicts) == list(TOWNSHIP_VERDICTS)
    assert record.not_credible_townships == ["B"]
    zh, en = townships_sentence(record, "zh"), townships_sentence(record, "en")
    assert zh == "1个乡镇可信、1个尚无定论、1个不可信：B。"
    assert en == "Townships: 1 credible, 1 inconclusive, 1 not credible (B)."
    for lang, words in (("zh", zh), ("en", en)):  # the headline box: verdict, then the count
        box = DistrictReport(record, lang).verdict_box()
        paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", box)
        assert html.unescape(paragraphs[1]) == words
    # none not credible: said plainly, the 0 kept in the record
    calm = summarise_district([towns[0], towns[2]]).to_record()
    assert calm.township_verdicts == {"credible": 1, "inconclusive": 1, "not_credible": 0}
    assert calm.not_credible_townships == []
    assert townships_sentence(calm, "zh") == "1个乡镇可信、1个尚无定论，没有不可信的乡镇。"
    assert (
        townships_sentence(calm, "en")
        == "Townships: 1 credible, 1 inconclusive, none not credible."
    )
    # a code beyond the three township verdicts is counted too, never dropped
    other = record.model_copy(
        update={"township_verdicts": {**record.township_verdicts, "not_assessable": 2}}
    )
    assert (
        townships_sentence(other, "zh")
        == "1个乡镇可信、1个尚无定论、1个不可信：B；另有2个乡镇未核查。"
    )
    assert townships_sentence(other, "en").endswith("1 not credible (B); 2 not checked.")


NAMES = st.text(st.sampled_from("甲乙丙丁镇乡街道<>&\"'{}; ab"), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(NAMES, st.sampled_from(get_args(VerdictCode))),
        max_size=14,
        unique_by=lambda row: row[0],
    )
)
def test_headline_counts_sum_and_names_follow_township_order(summary, rows):
    """For any townships: the counts add up to their number, each equals the townships with that
    verdict, and the not-credible names are those townships in order, all shown, escaped."""
    template = summary.townships[0]
    townships = tuple(template.model_copy(update={"township": n, "verdict": v}) for n, v in rows)
    record = replace(summary, townships=townships).to_record()
    counts = record.township_verdicts
    assert sum(counts.values()) == len(rows)
    codes = [v for _, v in rows]
    assert set(codes) <= set(counts) and all(counts[c] == codes.count(c) for c in counts)
    assert list(counts)[:3] == list(TOWNSHIP_VERDICTS)
    names = [n for n, v in rows if v == "not_credible"]
    assert record.not_credible_townships == names
    for lang, sep in (("zh", "、"), ("en", ", ")):
        sentence = townships_sentence(record, lang)
        if names:  # every name, in order, none cut
            assert sep.join(names) in sentence
        box = DistrictReport(record, lang).verdict_box()
        inner = re.findall(r"<p>(.*?)</p>", box)[0]
        assert html.unescape(inner) == sentence and "<" not in inner and ">" not in inner
    zh = townships_sentence(record, "zh")
    assert zh.startswith(f"{counts['credible']}个乡镇可信、{counts['inconclusive']}个尚无定论")


def test_table_and_follow_up(towns):
    d = summarise_district(towns)
    record = d.to_record()
    t = {row.township: row for row in record.townships}
    assert t["A"].verdict == "credible" and t["B"].verdict == "not_credible"
    assert t["C"].interviewed == 52
    follow = {f.township: f for f in record.follow_up}
    assert list(follow) == ["B", "C"]
    b_codes = {r.code: r for r in follow["B"].reasons}
    assert b_codes["not_credible"].indicators == [IndicatorRef(kind="wrong_exit_rate")]
    [lost] = [r for r in follow["C"].reasons if r.code == "nonresponse"]
    assert lost.value == pytest.approx(8 / 60)
    report = DistrictReport(record, "zh")  # the report words the codes
    assert "不可信指标：错退率" in report.follow_up_reasons(follow["B"])
    assert "未访问户占13%" in report.follow_up_reasons(follow["C"])
    assert {v.township for v in record.villages} == {"A", "B", "C"}
    assert len(record.villages) == 6
    text = record.model_dump_json()
    assert "371302199001011234" not in text
    assert np.isclose(
        d.to_frame().set_index("indicator").loc["wrong_exit_rate", "estimate"],
        d.wrong_exit_rate.estimate,
    )


def test_follow_up_holds_codes_not_prose(towns):
    record = summarise_district(towns).to_record()
    follow = {f.township: f for f in record.follow_up}
    codes = [r.code for r in follow["C"].reasons]
    assert codes == ["inconclusive", "not_assessable", "nonresponse"]
    # 8 refusals leave 26 of CV2's 450 households: even no wrong exit could not certify it
    [unchecked] = [r for r in follow["C"].reasons if r.code == "not_assessable"]
    assert unchecked.indicators == [IndicatorRef(kind="village_incidence", village_id="CV2")]
    village = next(v.village for v in record.villages if v.village.village_id == "CV2")
    assert village.not_assessable == "too_few_households" and village.interviewed == 26
    report = DistrictReport(record, "en")
    assert "not checked: poverty incidence of 村CV2" in report.follow_up_reasons(follow["C"])
    assert "not checked (too few of its households interviewed" in report.village_table()
    [open_] = [r for r in follow["C"].reasons if r.code == "inconclusive"]
    assert open_.indicators == [IndicatorRef(kind="wrong_exit_rate")]
    assert open_.follow_up is not None and open_.follow_up.code == "survey_more"
    assert open_.follow_up.households == towns[2].verdict.additional_n
    text = record.model_dump_json()
    for v in record.villages:  # the only Chinese in the record: names from the data
        text = text.replace(v.village.village, "")
    assert not re.search(r"[\u3400-\u9fff]", text)


def test_over_reporting_follows_the_income_conclusion(towns):
    """The district lists a township for over-reporting when its income conclusion is
    systematic over-reporting (收入系统性高报) — not when only the verification factor's point
    estimate is below 0.90 (context, docs/methods.md §5a)."""
    r = towns[0].to_record()
    assert r.income.conclusion == "none_found"  # surveyed = reported: nothing over-reported

    def with_income(**update) -> ResultsRecord:
        return r.model_copy(update={"income": r.income.model_copy(update=update)})

    share = r.income.over_reported_share.model_copy(update={"estimate": 0.158})
    inflated = with_income(conclusion="systematic_over_reporting", over_reported_share=share)
    [reason] = [x for x in follow_up_reasons(inflated) if x.code == "over_reporting"]
    assert reason.value == pytest.approx(0.158)
    assert reason_text(reason, {}, "zh") == "登记收入系统性高报（高报户占受访户15.8%）"
    assert reason_text(reason, {}, "en") == (
        "reported incomes systematically inflated (15.8% of interviewed households over-reported)"
    )
    low_factor = r.income.verification_factor.model_copy(update={"over_reporting_flag": True})
    for code in ("none_found", "inconclusive"):
        other = with_income(conclusion=code, verification_factor=low_factor)
        assert "over_reporting" not in [x.code for x in follow_up_reasons(other)]


def test_district_verdict_through_the_verdict_module(towns):
    """The district rate is judged by ``judge`` against the townships' threshold and level."""
    d = summarise_district(towns)
    e, level = d.wrong_exit_rate, 0.95
    bounds = (e.lower_bound(level), e.upper_bound(level))
    expected = judge("wrong_exit_rate", e.estimate, e.se, e.ci, bounds, 0.02, "below", e.n, level)
    record = d.to_record()
    ind = record.wrong_exit_indicator
    assert ind.verdict == expected.verdict == record.verdict.statistical == "not_credible"
    assert ind.threshold == 0.02 and ind.official_pass is False
    assert ind.estimate.upper_bound == pytest.approx(e.upper_bound(level), rel=1e-12)
    assert record.verdict.failing == [IndicatorRef(kind="wrong_exit_rate")]
    # a looser standard recorded by the townships is the one applied (no threshold literal)
    loose = Thresholds(wrong_exit=0.3)
    lax = [township(n, 60, 900, w, thresholds=loose) for n, w in (("A", 0), ("B", 9))]
    judged = summarise_district(lax).to_record()
    assert judged.wrong_exit_indicator.threshold == 0.3
    assert judged.verdict.statistical == "credible"


def test_townships_assessed_differently_are_refused(towns):
    other = township("D", 60, 900, 0, thresholds=Thresholds(wrong_exit=0.05))
    with pytest.raises(ExitcheckError, match="different wrong_exit_threshold"):
        summarise_district([towns[0], other])


def test_district_json_validates(towns, tmp_path):
    record = summarise_district(towns).to_record(created="2026-01-01T00:00:00+00:00")
    path = write_record(tmp_path, record)
    assert path.name == "district.json"
    again = read_record(path, DistrictRecord)
    assert again == record
    assert again.level == 0.95 and again.county == "C"  # the townships' one county
    assert [t.township for t in again.townships] == ["A", "B", "C"]


def test_bad_input(towns):
    with pytest.raises(ExitcheckError, match="at least one"):
        summarise_district([])
    with pytest.raises(ExitcheckError, match="more than once"):
        summarise_district([towns[0], towns[0]])


def test_from_saved_results_and_units(towns, tmp_path):
    """What a finished version keeps on disk (results.json, units.parquet): same summary."""
    saved = []
    for a in towns:
        folder = tmp_path / a.township
        folder.mkdir()
        write_record(folder, a.to_record())
        path = folder / "units.parquet"
        a.units.drop(columns=list(PERSONAL_COLUMNS)).to_parquet(path)
        saved.append((read_record(folder / "results.json", ResultsRecord), pd.read_parquet(path)))
    disk, memory = summarise_district(saved), summarise_district(towns)
    for name in ("wrong_exit_rate", "wrong_exit_rate_households", "approval_rate"):
        a, b = getattr(disk, name), getattr(memory, name)
        assert (a.estimate, a.se, *a.ci) == pytest.approx((b.estimate, b.se, *b.ci), rel=1e-12)
    assert disk.townships == memory.townships
    assert disk.follow_up == memory.follow_up
    assert disk.to_record() == memory.to_record()
    assert "DistrictSummary(3 townships" in repr(disk)
