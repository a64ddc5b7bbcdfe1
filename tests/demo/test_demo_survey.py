"""The field-survey simulator: contract, replacements, truth with noise, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_contracts import validate_frame
from data_contracts.columns import SURVEY, VILLAGE_SURVEY
from data_contracts.demo import simulate_survey, simulate_village_survey
from data_contracts.demo.generator import INFLATED_TOWNSHIP
from data_contracts.demo.survey_simulator import _replacements
from data_contracts.errors import ExitcheckError


def _villages(district, k=20):
    """Every twelfth village of the district, 20 in all."""
    return district.villages["village_id"].iloc[::12].iloc[:k].tolist()


def test_returns_follow_the_survey_contract(district, village_sample):
    sample = village_sample(district.households, _villages(district), 10, 6)
    returns = simulate_survey(sample, district, seed=3, refusal_rate=0.15, not_found_rate=0.15)
    assert list(returns.columns) == [c.name for c in SURVEY]
    validate_frame("survey", returns)
    assert set(returns["visit_status"]) == {"completed", "replacement", "refused", "not_found"}
    interviewed = returns["visit_status"].isin(["completed", "replacement"])
    assert returns.loc[interviewed, "surveyed_income_per_capita"].notna().all()
    assert returns.loc[~interviewed, "surveyed_income_per_capita"].isna().all()
    assert returns.loc[~interviewed, "notes"].notna().all()
    assert (returns["survey_date"] > pd.Timestamp("2020-06-01")).all()
    assert returns["enumerator"].notna().all()


def test_each_failure_is_replaced_by_the_next_usable_reserve_of_its_group(district, village_sample):
    sample = village_sample(district.households, _villages(district), 10, 6)
    returns = simulate_survey(sample, district, seed=3, refusal_rate=0.15, not_found_rate=0.15)
    main = sample[~sample["reserve"]]
    rows = returns.set_index("household_id")
    # every main unit exactly once, in sample order, and no reserve except as a replacement
    assert returns.loc[returns["visit_status"] != "replacement", "household_id"].tolist() == (
        main["household_id"].tolist()
    )
    replacements = returns[returns["visit_status"] == "replacement"]
    assert (
        replacements["household_id"].is_unique and replacements["replaces_household_id"].is_unique
    )
    failed = rows.loc[replacements["replaces_household_id"], "visit_status"]
    assert failed.isin(["refused", "not_found"]).all()
    group = sample.set_index("household_id")["reserve_group"]
    order = sample.set_index("household_id")["reserve_order"]
    assert (group[replacements["household_id"]].to_numpy()
            == group[replacements["replaces_household_id"]].to_numpy()).all()  # fmt: skip
    assert sample.set_index("household_id").loc[replacements["household_id"], "reserve"].all()
    # the replacement row comes right after the row it replaces
    position = returns.index[returns["visit_status"] == "replacement"]
    assert (returns.loc[position - 1, "household_id"].to_numpy()
            == replacements["replaces_household_id"].to_numpy()).all()  # fmt: skip
    # reserves are used in order: within a group, used reserve orders increase
    used = pd.DataFrame({"group": group[replacements["household_id"]].to_numpy(),
                         "order": order[replacements["household_id"]].to_numpy()})  # fmt: skip
    assert used.groupby("group")["order"].apply(lambda s: s.is_monotonic_increasing).all()
    # a group's failures are replaced while its six reserves last
    n_failed = (
        returns["visit_status"]
        .isin(["refused", "not_found"])
        .groupby(returns["household_id"].map(group))
        .sum()
    )
    n_replaced = used.groupby("group").size().reindex(n_failed.index, fill_value=0)
    assert (n_replaced <= np.minimum(n_failed, 6)).all()
    assert n_replaced.sum() >= 0.8 * n_failed.sum()
    # replacement visits never precede the visit they replace
    replaced_dates = rows.loc[replacements["replaces_household_id"], "survey_date"].to_numpy()
    assert (replacements["survey_date"].to_numpy() > replaced_dates).all()
    # skipped reserves are reported in the note
    skipped = replacements["notes"].dropna()
    assert skipped.str.fullmatch(r"顺延：跳过\d户无法访问的备用户").all()


def test_same_seed_same_returns(district, village_sample):
    sample = village_sample(district.households, _villages(district), 10, 6)
    first = simulate_survey(sample, district, seed=11)
    pd.testing.assert_frame_equal(
        first, simulate_survey(sample, district.truth_households, seed=11)
    )
    assert not first.equals(simulate_survey(sample, district, seed=12))


def test_without_noise_the_survey_records_the_truth(district, random_sample):
    sample = random_sample(district.households, 500, seed=1)
    returns = simulate_survey(sample, district, seed=2, refusal_rate=0, not_found_rate=0,
                              income_noise_sd=0, misrecording_rate=0)  # fmt: skip
    assert (returns["visit_status"] == "completed").all()
    truth = district.truth_households.set_index("household_id").loc[returns["household_id"]]
    assert np.allclose(returns["surveyed_income_per_capita"], truth["true_income_per_capita"])
    assert (returns["surveyed_household_size"].to_numpy() == truth["true_household_size"]).all()
    for g in ("food_clothing", "education", "medical", "housing"):
        assert (returns[f"verified_{g}_secure"].to_numpy() == truth[f"true_{g}_secure"]).all()
    assert (returns["approves_result"].to_numpy() == truth["would_approve"]).all()


def test_income_noise_is_multiplicative_with_the_requested_spread(district, random_sample):
    sample = random_sample(district.households, 3000, seed=4)
    returns = simulate_survey(sample, district, seed=5, refusal_rate=0, not_found_rate=0,
                              income_noise_sd=0.10)  # fmt: skip
    truth = district.truth_households.set_index("household_id").loc[returns["household_id"]]
    log_ratio = np.log(returns["surveyed_income_per_capita"].to_numpy()
                       / truth["true_income_per_capita"].to_numpy())  # fmt: skip
    # household factor sd 0.10 plus component noise sd 0.05 averaged over the components
    assert 0.10 <= log_ratio.std() <= 0.125
    assert abs(np.median(log_ratio)) < 0.01


def test_nonresponse_rates_match_the_requested_rates(district, random_sample):
    sample = random_sample(district.households, 4000, seed=6)
    returns = simulate_survey(sample, district, seed=7, refusal_rate=0.05, not_found_rate=0.08)
    share = returns["visit_status"].value_counts(normalize=True)
    assert share["refused"] == pytest.approx(0.05, abs=4 * np.sqrt(0.05 * 0.95 / 4000))
    assert share["not_found"] == pytest.approx(0.08, abs=4 * np.sqrt(0.08 * 0.92 / 4000))


def test_approval_is_lower_in_the_inflated_township(district, random_sample):
    hh = district.households
    inflated = random_sample(hh, int((hh["township"] == INFLATED_TOWNSHIP).sum()), 8,
                             township=INFLATED_TOWNSHIP)  # fmt: skip
    other = random_sample(hh[hh["township"] != INFLATED_TOWNSHIP], 2000, 9)
    approval = {
        name: simulate_survey(s, district, seed=10)["approves_result"].dropna().mean()
        for name, s in (("inflated", inflated), ("other", other))
    }
    assert approval["inflated"] < 0.89
    assert approval["other"] > 0.94


def test_bad_requests_raise_user_errors(district, random_sample):
    sample = random_sample(district.households, 10, seed=1)
    with pytest.raises(ExitcheckError, match="reserve_group"):
        simulate_survey(sample.drop(columns="reserve_group"), district, seed=1)
    with pytest.raises(ExitcheckError, match="not in the demo district"):
        simulate_survey(sample.assign(household_id=[f"x{i}" for i in range(10)]), district, seed=1)
    with pytest.raises(ExitcheckError, match="refusal_rate"):
        simulate_survey(sample, district, seed=1, refusal_rate=1.5)
    with pytest.raises(ExitcheckError, match="more than once"):
        simulate_survey(pd.concat([sample, sample]), district, seed=1)


def test_village_survey_reveals_the_planted_village(district):
    planted = district.planted["key_village_incidence"]["village_id"]
    ids = [planted, *district.villages["village_id"].iloc[:9]]
    returns = simulate_village_survey(ids, district, seed=1)
    assert list(returns.columns) == [c.name for c in VILLAGE_SURVEY]
    validate_frame("village-survey", returns)
    row = returns.set_index("village_id").loc[planted]
    assert row["verified_poor_remaining"] / row["verified_registered_population"] > 0.03
    assert not row["verified_clinic"] and "卫生室" in row["assessor_notes"]
    pd.testing.assert_frame_equal(returns, simulate_village_survey(ids, district, seed=1))
    with pytest.raises(ExitcheckError, match="not in the demo district"):
        simulate_village_survey(["000"], district, seed=1)


def test_replacement_pairing_uses_reserves_in_order_and_counts_skips():
    units = pd.DataFrame(
        {
            "household_id": ["a1", "a2", "a3", "r1", "r2", "r3", "r4", "b1", "s1"],
            "reserve": [False, False, False, True, True, True, True, False, True],
            "reserve_order": [0, 0, 0, 2, 1, 3, 4, 0, 1],
            "reserve_group": ["A"] * 7 + ["B", "B"],
            "outcome": ["refused", "completed", "not_found", "completed", "refused", "refused",
                        "completed", "refused", "not_found"],
        }
    )  # fmt: skip
    pairs = _replacements(units)
    assert pairs["household_id_failed"].tolist() == ["a1", "a3"]
    # reserve order: r2 (refused, skipped), r1 (used by a1), r3 (refused, skipped), r4 (used by a3)
    assert pairs["household_id_reserve"].tolist() == ["r1", "r4"]
    assert pairs["skipped"].tolist() == [1, 1]


def test_planted_problem_survives_the_survey_and_clean_townships_stay_clean(district):
    """Surveying every household with default settings: the share found below the line or
    failing a guarantee is near 10% in the inflated township and under 1.5% elsewhere."""
    census = district.households[["household_id"]].assign(
        reserve=False, reserve_order=0, reserve_group="all"
    )
    returns = simulate_survey(census, district, seed=21)
    truth = district.truth_households.set_index("household_id").loc[returns["household_id"]]
    interviewed = returns["visit_status"].eq("completed").to_numpy()
    below = returns["surveyed_income_per_capita"].to_numpy() < truth["poverty_line"].to_numpy()
    insecure = ~returns.filter(like="verified_").all(axis=1).to_numpy()
    found = (
        pd.Series((below | insecure)[interviewed])
        .groupby(truth["township"].to_numpy()[interviewed])
        .mean()
    )
    assert 0.08 <= found[INFLATED_TOWNSHIP] <= 0.13
    assert found.drop(INFLATED_TOWNSHIP).max() < 0.015
