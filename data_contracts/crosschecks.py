"""Checks across tables: every reference from one table to another must resolve.

Each function takes ``LoadedTable`` objects (problems then cite the file, Excel row and header as
written) or plain canonical frames (rows counted as if written with the header on row 1), and
raises ``ContractError`` listing every broken reference.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.columns import column
from data_contracts.errors import ContractError
from data_contracts.loading import LoadedTable
from data_contracts.problems import combine, problem_frame

Table = LoadedTable | pd.DataFrame


def _parts(table: Table, kind: str) -> tuple[pd.DataFrame, np.ndarray, str, dict[str, str]]:
    if isinstance(table, LoadedTable):
        return table.frame, table.rows, str(table.path), table.header_map
    return table, np.arange(2, len(table) + 2), f"<{kind}>", {}


def _broken(table: Table, kind: str, name: str, mask: pd.Series, expected: str) -> pd.DataFrame:
    frame, rows, source, headers = _parts(table, kind)
    mask = mask.fillna(False).to_numpy(dtype=bool)
    header = headers.get(name, column(kind, name).header)
    return problem_frame(source, rows[mask], header, frame.loc[mask, name], expected)


def _raise_if_any(parts: list[pd.DataFrame]) -> None:
    problems = combine(parts)
    if len(problems):
        raise ContractError(problems)


def check_villages_exist(households: Table, villages: Table) -> None:
    """Each household's village_id is in the villages table, under the same township."""
    hh, _, _, _ = _parts(households, "households")
    vil, _, vil_source, _ = _parts(villages, "villages")
    known = vil["village_id"]
    unknown = hh["village_id"].notna() & ~hh["village_id"].isin(known)
    township_of = pd.Series(vil["township"].to_numpy(), index=known.to_numpy())
    township_of = township_of[~township_of.index.duplicated()]
    other = hh["village_id"].map(township_of)
    moved = ~unknown & other.notna() & (other != hh["township"])
    _raise_if_any([
        _broken(households, "households", "village_id", unknown,
                f"a village code listed in {Path(vil_source).name}"),
        _broken(households, "households", "township", moved,
                f"the township given for this village in {Path(vil_source).name}"),
    ])  # fmt: skip


def check_village_survey_villages(village_survey: Table, villages: Table) -> None:
    """Each village-survey row names a village of the villages table."""
    vs, _, _, _ = _parts(village_survey, "village-survey")
    vil, _, vil_source, _ = _parts(villages, "villages")
    unknown = vs["village_id"].notna() & ~vs["village_id"].isin(vil["village_id"])
    _raise_if_any([_broken(village_survey, "village-survey", "village_id", unknown,
                           f"a village code listed in {Path(vil_source).name}")])  # fmt: skip


def check_survey_households(
    survey: Table, household_ids: pd.Series, what: str = "the sample"
) -> None:
    """Each surveyed (and each replaced) household is a household of ``what``."""
    sv, _, _, _ = _parts(survey, "survey")
    known = pd.Series(household_ids).astype("str")
    unknown = ~sv["household_id"].isin(known)
    bad_target = sv["replaces_household_id"].notna() & ~sv["replaces_household_id"].isin(known)
    _raise_if_any([
        _broken(survey, "survey", "household_id", unknown, f"a household of {what}"),
        _broken(survey, "survey", "replaces_household_id", bad_target, f"a household of {what}"),
    ])  # fmt: skip
