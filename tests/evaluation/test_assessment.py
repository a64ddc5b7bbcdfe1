"""assess_township end to end on synthetic townships: verdicts, results.json, privacy."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import (
    DESIGN_INFO,
    make_registry,
    make_sample,
    make_survey,
    make_village_survey,
    make_villages,
    replace,
    set_rows,
)

from data_contracts.errors import ExitcheckError
from data_contracts.records import ResultsRecord, dump_record, parse_record
from evaluation.assessment import Parameters, assess_township
from evaluation.verdict import Thresholds

# 160 households of 600: above sampling.plans.zero_failure_plan(0.02, 0.95, 0, 600,
# size_factor=0.831) = 154 (the frame's household sizes 1–4), so no error found certifies the
# person rate; 132 would certify the household rate only
N, POP = 160, 600


@pytest.fixture(scope="module")
def clean():
    sample = make_sample(n_main=N, n_reserve=3, population=POP)
    return sample, make_survey(sample), make_registry(sample, POP), make_villages(pop=8000)


def run(sample, survey, registry, villages, **kw):
    """Assess with a village survey that confirms the registry's counts (unless given)."""
    kw.setdefault("village_survey", make_village_survey(villages))
    return assess_township(sample, survey, registry, villages, DESIGN_INFO, **kw)


def test_clean_township_is_credible(clean):
    a = run(*clean)
    assert a.verdict.statistical == "credible" and a.verdict.official_pass
    assert a.indicator("wrong_exit_rate").bound_high < 0.02
    assert set(a.indicators) == {
        ("wrong_exit_rate", None),
        ("wrong_exit_rate_households", None),
        ("approval_rate", None),
        ("village_incidence", "V1"),
        ("village_incidence", "V2"),
        ("procedure_compliance", None),
    }
    assert a.to_record().verdict.follow_up is None


def test_many_wrong_exits_not_credible(clean):
    sample, survey, registry, villages = clean
    wrong = [f"H{i:03d}" for i in range(0, N, 10)]  # 16 of 160 households
    survey = set_rows(survey, wrong, surveyed_income_per_capita=1500.0)
    a = run(sample, survey, registry, villages)
    assert a.indicator("wrong_exit_rate").verdict == "not_credible"
    assert a.verdict.statistical == "not_credible" and not a.verdict.official_pass
    assert ("wrong_exit_rate", None) in a.verdict.failing
    assert len(a.wrong_exits()) == 16


def test_small_sample_inconclusive_with_advice():
    sample = make_sample(n_main=30, n_reserve=0, population=POP)
    a = run(sample, make_survey(sample), make_registry(sample, POP), make_villages(pop=8000))
    ind = a.indicator("wrong_exit_rate")
    assert ind.verdict == "inconclusive" and ind.official_pass
    assert ind.additional_n is not None and 0 < ind.additional_n <= POP - 30
    assert a.verdict.statistical == "inconclusive" and a.verdict.additional_n >= ind.additional_n


