"""Small synthetic sample tables and survey returns with known answers, for the evaluation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_sample(
    n_main: int = 10,
    n_reserve: int = 2,
    population: int = 100,
    villages: tuple[str, ...] = ("V1", "V2"),
    township: str = "T1",
    line: float = 3000.0,
) -> pd.DataFrame:
    """A stratified-SRS sample (one stratum, psu = household) with reserves at the end."""
    n = n_main + n_reserve
    ids = [f"H{i:03d}" for i in range(n)]
    village = [villages[i % len(villages)] for i in range(n)]
    frame = pd.DataFrame(
        {
            "household_id": pd.Series(ids, dtype="str"),
            "county": "C",
            "township": township,
            "village_id": pd.Series(village, dtype="str"),
            "village": pd.Series([f"村{v}" for v in village], dtype="str"),
            "head_name": "张三",
            "head_id_number": "371302199001011234",
            "phone": "13800001234",
            "household_size": pd.array([1 + i % 4 for i in range(n)], dtype="Int64"),
            "income_per_capita": np.linspace(4000, 6000, n),
            "exit_year": pd.array([2017] * n, dtype="Int64"),
            "food_clothing_secure": pd.array([True] * n, dtype="boolean"),
            "education_secure": pd.array([True] * n, dtype="boolean"),
            "medical_secure": pd.array([True] * n, dtype="boolean"),
            "housing_secure": pd.array([True] * n, dtype="boolean"),
            "poverty_line": line,
        }
    )
    frame["stratum"] = "all"
    frame["psu"] = frame["household_id"]
    frame["prob_stage1"] = n_main / population
    frame["prob_stage2"] = 1.0
    frame["prob"] = n_main / population
    frame["weight"] = population / n_main
    frame["fpc_stage1"] = float(population)
    frame["fpc_stage2"] = np.nan
    frame["reserve"] = [i >= n_main for i in range(n)]
    frame["reserve_order"] = [max(0, i - n_main + 1) for i in range(n)]
    frame["reserve_group"] = "all"
    return frame


def make_survey(sample: pd.DataFrame, line: float = 3000.0) -> pd.DataFrame:
    """Every main household completed, surveyed income equal to the reported one, all secure."""
    main = sample.loc[~sample["reserve"]]
    n = len(main)
    yes = pd.array([True] * n, dtype="boolean")
    return pd.DataFrame(
        {
            "household_id": main["household_id"].to_numpy(),
            "visit_status": pd.Series(["completed"] * n, dtype="str"),
            "replaces_household_id": pd.Series([pd.NA] * n, dtype="str"),
            "surveyed_household_size": main["household_size"].to_numpy(),
            "surveyed_income_per_capita": main["income_per_capita"].to_numpy(),
            "verified_food_clothing_secure": yes,
            "verified_education_secure": yes,
            "verified_medical_secure": yes,
            "verified_housing_secure": yes,
            "acknowledges_exit": yes,
            "approves_result": yes,
            "knew_of_notice": yes,
        }
    )


def set_rows(survey: pd.DataFrame, ids: list[str], **values) -> pd.DataFrame:
    """A copy of ``survey`` with ``values`` assigned on the rows of ``ids``."""
    out = survey.copy()
    rows = out["household_id"].isin(ids)
    for col, value in values.items():
        out.loc[rows, col] = value
    return out


def replace(
    survey: pd.DataFrame, sample: pd.DataFrame, sampled: str, reserve: str, status="refused"
):
    """Mark ``sampled`` refused/not found and add a completed replacement row for ``reserve``."""
    out = set_rows(survey, [sampled], visit_status=status)
    res = sample.set_index("household_id").loc[reserve]
    row = out.loc[out["household_id"] == sampled].copy()
    row["household_id"] = reserve
    row["visit_status"] = "replacement"
    row["replaces_household_id"] = sampled
    row["surveyed_household_size"] = res["household_size"]
    row["surveyed_income_per_capita"] = res["income_per_capita"]
    return pd.concat([out, row], ignore_index=True)


PROCEDURE = {
    "appraisal_date": "2017-06-01",
    "notice_start": "2017-06-02",
    "notice_end": "2017-06-08",
    "township_review_date": "2017-06-09",
    "announce_start": "2017-06-10",
    "announce_end": "2017-06-14",
}


def make_registry(sample: pd.DataFrame, population: int = 100) -> pd.DataFrame:
    """Registry households of the township: the sample's households plus unsampled ones."""
    extra = population - len(sample)
    base = sample.drop(columns=[c for c in sample.columns if c not in HOUSEHOLD_FIELDS])
    more = base.iloc[np.arange(extra) % len(base)].copy()
    more["household_id"] = [f"U{i:03d}" for i in range(extra)]
    registry = pd.concat([base, more], ignore_index=True)
    for col, value in PROCEDURE.items():
        registry[col] = pd.Timestamp(value)
    registry["household_acknowledged"] = pd.array([True] * len(registry), dtype="boolean")
    return registry


