"""Small townships with known wrong exits and refusals, for the district summary tests."""

from __future__ import annotations

from assessment_fixtures import (
    make_registry,
    make_sample,
    make_survey,
    make_village_survey,
    make_villages,
    set_rows,
)

from evaluation.assessment import Assessment, Parameters, assess_township
from evaluation.verdict import Thresholds


def township(
    name: str,
    n: int,
    population: int,
    wrong: int,
    refused: int = 0,
    thresholds: Thresholds | None = None,
    county: str | None = None,
) -> Assessment:
    """A stratified township ``name`` of ``population`` households, ``n`` sampled, the first
    ``wrong`` interviewed of them wrong exits, the next ``refused`` refusals; two key villages
    with a village survey confirming the registry."""
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
    if county is not None:
        info["county"] = county
    parameters = Parameters(thresholds=thresholds or Thresholds())
    registry = make_registry(sample, population)
    checked = make_village_survey(villages)
    return assess_township(sample, survey, registry, villages, info, checked, parameters=parameters)
