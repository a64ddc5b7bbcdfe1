"""District summary: townships as strata (closed form), verdict table, follow-up list."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from district_fixtures import township

from data_contracts.errors import ExitcheckError
from data_contracts.privacy import PERSONAL_COLUMNS
from data_contracts.records import (
    DistrictRecord,
    IndicatorRef,
    ResultsRecord,
    read_record,
    write_record,
)
from evaluation.district import follow_up_reasons, summarise_district
from evaluation.verdict import Thresholds, judge
from reports.district_report import DistrictReport, reason_text


@pytest.fixture(scope="module")
def towns():
    return [township("A", 150, 600, 0), township("B", 60, 900, 9), township("C", 60, 900, 0, 8)]


def test_townships_as_strata_closed_form(towns):
    # without nonresponse Σw is each township's N, so p = Σ (N_t/N) p_t and
    # var = Σ (N_t/N)² var_t exactly (stratified estimator over independent townships)
    d = summarise_district(towns[:2])
    (a, b), shares = (t.rates.households for t in towns[:2]), np.array([600, 900]) / 1500
    est = d.wrong_exit_rate_households
    assert est.estimate == pytest.approx(shares @ [a.estimate, b.estimate], rel=1e-12)
    assert est.estimate == pytest.approx(0.6 * 9 / 60)
    assert est.se == pytest.approx(np.sqrt(shares**2 @ [a.se**2, b.se**2]), rel=1e-9)
    assert est.n == 210 and est.df == 208  # PSUs − strata (the townships' strata)
    persons = d.wrong_exit_rate
    units = [t.units for t in towns[:2]]
    num = sum((u["weight"] * u["surveyed_household_size"] * u["wrong_exit"]).sum() for u in units)
    den = sum((u["weight"] * u["surveyed_household_size"]).sum() for u in units)
    assert persons.estimate == pytest.approx(num / den, rel=1e-12)


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
    assert codes == ["inconclusive", "nonresponse"]
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
    """The pooled rate is judged by ``judge`` against the townships' threshold and level."""
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
