"""Township rates: closed forms under SRS, refusals never counted as correct, scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import (
    DESIGN_INFO,
    make_sample,
    make_survey,
    replace,
    set_rows,
    two_stage_case,
)
from scipy import stats

from evaluation.classify import classify_exits, resolve_units
from evaluation.income import compare_income
from evaluation.rates import Designs, estimate_rates


def rule_by_hand(p, se, df, e, f, k, element_df, level):
    """The bound rule of evaluation.bounds written out with scipy (one-sided, p > 0): n* =
    min(p(1−p)/se², e/(1−f)) · min(1, (t_{element_df}/t_df)²), x = max(n*p, k), then
    Clopper–Pearson on (x, n*) for the upper and (n*p, n*) for the lower bound."""
    alpha = 1 - level
    r = min(1.0, (stats.t.ppf(alpha, element_df) / stats.t.ppf(alpha, df)) ** 2)
    n_star = min(p * (1 - p) / se**2 if se > 0 else np.inf, e / (1 - f)) * r
    x = max(n_star * p, k)
    return (
        stats.beta.ppf(alpha, n_star * p, n_star * (1 - p) + 1),
        stats.beta.ppf(1 - alpha, x + 1, n_star - x),
    )


def build(sample, survey, **kw):
    units = classify_exits(resolve_units(sample, survey), **kw)
    return units, Designs.build(units, DESIGN_INFO)


@pytest.fixture
def case():
    sample = make_sample(n_main=40, n_reserve=3, population=200)
    survey = make_survey(sample)
    survey = set_rows(survey, ["H001", "H002"], verified_housing_secure=False)
    survey = set_rows(survey, ["H003"], surveyed_income_per_capita=2950.0)  # wrong, borderline
    survey = set_rows(survey, ["H004"], surveyed_income_per_capita=3050.0)  # borderline only
    survey = set_rows(survey, ["H005", "H007"], visit_status="refused")
    survey = set_rows(survey, ["H009"], approves_result=False, acknowledges_exit=False)
    survey = set_rows(survey, ["H010"], approves_result=None)
    survey = replace(survey, sample, "H006", "H040", status="not_found")
    return sample, survey


def test_person_rate_is_ratio_of_sums_and_matches_svyratio(case):
    units, designs = build(*case)
    rates = estimate_rates(designs)
    resp = units[units["responded"]]
    size = resp["surveyed_household_size"].astype(float)
    expected = (size * resp["wrong_exit"]).sum() / size.sum()
    assert rates.persons.estimate == pytest.approx(expected, rel=1e-12)
    # the person-weighted proportion is the ratio estimator: same point and same linearised SE
    data = designs.households.data.assign(
        wrong_persons=lambda d: d["wrong"] * d["size_for_weight"],
        persons=lambda d: d["size_for_weight"],
    )
    ratio = (
        type(designs.households)(
            data, strata="stratum", psu="psu", weights="weight", fpc="fpc_stage1"
        )
        .subset("responded")
        .ratio("wrong_persons", "persons")
    )
    assert rates.persons.estimate == pytest.approx(ratio.estimate, rel=1e-12)
    assert rates.persons.se == pytest.approx(ratio.se, rel=1e-10)


def test_households_rate_and_refusals_not_counted_correct(case):
    units, designs = build(*case)
    rates = estimate_rates(designs)
    # 38 interviewed (40 − H005 − H007; H006 replaced by H040), 3 wrong (H001, H002, H003)
    assert rates.households.n == 38
    assert rates.households.estimate == pytest.approx(3 / 38)
    sc = rates.scenarios.set_index(["unit", "scenario"])
    assert sc.loc[("households", "nonrespondents_correct"), "estimate"] == pytest.approx(3 / 40)
    assert sc.loc[("households", "nonrespondents_wrong"), "estimate"] == pytest.approx(5 / 40)
    assert sc.loc[("households", "borderline_as_wrong"), "estimate"] == pytest.approx(4 / 38)
    assert sc.loc[("households", "borderline_as_correct"), "estimate"] == pytest.approx(2 / 38)
    # the nonrespondents' registered size stands in for persons in the worst case
    main = units.set_index("household_id")
    resp = units[units["responded"]]
    size = resp["surveyed_household_size"].astype(float)
    lost = main.loc[["H005", "H007"], "household_size"].astype(float).sum()
    worst = ((size * resp["wrong_exit"]).sum() + lost) / (size.sum() + lost)
    assert sc.loc[("persons", "nonrespondents_wrong"), "estimate"] == pytest.approx(worst)


def test_approval_and_acknowledgement(case):
    rates = estimate_rates(build(*case)[1])
    assert rates.approval.n == 37  # H010 did not answer
    assert rates.approval.estimate == pytest.approx(36 / 37)
    assert rates.acknowledgement.estimate == pytest.approx(37 / 38)
    assert set(rates.to_frame()["indicator"]) == {
        "wrong_exit_rate",
        "wrong_exit_rate_households",
        "approval_rate",
        "acknowledgement_rate",
    }


def test_zero_of_149_upper_bound_just_under_two_percent():
    sample = make_sample(n_main=149, n_reserve=0, population=10**9)
    sample["fpc_stage1"] = np.nan  # with replacement: the Clopper–Pearson closed form
    rates = estimate_rates(build(sample, make_survey(sample))[1])
    assert rates.households.estimate == 0.0
    bound = rates.households.upper_bound(0.95)
    # exact hypergeometric zero-error bound of 149 out of N = 10⁹ ≈ Clopper–Pearson 1 − 0.05^(1/149)
    assert bound == pytest.approx(1 - 0.05 ** (1 / 149), rel=1e-6)
    assert 0.019 < bound < 0.02


def test_srs_proportion_matches_clopper_pearson_interval():
    sample = make_sample(n_main=100, n_reserve=0, population=10**9)
    sample["fpc_stage1"] = np.nan
    survey = set_rows(make_survey(sample), ["H001", "H002", "H003"], verified_medical_secure=False)
    est = estimate_rates(build(sample, survey)[1]).households
    # equal weights, with replacement: se² = p(1−p)/(n−1), so Korn–Graubard's n* = n − 1 = 99
    # (below the cap n/(1 − f) ≈ 100; the df ratio is 1): Clopper–Pearson with 2.97 successes of
    # 99 for the lower limit; the upper counts the 3 wrong households found (x = max(2.97, 3))
    assert est.se**2 == pytest.approx(0.03 * 0.97 / 99)
    n_eff = 99
    low = stats.beta.ppf(0.025, n_eff * 0.03, n_eff * 0.97 + 1)
    high = stats.beta.ppf(0.975, 3 + 1, n_eff - 3)
    assert est.ci == pytest.approx((low, high), rel=1e-9)


def test_reasons(case):
    _, designs = build(*case)
    reasons = estimate_rates(designs).reasons.set_index("reason")
    assert reasons.loc["housing", "households"] == 2
    assert reasons.loc["income_below_line", "households"] == 1
    assert reasons.loc["education", "households"] == 0


def test_income_comparison_exact(case):
    sample, survey = case
    units, designs = build(sample, survey)
    ic = compare_income(designs.households, units)
    resp = units[units["responded"]]
    surveyed = resp["surveyed_income_per_capita"] * resp["surveyed_household_size"].astype(float)
    reported = resp["income_per_capita"] * resp["household_size"].astype(float)
    assert ic.verification_factor.estimate == pytest.approx(surveyed.sum() / reported.sum())
    diff = resp["surveyed_income_per_capita"] - resp["income_per_capita"]
    assert ic.mean_difference.estimate == pytest.approx(diff.mean())
    assert ic.over_reported.estimate == pytest.approx(2 / 38)  # H003, H004 at ~3000 vs 4000+
    assert not ic.over_reporting_flag
    low = set_rows(survey, list(resp["household_id"][:20]), surveyed_income_per_capita=100.0)
    units2, designs2 = build(sample, low)
    ic2 = compare_income(designs2.households, units2)
    assert ic2.over_reported.estimate == pytest.approx(20 / 38)
    assert ic2.over_reporting_flag
    assert ic2.signed_rank.p_value < 1e-4
    assert ic2.largest_discrepancies(3)["surveyed"].eq(100.0).all()


REFERENCE = Path(__file__).resolve().parent / "reference_rates"


def test_two_stage_rates_match_r_survey():
    """Every rate against R survey 4.1.1 (reference_rates/make_reference.R) to 1e-6 relative."""
    ref = json.loads((REFERENCE / "reference.json").read_text(encoding="utf-8"))
    sample, survey, info = two_stage_case()
    units = classify_exits(resolve_units(sample, survey))
    designs = Designs.build(units, info)
    rates = estimate_rates(designs)
    income = compare_income(designs.households, units)
    sc = rates.scenarios.set_index(["unit", "scenario"])

    def check(ours, expected):
        for key, value in expected.items():
            assert ours[key] == pytest.approx(value, rel=1e-6, abs=1e-12), key

    def fields(e):
        return {"estimate": e.estimate, "se": e.se}

    def svyciprop(e):
        return {
            "estimate": e.estimate,
            "se": e.se,
            "ci_low": e.ci[0],
            "ci_high": e.ci[1],
            "bound_low": e.lower_bound(0.95),
            "bound_high": e.upper_bound(0.95),
        }

    # point and SE are R's; the wrong-exit bounds follow the count rule (evaluation.bounds),
    # written out by hand on R's estimate and SE
    for unit in ("persons", "households"):
        ours = getattr(rates, unit)
        check(fields(ours), {k: ref[unit][k] for k in ("estimate", "se")})
        b = ours.basis
        args = (ref[unit]["estimate"], ref[unit]["se"], ref["df"], b.equivalent, b.fraction)
        hand = rule_by_hand(*args, b.events, b.element_df, 0.95)
        assert (ours.lower_bound(0.95), ours.upper_bound(0.95)) == pytest.approx(hand, rel=1e-6)
        hand_ci = rule_by_hand(*args, b.events, b.element_df, 0.975)
        assert ours.ci == pytest.approx(hand_ci, rel=1e-6)
    # approval keeps R's svyciprop interval
    check(svyciprop(rates.approval), ref["approval"])
    # the person-weighted proportion is R's svyratio (same point and SE)
    check(
        {"estimate": rates.persons.estimate, "se": rates.persons.se},
        {k: ref["persons_ratio"][k] for k in ("estimate", "se")},
    )
    # worst case (every nonrespondent wrong): R's SE is below the household SRSWOR SE
    # √(p(1−p)/n · (1 − n/N̂)), n = 64 main units, N̂ = Σ weights, so n* is the cap e/(1 − f) with
    # e = Kish's (Σw)²/Σw² of the 64 units' weights, times the df ratio: Clopper–Pearson on it
    n, df = 64, ref["df"]
    weights = units["weight"].to_numpy(float)
    fraction = n / weights.sum()
    kish = weights.sum() ** 2 / np.square(weights).sum()
    strata = units["stratum"].nunique()
    for unit in ("households", "persons"):
        worst, p = sc.loc[(unit, "nonrespondents_wrong")], ref[f"{unit}_worst"]["estimate"]
        floor = np.sqrt(p * (1 - p) / n * (1 - fraction))
        assert ref[f"{unit}_worst"]["se"] < floor
        assert worst["estimate"] == pytest.approx(p, rel=1e-9)
        events = int((units["wrong_exit"] & units["responded"]).sum() + (~units["responded"]).sum())
        se = ref[f"{unit}_worst"]["se"]
        hand = rule_by_hand(p, se, df, kish, fraction, events, n - strata, 0.975)
        assert (worst["ci_low"], worst["ci_high"]) == pytest.approx(hand, rel=1e-9)
    for name in ("verification_factor", "mean_difference"):
        e = getattr(income, name)
        check(
            {"estimate": e.estimate, "se": e.se, "ci_low": e.ci[0], "ci_high": e.ci[1]}, ref[name]
        )
    assert rates.persons.df == ref["df"]


def test_person_rate_counts_the_wrong_household_found():
    # one wrong household of size 1 among households of size 1–4: the person rate's linearised n*
    # counts persons (n* ≫ n households), and n*·p̂ < 1 event. The count rule caps n* at the
    # equivalent households e/(1 − f) and counts at least the 1 wrong household found, so the
    # upper bound is Clopper–Pearson with x = max(n*p̂, 1) (rule_by_hand) and lies above R's
    # svyciprop on the raw SE
    sample = make_sample(n_main=100, n_reserve=0, population=10**6)
    sample["fpc_stage1"] = np.nan
    survey = set_rows(make_survey(sample), ["H000"], verified_medical_secure=False)
    units, designs = build(sample, survey)
    assert units.set_index("household_id").loc["H000", "surveyed_household_size"] == 1
    raw = designs.persons.subset("responded").proportion("wrong")
    persons = designs.estimate("wrong", persons=True, counts=True)
    p, fraction = persons.estimate, 100 / units["weight"].sum()
    assert persons.basis.events == 1 and persons.basis.equivalent == pytest.approx(100.0)
    assert p * (1 - p) / raw.se**2 > 100 / (1 - fraction)  # the cap binds
    hand = rule_by_hand(p, raw.se, raw.df, 100.0, fraction, 1, 99, 0.95)
    assert (persons.lower_bound(0.95), persons.upper_bound(0.95)) == pytest.approx(hand, rel=1e-9)
    assert persons.upper_bound(0.95) > raw.upper_bound(0.95)
    assert persons.se == raw.se  # the design SE is reported as it is
    assert designs.estimate("wrong", persons=True).basis is None  # counts=False: R's svyciprop


def test_upper_bound_grows_with_the_wrong_households_found():
    """0 ≤ 1 ≤ 2 … wrong households in the same 150 of 600: the person and household upper
    bounds never fall (issue 11: 0 of 140 must not be worse than 1 of 140)."""
    sample = make_sample(n_main=150, n_reserve=0, population=600)
    previous = {True: 0.0, False: 0.0}
    for k in range(0, 8):
        ids = [f"H{i:03d}" for i in range(0, 150, 19)][:k]
        survey = set_rows(make_survey(sample), ids, verified_medical_secure=False)
        designs = build(sample, survey)[1]
        for persons in (True, False):
            bound = designs.estimate("wrong", persons=persons, counts=True).upper_bound(0.95)
            assert bound >= previous[persons] - 1e-12, (k, persons)
            previous[persons] = bound


@pytest.mark.slow
def test_simulation_covers_known_true_rate():
    """Known truth: 2000 exited households, 3% wrong (household sizes as in the demo district);
    120 stratified samples of 200 with 5% refusals. The one-sided 95% bounds of the person rate
    must cover the true rate about 95% of the time (binomial band: ≥ 90% of 120)."""
    rng = np.random.default_rng(20161)
    n_pop = 2000
    population = make_sample(n_main=n_pop, n_reserve=0, population=n_pop)
    size = rng.choice(np.arange(1, 8), n_pop, p=[0.17, 0.25, 0.2, 0.18, 0.11, 0.06, 0.03])
    wrong = rng.random(n_pop) < 0.03
    population["household_size"] = pd.array(size, dtype="Int64")
    population["stratum"] = np.where(np.arange(n_pop) < 800, "low", "high")
    survey = make_survey(population)
    survey["verified_housing_secure"] = pd.array(~wrong, dtype="boolean")
    refused = rng.random(n_pop) < 0.05
    survey.loc[refused, "visit_status"] = "refused"
    units = classify_exits(resolve_units(population, survey))
    truth = (size * wrong).sum() / size.sum()
    strata = units["stratum"].to_numpy()
    n_h = {"low": 80, "high": 120}
    covered = np.zeros(3)
    for _ in range(120):
        picks = [rng.choice(np.flatnonzero(strata == h), k, replace=False) for h, k in n_h.items()]
        drawn = units.iloc[np.sort(np.concatenate(picks))].copy()
        big_n = drawn["stratum"].map({"low": 800, "high": 1200})
        drawn["fpc_stage1"] = big_n.astype(float)
        drawn["weight"] = big_n / drawn["stratum"].map(n_h)
        est = Designs.build(drawn, DESIGN_INFO).estimate("wrong", persons=True)
        covered += [
            est.upper_bound(0.95) >= truth,
            est.lower_bound(0.95) <= truth,
            est.ci[0] <= truth <= est.ci[1],
        ]
    assert (covered / 120 >= [0.90, 0.90, 0.88]).all(), covered / 120


def test_homogeneous_strata_do_not_collapse_the_household_rate_interval():
    """A low-margin stratum whose sampled households are all wrong exits beside one with none
    (as in the demo's problem township) has a linearised SE of 0; the count rule's cap restores
    n* = e/(1 − f), so the interval is not spuriously narrow."""
    sample = make_sample(n_main=100, n_reserve=0, population=1000)
    sample["stratum"] = np.where(np.arange(len(sample)) < 10, "low", "high")
    sample["fpc_stage1"] = np.where(sample["stratum"] == "low", 50.0, 950.0)
    low = list(sample["household_id"][:10])
    survey = set_rows(make_survey(sample), low, verified_medical_secure=False)
    units, designs = build(sample, survey)
    raw = designs.households.subset("responded").proportion("wrong")
    assert raw.se == pytest.approx(0.0, abs=1e-12)
    households = designs.estimate("wrong", counts=True)
    weights = units["weight"].to_numpy(float)
    kish = weights.sum() ** 2 / np.square(weights).sum()
    p, fraction = households.estimate, 100 / weights.sum()
    hand = rule_by_hand(p, 0.0, raw.df, kish, fraction, 10, 98, 0.975)
    assert households.ci == pytest.approx(hand, rel=1e-9)
    assert households.ci[1] - households.ci[0] > 0.05
    rates = estimate_rates(designs)
    assert rates.households.ci == households.ci