HOUSEHOLD_FIELDS = (
    "household_id",
    "county",
    "township",
    "village_id",
    "village",
    "head_name",
    "head_id_number",
    "phone",
    "household_size",
    "income_per_capita",
    "exit_year",
    "food_clothing_secure",
    "education_secure",
    "medical_secure",
    "housing_secure",
)


def make_villages(
    ids: tuple[str, ...] = ("V1", "V2"), township: str = "T1", poor: int = 10, pop: int = 1000
) -> pd.DataFrame:
    """Registry villages: all key villages that exited, incidence poor/pop."""
    n = len(ids)
    yes = pd.array([True] * n, dtype="boolean")
    return pd.DataFrame(
        {
            "village_id": pd.Series(ids, dtype="str"),
            "township": township,
            "village": pd.Series([f"村{v}" for v in ids], dtype="str"),
            "key_village": yes,
            "registered_population": pd.array([pop] * n, dtype="Int64"),
            "poor_population_remaining": pd.array([poor] * n, dtype="Int64"),
            "exited": yes,
            "exit_year": pd.array([2017] * n, dtype="Int64"),
            "notice_start": pd.Timestamp("2017-07-01"),
            "notice_end": pd.Timestamp("2017-07-07"),
            "announce_start": pd.Timestamp("2017-07-08"),
            "announce_end": pd.Timestamp("2017-07-12"),
            "roads": yes,
            "drinking_water": yes,
            "electricity": yes,
            "clinic": yes,
            "school_access": yes,
        }
    )


DESIGN_INFO = {"design": "stratified", "township": "T1", "seed": 1, "parameters": {}}


def two_stage_case() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Two strata × 4 of 12 villages × 8 households (two-stage SRS with fpc at both stages),
    with wrong exits, refusals, a replacement and missing approval answers (deterministic)."""
    rng = np.random.default_rng(20261128)
    n_villages, per_village = 8, 8
    main = make_sample(n_main=n_villages * per_village, n_reserve=2, population=10**6)
    village = np.repeat([f"V{i}" for i in range(n_villages)], per_village)
    main["village_id"] = np.concatenate([village, ["V0", "V5"]])
    main["stratum"] = np.where(main["village_id"].isin(["V0", "V1", "V2", "V3"]), "A", "B")
    main["psu"] = main["village_id"]
    households_in_village = main["village_id"].str[1:].astype(int).to_numpy() * 5 + 30
    main["fpc_stage1"] = 12.0
    main["fpc_stage2"] = households_in_village.astype(float)
    main["prob_stage1"] = 4 / 12
    main["prob_stage2"] = per_village / main["fpc_stage2"]
    main["prob"] = main["prob_stage1"] * main["prob_stage2"]
    main["weight"] = 1 / main["prob"]
    main["household_size"] = pd.array(rng.integers(1, 7, len(main)), dtype="Int64")
    main["income_per_capita"] = rng.uniform(3200, 9000, len(main)).round()
    survey = make_survey(main)
    ids = survey["household_id"].to_numpy()
    factor = rng.lognormal(-0.08, 0.2, len(survey))
    survey["surveyed_income_per_capita"] = (survey["surveyed_income_per_capita"] * factor).round()
    survey["surveyed_household_size"] = main["household_size"].iloc[: len(survey)].to_numpy()
    survey = set_rows(survey, list(ids[[3, 17, 40, 41, 60]]), verified_medical_secure=False)
    survey = set_rows(survey, list(ids[[9, 33]]), visit_status="refused")
    survey = set_rows(survey, list(ids[[50]]), visit_status="not_found")
    survey = set_rows(survey, list(ids[[5, 20, 44]]), approves_result=False)
    survey = set_rows(survey, list(ids[[6, 21]]), approves_result=None)
    survey = replace(survey, main, ids[1], "H064")
    survey = replace(survey, main, ids[45], "H065", status="not_found")
    info = {"design": "two-stage", "township": "T1", "seed": 20261128, "parameters": {}}
    return main, survey, info


def make_village_survey(villages: pd.DataFrame) -> pd.DataFrame:
    """Village-survey returns that confirm the registry: verified counts and items as registered."""
    out = pd.DataFrame(
        {
            "village_id": villages["village_id"].to_numpy(),
            "verified_registered_population": villages["registered_population"].to_numpy(),
            "verified_poor_remaining": villages["poor_population_remaining"].to_numpy(),
        }
    )
    for item in ("roads", "drinking_water", "electricity", "clinic", "school_access"):
        out[f"verified_{item}"] = villages[item].to_numpy()
    return out
