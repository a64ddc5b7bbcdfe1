"""District summary: townships as strata (closed form), verdict table, follow-up list."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from assessment_fixtures import make_registry, make_sample, make_survey, make_villages, set_rows

from data_contracts.errors import ExitcheckError
from data_contracts.privacy import PERSONAL_COLUMNS
from evaluation.assessment import assess_township
from evaluation.district import summarise_district


def township(name: str, n: int, population: int, wrong: int, refused: int = 0):
    sample = make_sample(
        n_main=n,
        n_reserve=0,
        population=population,
        township=name,
        villages=(f"{name}V1", f"{name}V2"),
    )
    sample["household_id"] = name + sample["household_id"]
    sample["psu"] = sample["household_id"]
    survey = make_survey(sample)
    ids = list(survey["household_id"])
    survey = set_rows(survey, ids[:wrong], verified_education_secure=False)
    survey = set_rows(survey, ids[wrong : wrong + refused], visit_status="refused")
    villages = make_villages((f"{name}V1", f"{name}V2"), township=name, pop=8000)
    info = {"design": "stratified", "township": name, "seed": 1, "parameters": {}}
    return assess_township(sample, survey, make_registry(sample, population), villages, info)


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
    t = d.townships.set_index("township")
    assert t.loc["A", "verdict"] == "credible" and t.loc["B", "verdict"] == "not_credible"
    assert t.loc["C", "interviewed"] == 52
    follow = d.follow_up.set_index("township")
    assert list(follow.index) == ["B", "C"]
    assert "不可信指标：错退率" in follow.loc["B", "why"]
    assert "未访问户占13%" in follow.loc["C", "why"]
    assert set(d.villages["township"]) == {"A", "B", "C"}
    assert len(d.villages) == 6
    text = json.dumps(d.to_results(), ensure_ascii=False, allow_nan=False)
    assert "371302199001011234" not in text
    assert np.isclose(
        d.to_frame().set_index("indicator").loc["wrong_exit_rate", "estimate"],
        d.wrong_exit_rate.estimate,
    )


def test_bad_input(towns):
    with pytest.raises(ExitcheckError, match="at least one"):
        summarise_district([])
    with pytest.raises(ExitcheckError, match="more than once"):
        summarise_district([towns[0], towns[0]])


def test_from_saved_results_and_units(towns, tmp_path):
    """What a finished version keeps on disk (results.json, units.parquet): same summary."""
    saved = []
    for a in towns:
        path = tmp_path / f"{a.township}.parquet"
        a.units.drop(columns=list(PERSONAL_COLUMNS)).to_parquet(path)
        saved.append((json.loads(json.dumps(a.to_results())), pd.read_parquet(path)))
    disk, memory = summarise_district(saved), summarise_district(towns)
    for name in ("wrong_exit_rate", "wrong_exit_rate_households", "approval_rate"):
        a, b = getattr(disk, name), getattr(memory, name)
        assert (a.estimate, a.se, *a.ci) == pytest.approx((b.estimate, b.se, *b.ci), rel=1e-12)
    pd.testing.assert_frame_equal(disk.townships, memory.townships)
    pd.testing.assert_frame_equal(disk.follow_up, memory.follow_up)
    assert "DistrictSummary(3 townships" in repr(disk)
