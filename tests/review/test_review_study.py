"""A small-R methodology review: coverage, OC against closed forms, monotonicity, JSON, CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data_contracts.errors import ExitcheckError
from evaluation.review import ReviewConfig, run_review
from evaluation.review.summary import non_monotone_oc, risks
from evaluation.review.township import RISK_BANDS
from evaluation.verdict import VERDICTS, judge, verdict_codes
from sampling.allocation import allocate
from sampling.plans import zero_event_upper
from workbench.cli import main

pytestmark = pytest.mark.slow

REPS = 400
MC = np.sqrt(
    0.95 * 0.05 / REPS
)  # Monte Carlo SE of a 95 % coverage estimated from REPS replications


@pytest.fixture(scope="module")
def review():
    config = ReviewConfig(
        reps=REPS,
        seed=20161,
        stratified_sizes=(150,),
        cluster_villages=(6,),
        two_stage_sizes=((10, 15),),
    )
    return run_review(config)


def _cell(table, **where):
    rows = table
    for key, value in where.items():
        rows = (
            rows[np.isclose(rows[key], value)]
            if isinstance(value, float)
            else rows[rows[key] == value]
        )
    assert len(rows) == 1, where
    return rows.iloc[0]


@pytest.mark.parametrize("measure", ["persons", "households"])
def test_beta_covers_at_two_percent_default_design(review, measure):
    """Korn–Graubard coverage at 2 % within 3 MC SEs of 95 % or above (default stratified)."""
    cell = _cell(
        review.tables["coverage"],
        design_size="stratified n=150",
        measure=measure,
        method="beta",
        rate=0.02,
    )
    assert cell["coverage"] >= 0.95 - 3 * MC
    assert cell["mc_se"] == pytest.approx(np.sqrt(cell["coverage"] * (1 - cell["coverage"]) / REPS))


def test_oc_matches_hypergeometric_closed_form(review):
    """Households, stratified n=150: 0/150 gives a CP bound < 2 % and 1/150 does not, so
    P(credible) = P(no wrong household sampled) = Π_h C(N_h − D_h, n_h) / C(N_h, n_h)."""
    town = review.township
    counts = np.bincount(town.band, minlength=3)
    alloc = allocate(pd.Series(counts, index=RISK_BANDS), 150, "proportional").to_numpy()
    oc = review.tables["oc"]
    for k, rate in enumerate(review.config.rates):
        wrong = np.bincount(town.band, weights=town.wrong[:, k], minlength=3).astype(int)
        exact = np.prod(stats.hypergeom.pmf(0, counts, wrong, alloc))
        sim = _cell(
            oc,
            design_size="stratified n=150",
            measure="households",
            method="beta",
            rate=float(rate),
        )
        tol = 3.5 * np.sqrt(exact * (1 - exact) / REPS) + 1e-12
        assert abs(sim["p_credible"] - exact) <= tol, (rate, sim["p_credible"], exact)


def test_oc_monotone_except_documented_persons_beta(review):
    """OC curves are monotone in the true rate for every method the assessment uses; only
    Korn–Graubard without the household floor on the persons ratio breaks it (a finding)."""
    bad = non_monotone_oc(review)
    assert set(bad["method"]) <= {"beta_raw"}
    assert set(bad["measure"]) <= {"persons"}
    oc = review.tables["oc"]
    for _, g in oc[oc["method"] == "beta"].groupby(["design_size", "measure"]):
        g = g.sort_values("rate")
        assert np.all(np.diff(g["p_credible"]) <= 0) and np.all(np.diff(g["p_not_credible"]) >= 0)
        assert g["p_not_credible"].iloc[-1] > 0.5  # at 8 % the verdict almost always fails


def test_risks_and_official_rule(review):
    r = _cell(risks(review), design_size="stratified n=150")
    # official point-estimate rule passes about half the townships sitting at the threshold
    assert 0.4 < r["consumer_risk_official_0.02"] < 0.65
    assert r["producer_risk_official"] < 0.05
    # the statistical verdict passes far fewer townships at the threshold, but fails many good ones
    assert r["consumer_risk_0.02"] < 0.2 and r["producer_risk"] > 0.3


def test_sizes_needed_by_the_rule(review):
    """Zero-error sizes are the exact hypergeometric plan (``zero_event_upper``, N = 1,500, the
    frame's size factor s for persons): n certifies with no error found, n − 1 cannot; the
    stratified size needed reaches the target power in simulation, above every simulated
    stratified size that does not."""
    town = review.township
    s, big_n = town.size_factor, town.n_households
    for _, row in review.tables["size_needed"].iterrows():
        for n, factor in ((row["n_zero_persons"], s), (row["n_zero_households"], 1.0)):
            assert zero_event_upper(n * factor, big_n * factor, 0.05) < 0.02
            assert zero_event_upper((n - 1) * factor, big_n * factor, 0.05) >= 0.02
        assert row["p_credible"] >= 0.8 and row["n_zero_persons"] > row["n_zero_households"]
        assert row["mc_se"] == pytest.approx(
            np.sqrt(row["p_credible"] * (1 - row["p_credible"]) / REPS)
        )
    assert review.tables["size_needed"]["scenario"].tolist() == [
        "base",
        "large_households",
        "large_households",
    ]
    oc = review.tables["oc"]
    good = _cell(oc, design_size="stratified n=150", measure="persons", method="beta", rate=0.005)
    assert good["p_credible"] == 0  # 150 < n_zero_persons: no township can be certified
    base = review.tables["size_needed"].iloc[0]
    assert base["n_needed"] > 150
    sample = review.tables["sample_size"].set_index("design")
    assert (sample["n_stratified"] == base["n_needed"]).all()
    assert sample.loc["stratified", "projected_n"] == base["n_needed"]


def test_base_scenario_is_the_oc_table(review):
    """The rule study's base scenario reproduces the OC table (beta, persons) exactly: the same
    draws, the same estimates, the same rule."""
    v = review.tables["verdict_oc"]
    base = v[v["scenario"] == "base"].reset_index(drop=True)
    oc = review.tables["oc"]
    oc = oc[(oc["method"] == "beta") & (oc["measure"] == "persons")].reset_index(drop=True)
    for col in ("design_size", "rate", "true_rate", "p_credible", "p_inconclusive"):
        assert base[col].tolist() == oc[col].tolist(), col
    risks_ = review.to_record().tables["scenario_risks"]
    assert {r["scenario"] for r in risks_} == {"base", "large_households"}
    assert all(r["within"] for r in risks_)


def test_verdict_codes_rule_and_judge():
    """The array rule against a hand-written truth table (ties included), and ``judge`` on it."""
    low = np.array([0.005, 0.010, 0.019, 0.020, 0.021, 0.010, 0.020])
    high = np.array([0.015, 0.020, 0.030, 0.020, 0.040, 0.0199, 0.050])
    # below 2 %: credible iff upper < 2 %; not credible iff lower >= 2 %
    np.testing.assert_array_equal(verdict_codes(low, high, 0.02), [0, 1, 1, 2, 2, 0, 2])
    # at least 2 %: credible iff lower >= 2 %; not credible iff upper < 2 %
    np.testing.assert_array_equal(verdict_codes(low, high, 0.02, "at_least"), [2, 1, 1, 0, 0, 2, 0])
    with pytest.raises(ValueError, match="direction"):
        verdict_codes(low, high, 0.02, "above")
    rng = np.random.default_rng(0)
    lows, highs = np.sort(rng.uniform(0, 0.05, (2, 300)), axis=0)
    lows[:5], highs[:5] = 0.02, 0.02  # ties at the threshold
    for direction in ("below", "at_least"):
        codes = verdict_codes(lows, highs, 0.02, direction)
        assert set(codes) == {0, 1, 2}
        for lo, hi, code in zip(lows, highs, codes, strict=True):
            ind = judge("w", (lo + hi) / 2, 0.01, (lo, hi), (lo, hi), 0.02, direction, 100)
            assert ind.verdict == VERDICTS[code]
            assert ind.additional_n is None  # no advice basis given: no advice


def test_sensitivity_tables(review):
    me = review.tables["measurement_error"]
    at = me[np.isclose(me["rate"], 0.02)].sort_values("measurement_sd")
    assert at["correct_look_wrong"].iloc[0] == 0 and at["bias"].iloc[0] == pytest.approx(
        0, abs=3e-3
    )
    # more noise, more apparent wrong exits
    assert np.all(np.diff(at["expected_apparent_rate"]) > 0)
    # the simulated survey agrees with the closed form Σ size·Φ(−ln r/τ) / Σ size (5 MC SEs)
    np.testing.assert_allclose(at["mean_estimate"], at["expected_apparent_rate"], atol=3e-3)
    nr = review.tables["nonresponse"]
    at = nr[np.isclose(nr["rate"], 0.02)].sort_values("response_wrong", ascending=False)
    assert np.all(np.diff(at["mean_estimate"]) < 0)  # wrong exits hiding pull the estimate down


def test_json_is_complete(review):
    from data_contracts.records import dump_record

    doc = json.loads(dump_record(review.to_record()))
    assert {
        "coverage", "oc", "accuracy", "risks", "design_effects", "sample_size", "verdict_oc",
        "scenario_risks", "size_needed",
    } <= set(doc["tables"])  # fmt: skip
    assert doc["parameters"]["township"]["size_risk"] == 0
    assert doc["parameters"]["size_risk_scenarios"] == [1.0, 2.0]
    assert len(doc["tables"]["coverage"]) == 3 * 2 * 8 * 4  # designs × measures × rates × methods
    assert doc["parameters"]["reps"] == REPS and doc["findings"]
    assert doc["schema_version"] == 1 and doc["kind"] == "review"
    assert "ReviewResult(400 reps" in repr(review)


def test_findings_are_codes_worded_in_either_language(review):
    """Findings are codes + numbers; the catalogue words them (no Chinese in the English)."""
    from reports.review_report import finding_text

    found = review.findings()
    codes = [f.code for f in found]
    assert "risk" in codes and "by_method" in codes and codes[-1] in ("mono", "not_mono")
    risk = next(f for f in found if f.code == "risk")
    assert risk.params["d"] == "stratified n=150" and 0 <= risk.params["cr"] <= 1
    zh, en = finding_text(risk, "zh"), finding_text(risk, "en")
    assert "分层随机抽样 n=150" in zh and f"{risk.params['cr']:.1%}" in zh
    assert en.startswith("Default (stratified n=150") and not re.search(r"[\u4e00-\u9fff]", en)


def test_cli_writes_json_and_html_and_refuses_existing_folder(tmp_path, capsys):
    out = tmp_path / "rev"
    args = ["review", "--reps", "20", "--seed", "3", "--size-risk", "0.5"]
    assert main([*args, "--size-risk-scenarios", "1.5", "--out", str(out)]) == 0
    doc = json.loads((out / "review.json").read_text(encoding="utf-8"))
    assert doc["parameters"]["seed"] == 3
    assert doc["parameters"]["township"]["size_risk"] == 0.5
    assert doc["parameters"]["size_risk_scenarios"] == [1.5]
    assert {r["size_risk"] for r in doc["tables"]["scenario_risks"]} == {0.5, 1.5}
    page = (out / "review.html").read_text(encoding="utf-8")
    assert "主要结论" in page and "Traceback" not in page
    assert page.count('<figure class="chart">') == 2  # OC and coverage figures, inline SVG
    assert not list(out.glob("*.ipynb"))  # rendered in-process from review.json, no notebook
    assert main(["review", "--reps", "20", "--no-html", "--out", str(out)]) == 2
    assert main(["review", "--reps", "5", "--no-html", "--out", str(tmp_path / "x")]) == 2
    assert "between 20 and 20000" in capsys.readouterr().err


def test_report_tables_from_json(review, tmp_path):
    """The report's tables and figures read review.json back with Chinese labels."""
    from data_contracts.records import write_record
    from reports.review_report import ReviewReport

    path = write_record(tmp_path, review.to_record())
    report = ReviewReport.load(path)
    cov = report.coverage_frame()
    assert cov.shape == (3 * 4, 2 + 8) and list(cov.columns[:2]) == ["设计", "区间方法"]
    assert "分层随机抽样 n=150" in set(cov["设计"])
    oc = report.oc_frame("stratified n=150")
    assert list(oc.columns) == ["真实错退率", "可信", "尚无定论", "不可信", "官方规则通过"]
    assert oc["真实错退率"].iloc[0] == "0.0%"
    assert report.risk_frame().shape[0] == 3
    assert report.sensitivity_frame("nonresponse").shape[0] == 4
    fig = report.oc_figure()
    assert len(fig.axes) == 3
    fig.clf()
    with pytest.raises(ExitcheckError, match="missing"):
        ReviewReport.load(tmp_path / "missing.json")
