"""The demo district: determinism, realism, well-formed personal data, planted problems."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from data_contracts import check_villages_exist, validate_frame
from data_contracts.columns import HOUSEHOLDS, VILLAGES
from data_contracts.demo import generate_district
from data_contracts.demo.generator import (
    INFLATED_TOWNSHIP,
    KEY_VILLAGE_TOWNSHIP,
    SHORT_NOTICE_TOWNSHIP,
)
from data_contracts.idcard import valid_mask


def test_same_seed_same_district_other_seed_other_district(district):
    again = generate_district(20161)
    for name in ("households", "villages", "poverty_lines", "truth_households", "truth_villages"):
        pd.testing.assert_frame_equal(getattr(district, name), getattr(again, name))
    assert district.planted == again.planted
    other = generate_district(7)
    assert not other.households["head_id_number"].equals(district.households["head_id_number"])


def test_shape_of_the_district(district):
    hh, villages = district.households, district.villages
    assert hh["township"].nunique() == 12
    assert len(villages) == 250 and villages["village_id"].is_unique
    assert 12_000 <= len(hh) <= 16_000 and hh["household_id"].is_unique
    assert list(hh.columns) == [c.name for c in HOUSEHOLDS]
    assert list(villages.columns) == [c.name for c in VILLAGES]
    assert set(hh["exit_year"]) == {2016, 2017, 2018, 2019}
    assert hh["household_size"].between(1, 7).all()
    assert set(hh["county"]) == {"示范县"}
    assert (hh["household_id"].str.slice(0, 12) == hh["village_id"]).all()
    # key villages exist in every rural township; about a third of villages are key villages
    assert 0.2 < villages["key_village"].mean() < 0.45
    assert villages.loc[villages["exited"], "key_village"].all()


def test_tables_satisfy_the_contracts(district):
    validate_frame("households", district.households)
    validate_frame("villages", district.villages)
    validate_frame("poverty-lines", district.poverty_lines)
    check_villages_exist(district.households, district.villages)


def test_personal_data_is_well_formed(district):
    hh = district.households
    ids = hh["head_id_number"]
    assert valid_mask(ids).all() and ids.is_unique
    assert (ids.str.slice(0, 6) == "371302").mean() > 0.85
    born = pd.to_datetime(ids.str.slice(6, 14), format="%Y%m%d")
    age = hh["exit_year"].astype(int) - born.dt.year
    assert age.between(18, 95).all()
    assert 40 < age.median() < 70
    male = ids.str.slice(16, 17).astype(int) % 2 == 1
    assert 0.7 < male.mean() < 0.9
    phones = hh["phone"].dropna()
    assert phones.str.fullmatch(r"1[3-9]\d{9}").all()
    assert 0.85 < len(phones) / len(hh) < 0.97
    names = hh["head_name"]
    assert names.str.len().between(2, 3).all()
    assert names.str.fullmatch(r"[\u4e00-\u9fff]+").all()
    assert district.villages["village"].str.endswith("村").all()
    assert district.villages["village"].is_unique


def test_poverty_lines_carry_their_sources(district):
    lines = district.poverty_lines.set_index("year")
    assert lines.loc[2016, "line"] == 2952 and lines.loc[2019, "line"] == 3218
    assert lines.loc[2017, "line"] == 3041 and lines.loc[2018, "line"] == 3129
    assert "假设" in lines.loc[2017, "source"] and "假设" in lines.loc[2018, "source"]
    assert "弱" in lines.loc[2019, "source"] and "假设" not in lines.loc[2016, "source"]
    assert set(lines["kind"]) == {"national"}


def test_incomes_are_consistent_and_plausible(district):
    hh, truth = district.households, district.truth_households
    line = truth["poverty_line"]
    components = ["wage_income", "business_income", "property_income", "transfer_income"]
    total = hh[components].sum(axis=1)
    size = hh["household_size"].astype(float)
    assert (np.abs(hh["income_per_capita"] * size - total) <= 0.005 * size + 1e-6).all()
    true_total = truth[[f"true_{c}" for c in components]].sum(axis=1)
    true_size = truth["true_household_size"]
    assert (
        np.abs(truth["true_income_per_capita"] * true_size - true_total) <= 0.005 * true_size + 1e-6
    ).all()
    # the registry only exits households recorded above the line
    assert (hh["income_per_capita"] >= line).all()
    ratio = truth["true_income_per_capita"] / line
    assert 1.6 < ratio[~truth["is_wrong_exit"]].median() < 2.1
    by_size = ratio.groupby(hh["household_size"].astype(int)).median()
    assert by_size[1] < by_size[3]  # single elderly households are poorer per person
    transfer_share = (hh["transfer_income"] / total).groupby(hh["household_size"] >= 3).mean()
    assert transfer_share[False] > transfer_share[True] + 0.15
    assert (true_size != hh["household_size"]).mean() < 0.05


def test_truth_defines_wrong_exits(district):
    truth = district.truth_households
    below = truth["true_income_per_capita"] < truth["poverty_line"]
    insecure = ~truth[[c for c in truth.columns if c.endswith("_secure")]].all(axis=1)
    assert (truth["is_wrong_exit"] == (below | insecure)).all()
    reasons = truth.loc[truth["is_wrong_exit"], "wrong_exit_reason"]
    assert reasons.notna().all() and set(reasons) <= {
        "income",
        "food_clothing",
        "education",
        "medical",
        "housing",
    }
    assert truth.loc[~truth["is_wrong_exit"], "wrong_exit_reason"].isna().all()


def test_planted_inflated_income_township(district):
    planted = district.planted["inflated_income"]
    summary = district.to_frame()
    row = summary.loc[INFLATED_TOWNSHIP]
    assert planted["township"] == INFLATED_TOWNSHIP
    assert 0.08 <= row["true_wrong_exit_rate_households"] <= 0.12
    assert 0.08 <= row["true_wrong_exit_rate_persons"] <= 0.12
    assert planted["true_wrong_exit_rate_households"] == pytest.approx(
        row["true_wrong_exit_rate_households"]
    )
    others = summary.drop(index=INFLATED_TOWNSHIP)
    assert others["true_wrong_exit_rate_households"].max() <= 0.008
    assert others["true_wrong_exit_rate_persons"].max() <= 0.009
    # income wrong exits there: true income below the line, reported just above it
    hh, truth = district.households, district.truth_households
    mask = (hh["township"] == INFLATED_TOWNSHIP) & (truth["wrong_exit_reason"] == "income")
    assert mask.sum() >= 0.8 * planted["wrong_exit_households"]
    margin = hh.loc[mask, "income_per_capita"] / truth.loc[mask, "poverty_line"]
    assert margin.between(1.0, 1.065).all()
    assert (truth.loc[mask, "true_income_per_capita"] < truth.loc[mask, "poverty_line"]).all()


def test_wrong_exits_cluster_by_village(district):
    truth = district.truth_households
    township = truth[truth["township"] == INFLATED_TOWNSHIP]
    counts = township.groupby("village_id")["is_wrong_exit"].agg(["sum", "size"])
    p = counts["sum"].sum() / counts["size"].sum()
    expected = counts["size"] * p
    dispersion = ((counts["sum"] - expected) ** 2 / (expected * (1 - p))).sum() / (len(counts) - 1)
    assert dispersion > 2.0  # over-dispersed relative to independent households


def test_planted_key_village(district):
    planted = district.planted["key_village_incidence"]
    village = district.villages.set_index("village_id").loc[planted["village_id"]]
    truth = district.truth_villages.set_index("village_id")
    assert (
        village["key_village"] and village["exited"] and village["township"] == KEY_VILLAGE_TOWNSHIP
    )
    reported = village["poor_population_remaining"] / village["registered_population"]
    assert reported < 0.02 and reported == pytest.approx(planted["reported_incidence"])
    assert truth.loc[planted["village_id"], "true_incidence"] > 0.03
    assert not truth.loc[planted["village_id"], "true_clinic"] and village["clinic"]
    exited = district.villages.loc[district.villages["exited"], "village_id"]
    others = truth.loc[exited[exited != planted["village_id"]], "true_incidence"]
    assert (others < 0.02).all() and len(others) >= 30
    assert (
        district.villages.loc[district.villages["exited"], "poor_population_remaining"]
        / district.villages.loc[district.villages["exited"], "registered_population"]
        < 0.02
    ).all()


def test_planted_short_notice(district):
    hh = district.households
    days = (hh["notice_end"] - hh["notice_start"]).dt.days
    short = days < 7
    in_township = hh["township"] == SHORT_NOTICE_TOWNSHIP
    assert short[in_township].mean() > 0.2
    assert short[~in_township].sum() < short[in_township].sum() / 3
    assert district.planted["short_notice"]["households"] == int((short & in_township).sum())
    # inclusive or exclusive day counts agree on which notices were short
    assert ((days + 1 < 7) == short).all()


def test_procedure_dates_are_in_order(district):
    hh = district.households
    order = ["appraisal_date", "notice_start", "notice_end", "township_review_date",
             "announce_start", "announce_end"]  # fmt: skip
    for earlier, later in itertools.pairwise(order):
        assert (hh[later] > hh[earlier]).all(), (earlier, later)
    assert ((hh["announce_end"] - hh["announce_start"]).dt.days >= 5).all()
    assert (hh["appraisal_date"].dt.year == hh["exit_year"]).all()
    exited = district.villages[district.villages["exited"]]
    assert ((exited["notice_end"] - exited["notice_start"]).dt.days >= 7).all()
    assert (exited["notice_start"].dt.year == exited["exit_year"]).all()


def test_summary_and_repr(district):
    summary = district.to_frame()
    assert summary["households"].sum() == len(district.households)
    assert (
        summary.loc[INFLATED_TOWNSHIP, "wrong_exit_households"]
        == (district.planted["inflated_income"]["wrong_exit_households"])
    )
    text = repr(district)
    assert "示范县" in text and "250 villages" in text and "inflated_income" in text