def test_low_approval_and_bad_procedure(clean):
    sample, survey, registry, villages = clean
    survey = set_rows(survey, [f"H{i:03d}" for i in range(40)], approves_result=False)
    registry = registry.copy()
    registry.loc[: POP // 10, "household_acknowledged"] = False
    a = run(sample, survey, registry, villages)
    assert a.indicator("approval_rate").verdict == "not_credible"
    proc = a.indicator("procedure_compliance")
    assert proc.estimate == pytest.approx(1 - (POP // 10 + 1) / POP)
    assert proc.verdict == "not_credible" and proc.se == 0
    assert a.household_procedure.violations()["acknowledgement_missing"].all()


def test_missing_approval_keeps_township_from_credible(clean):
    sample, survey, registry, villages = clean
    a = run(sample, survey.assign(approves_result=pd.NA), registry, villages)
    assert ("approval_rate", None) not in a.indicators
    assert a.verdict.statistical == "inconclusive" and a.verdict.missing == ("approval_rate",)
    record = a.to_record()
    assert record.indicator("approval_rate") is None and record.verdict.missing == ["approval_rate"]


def test_planted_village_not_credible(clean):
    sample, survey, registry, villages = clean
    villages = villages.copy()
    villages.loc[0, "poor_population_remaining"] = 300  # 3.75% in the registry already
    a = run(sample, survey, registry, villages)
    assert a.indicator("village_incidence", "V1").verdict == "not_credible"
    assert a.indicator("village_incidence", "V2").verdict == "credible"
    assert a.verdict.failing == (("village_incidence", "V1"),)
    assert a.to_record().verdict.failing[0].village_id == "V1"


def test_no_village_survey_leaves_every_key_village_not_checked(clean):
    sample, survey, registry, villages = clean
    a = run(sample, survey, registry, villages, village_survey=None)
    key = [("village_incidence", "V1"), ("village_incidence", "V2")]
    assert [a.indicators[k].verdict for k in key] == ["not_assessable"] * 2
    assert a.verdict.not_assessable == tuple(key) and a.verdict.statistical != "credible"
    record = a.to_record()
    assert [v.not_assessable for v in record.villages] == ["no_village_survey"] * 2
    assert [v.verified_incidence for v in record.villages] == [None, None]
    assert [r.village_id for r in record.verdict.not_assessable] == ["V1", "V2"]
    # with the village survey the same villages are checked (75 of ~300 households each, none
    # wrong: upper bound ≈ 0.5% < 2%)
    checked = run(sample, survey, registry, villages)
    assert [checked.indicators[k].verdict for k in key] == ["credible"] * 2
    assert checked.verdict.not_assessable == ()
    # another indicator failing makes the township not credible, never the unchecked villages
    wrong = set_rows(survey, [f"H{i:03d}" for i in range(0, N, 10)], surveyed_income_per_capita=1.0)
    bad = run(sample, wrong, registry, villages, village_survey=None)
    assert bad.verdict.statistical == "not_credible"
    assert ("wrong_exit_rate", None) in bad.verdict.failing
    assert all(ref[0] != "village_incidence" for ref in bad.verdict.failing)


def test_refusals_reported_and_bounded(clean):
    sample, survey, registry, villages = clean
    survey = set_rows(survey, ["H001", "H002"], visit_status="refused")
    survey = set_rows(survey, ["H003"], visit_status="not_found")
    survey = replace(survey, sample, "H004", f"H{N:03d}")  # the first reserve
    a = run(sample, survey, registry, villages)
    s = a.sample_summary()
    assert s == {
        "planned": N,
        "interviewed": N - 3,
        "completed": N - 4,
        "replacements": 1,
        "refused": 2,
        "not_found": 1,
        "missing": 0,
    }
    sens = {s.scenario: s.estimate.estimate for s in a.to_record().scenarios if s.unit == "persons"}
    assert sens["nonrespondents_wrong"] > 0 == sens["nonrespondents_correct"]
    follow = {f.household_id: f.reasons for f in a.follow_up()}
    assert set(follow) == {"H001", "H002", "H003"}
    assert all(reasons == ["not_interviewed"] for reasons in follow.values())


def test_results_json_schema_and_privacy(clean):
    sample, survey, registry, villages = clean
    survey = set_rows(survey, ["H005"], verified_housing_secure=False)
    a = run(sample, survey, registry, villages)
    record = a.to_record()
    text = dump_record(record)
    assert parse_record(json.loads(text), ResultsRecord) == record  # round trip, schema-valid
    kinds = {(i.kind, i.village_id) for i in record.indicators}
    assert kinds == {
        ("wrong_exit_rate", None),
        ("wrong_exit_rate_households", None),
        ("approval_rate", None),
        ("village_incidence", "V1"),
        ("village_incidence", "V2"),
        ("procedure_compliance", None),
    }
    wrong = record.indicator("wrong_exit_rate")
    assert wrong.estimate.estimate == pytest.approx(a.rates.persons.estimate, abs=1e-15)
    assert wrong.estimate.upper_bound == pytest.approx(a.rates.persons.upper_bound(0.95))
    assert record.indicator("procedure_compliance").estimate.method == "census"
    assert not record.indicator("wrong_exit_rate_households").judged
    assert record.parameters.wrong_exit_threshold == 0.02
    assert record.verdict.statistical in ("credible", "inconclusive", "not_credible")
    assert [r.reason for r in record.reasons if r.households] == ["housing"]
    for secret in ("张三", "371302199001011234", "13800001234"):
        assert secret not in text
    wrong = a.wrong_exits()
    assert wrong.loc[0, "head_id_number"] == "3713**********1234"
    assert wrong.loc[0, "head_name"] == "张*"
    assert "3713" not in json.dumps([f.model_dump() for f in a.follow_up()])


def test_parameters_change_verdict(clean):
    strict = Parameters(thresholds=Thresholds(wrong_exit=0.015))
    a = run(*clean, parameters=strict)
    assert a.indicator("wrong_exit_rate").verdict == "inconclusive"
    assert a.to_record().parameters.wrong_exit_threshold == 0.015
    assert np.isclose(a.indicator("wrong_exit_rate").threshold, 0.015)


@pytest.fixture(scope="module")
def demo():
    from data_contracts.demo.generator import generate_district

    return generate_district()


def assess_demo(district, township: str, seed: int = 7):
    """Sample 200 households (risk strata, 3 reserves each), simulate the field work, assess."""
    from data_contracts.demo.survey_simulator import simulate_survey, simulate_village_survey
    from sampling.frame import build_frame
    from sampling.stratified import stratified_sample

    frame = build_frame(district.households, district.villages, district.poverty_lines, township)
    drawn = stratified_sample(frame, 200, seed=seed, reserves=3)
    survey = simulate_survey(drawn.units, district, seed=seed + 1)
    ids = district.villages.loc[district.villages["township"] == township, "village_id"]
    village_survey = simulate_village_survey(ids, district, seed=seed + 2)
    return assess_township(
        drawn.units, survey, district.households, district.villages, drawn.design, village_survey
    )


@pytest.mark.slow
def test_demo_planted_problems_show_up(demo):
    truth = demo.to_frame()["true_wrong_exit_rate_persons"]
    planted = demo.planted
    inflated = planted["inflated_income"]["township"]
    clean = truth.drop([p["township"] for p in planted.values()]).idxmin()
    bad, good = assess_demo(demo, inflated), assess_demo(demo, clean)
    for township, a in ((inflated, bad), (clean, good)):
        low, high = a.rates.persons.ci
        assert low <= truth[township] <= high, (township, truth[township], a.rates.persons)
    assert good.indicator("wrong_exit_rate").verdict != "not_credible"
    assert bad.indicator("wrong_exit_rate").verdict == "not_credible"
    assert bad.verdict.statistical == "not_credible"
    village = planted["key_village_incidence"]
    a = assess_demo(demo, village["township"])
    assert a.indicator("village_incidence", village["village_id"]).verdict == "not_credible"
    a = assess_demo(demo, planted["short_notice"]["township"])
    assert a.indicator("procedure_compliance").verdict == "not_credible"
    text = dump_record(a.to_record())
    tables = a.wrong_exits().to_csv()
    people = demo.households.loc[demo.households["township"] == a.township]
    for col in ("head_id_number", "phone", "head_name"):
        shown = set(people[col].dropna().astype(str))
        assert not any(v in text or v in tables for v in list(shown)[:200]), col


def test_registry_must_be_the_sampled_one(clean):
    sample, survey, registry, villages = clean
    info = {**DESIGN_INFO, "frame_households": POP + 1}
    with pytest.raises(ExitcheckError, match="frame_households"):
        assess_township(sample, survey, registry, villages, info)
    a = assess_township(
        sample, survey, registry, villages, {**DESIGN_INFO, "frame_households": POP},
        village_survey=make_village_survey(villages),
    )  # fmt: skip
    assert a.to_frame().shape[0] == 6
    assert a.verdict.to_frame().loc[0, "statistical"] == "credible"
