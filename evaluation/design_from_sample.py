"""The ``SurveyDesign`` of a drawn sample (样本设计), from the sample table's design columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from data_contracts.errors import RequestError
from evaluation.survey_design import SurveyDesign

DESIGN_COLUMNS = ("stratum", "psu", "weight", "fpc_stage1", "fpc_stage2", "household_id")
DESIGNS = ("stratified", "cluster", "two-stage")


def design_from_sample(
    units: pd.DataFrame, design_info: Mapping[str, Any], *, lonely_psu: str = "fail"
) -> SurveyDesign:
    """Design of ``units`` (rows of ``sample.parquet``, e.g. the completed interviews).

    Follows docs/interfaces.md: strata ``stratum``, PSU ``psu``, weights ``weight``; NaN
    ``fpc_stage1`` = with replacement in that stratum (ultimate cluster); a given ``fpc_stage2``
    adds the second-stage term with ``household_id`` as second-stage unit (NaN = no such term, e.g.
    certainty strata whose PSU is the household). ``design_info`` is ``design.json``.
    """
    kind = design_info.get("design")
    if kind not in DESIGNS:
        raise RequestError(f"design.json: design must be one of {', '.join(DESIGNS)}, got {kind!r}")
    missing = [c for c in DESIGN_COLUMNS if c not in units.columns]
    if missing:
        raise RequestError(f"sample table lacks design column(s) {', '.join(missing)}")
    two_stage = bool(units["fpc_stage2"].notna().any())
    return SurveyDesign(
        units,
        strata="stratum",
        psu="psu",
        ssu="household_id" if two_stage else None,
        weights="weight",
        fpc=("fpc_stage1", "fpc_stage2") if two_stage else "fpc_stage1",
        lonely_psu=lonely_psu,
    )
