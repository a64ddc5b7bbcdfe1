"""Who was interviewed for each sampled household, and which exits were wrong (错退).

Two steps, both vectorised over households:

``resolve_units`` turns the sample table and the survey returns into one *analysis unit* per
main-sample household. A ``replacement`` interview takes the design row (stratum, PSU,
probabilities, weight, fpc) of the household it replaces, but its own frame values (size,
reported income, exit year, village). A main household that was refused or not found and has no
replacement — or has no survey row at all — is a *nonrespondent*: it keeps its design row, is
flagged ``responded = False`` and is never counted as a correct exit.

``classify_exits`` marks a responding household as a wrong exit (错退) when its surveyed
per-capita net income is below the poverty line of its exit year, or when any of the
guarantees 吃穿不愁 / 义务教育 / 基本医疗 / 住房安全 fails on verification. Each wrong exit
carries its reasons. Households whose surveyed income is within ``tolerance`` of the line are
*borderline* (measurement error could put them on either side), which feeds a sensitivity
analysis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_contracts.columns import INTERVIEWED_STATUSES
from data_contracts.errors import InputError, RequestError
from sampling.sample import ESTIMATION_COLUMNS, RESERVE_COLUMNS

# reason code (错退原因: income below the line, 两不愁三保障 items) -> verified survey column
REASONS: dict[str, str | None] = {
    "income_below_line": None,
    "food_clothing": "verified_food_clothing_secure",
    "education": "verified_education_secure",
    "medical": "verified_medical_secure",
    "housing": "verified_housing_secure",
}
REQUIRED_ON_INTERVIEW = (
    "surveyed_household_size",
    "surveyed_income_per_capita",
    *(col for col in REASONS.values() if col),
)

OUTCOMES = ("completed", "replacement", "refused", "not_found", "missing")


def _fail(problem: str, ids: pd.Series, hint: str) -> None:
    shown = ", ".join(map(str, ids.head(10)))
    more = f" (and {len(ids) - 10} more)" if len(ids) > 10 else ""
    raise InputError(f"survey returns: {problem}: {shown}{more}. {hint}")


def _check_returns(sample: pd.DataFrame, survey: pd.DataFrame) -> None:
    """Raise ``InputError`` for returns that cannot be matched to the sample unambiguously."""
    ids = survey["household_id"]
    dup = ids[ids.duplicated()]
    if len(dup):
        _fail("column household_id has duplicate rows", dup.drop_duplicates(), "Keep one row each.")
    known = ids.isin(sample["household_id"])
    if not known.all():
        _fail("household_id not in the sample", ids[~known], "Only sampled or reserve households.")
    is_reserve = ids.map(sample.set_index("household_id")["reserve"].astype(bool))
    is_repl = survey["visit_status"].eq("replacement")
    if (is_repl != is_reserve).any():
        bad = ids[is_repl != is_reserve]
        _fail(
            "visit_status 'replacement' must be used exactly for reserve households",
            bad,
            "Main-sample households are completed/refused/not_found; reserves are replacements.",
        )
    replaced = survey.loc[is_repl, "replaces_household_id"]
    status = survey.set_index("household_id")["visit_status"]
    main_ids = sample.loc[~sample["reserve"].astype(bool), "household_id"]
    target_ok = replaced.isin(main_ids) & ~replaced.map(status).isin(INTERVIEWED_STATUSES)
    if not target_ok.all():
        _fail(
            "column replaces_household_id must name a main-sample household that was refused or "
            "not found",
            ids[is_repl][~target_ok.to_numpy()],
            "Check the replacement rows.",
        )
    group = sample.set_index("household_id")["reserve_group"].astype("str")
    same = replaced.map(group).to_numpy() == ids[is_repl].map(group).to_numpy()
    if not same.all():
        _fail(
            "replacements from another reserve list (reserve_group differs from the replaced "
            "household's)",
            ids[is_repl][~same],
            "A replacement must come from the replaced household's own reserve list.",
        )
    twice = replaced[replaced.duplicated()]
    if len(twice):
        _fail(
            "households replaced more than once", twice.drop_duplicates(), "One replacement each."
        )


def resolve_units(sample: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """One analysis unit per main-sample household, with its interview (if any) attached.

    Columns: the design columns of the *sampled* household, ``sampled_household_id``,
    ``outcome`` (completed / replacement / refused / not_found / missing), ``responded``, the
    frame columns of the *interviewed* household (the sampled one for nonrespondents) under their
    own names (``household_id`` is the interviewed household), and the survey columns.
    """
    _check_returns(sample, survey)
    main = sample.loc[~sample["reserve"].astype(bool)]
    status = survey.set_index("household_id")["visit_status"]
    repl = survey.loc[survey["visit_status"].eq("replacement")]
    replacement_of = pd.Series(repl["household_id"].to_numpy(), index=repl["replaces_household_id"])

    sampled = main["household_id"]
    own = sampled.map(status)
    substitute = sampled.map(replacement_of)
    outcome = own.where(substitute.isna(), "replacement").fillna("missing")
    interviewed = sampled.where(own.isin(INTERVIEWED_STATUSES), substitute)
    frame_id = interviewed.fillna(sampled)

    design_cols = [c for c in ESTIMATION_COLUMNS if c in main.columns]
    units = main[design_cols].reset_index(drop=True)
    units.insert(0, "sampled_household_id", sampled.to_numpy())
    units["outcome"] = pd.Series(outcome.to_numpy(), dtype="str")
    units["responded"] = interviewed.notna().to_numpy()
    frame_cols = [c for c in sample.columns if c not in (*design_cols, *RESERVE_COLUMNS)]
    frame = sample[frame_cols].set_index("household_id")
    units["household_id"] = frame_id.to_numpy()
    units = units.join(frame, on="household_id")
    answers = survey.drop(columns=["visit_status", "replaces_household_id"], errors="ignore")
    answers = answers.set_index("household_id")
    units = units.join(answers, on="household_id")
    # survey answers belong to interviews only; a refused row's blanks stay blank
    units.loc[~units["responded"], answers.columns] = pd.NA
    _check_interviews_complete(units)
    return units


def _check_interviews_complete(units: pd.DataFrame) -> None:
    """Every interviewed household must carry the values the classification needs."""
    resp = units.loc[units["responded"]]
    missing = [c for c in REQUIRED_ON_INTERVIEW if c not in units.columns]
    if missing:
        raise InputError(f"survey returns: missing required columns {missing}")
    blank = resp[list(REQUIRED_ON_INTERVIEW)].isna()
    if blank.any(axis=None):
        rows = blank.any(axis=1)
        cols = sorted(blank.columns[blank.any(axis=0)])
        _fail(
            f"interviewed households with blank {cols}",
            resp.loc[rows, "household_id"],
            "Completed and replacement rows must carry verified size, income and the four "
            "guarantees.",
        )


def _flag(series: pd.Series) -> np.ndarray:
    """Nullable boolean -> plain bool array with missing read as False."""
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _join(matrix: np.ndarray, labels: list[str], sep: str, index: pd.Index) -> pd.Series:
    """Join the labels of the True cells of each row (vectorised over rows)."""
    text = pd.Series("", index=index, dtype="str")
    for j, label in enumerate(labels):
        text = text + np.where(matrix[:, j], label + sep, "")
    return text.str.removesuffix(sep)


def classify_exits(units: pd.DataFrame, tolerance: float = 0.05) -> pd.DataFrame:
    """Add the wrong-exit (错退) classification to the responding units.

    Adds ``reason_<code>`` booleans for each code in ``REASONS``, ``wrong_exit``, ``reasons``
    (codes joined by ``;``), ``income_margin``
    (surveyed income / line − 1), ``borderline`` (|margin| <= tolerance) and ``wrong_only_income``
    (wrong solely because of income). Nonrespondents get False everywhere and a blank margin: they
    are *not* correct exits — use ``responded`` to keep them apart.
    """
    if not 0 <= tolerance < 1:
        raise RequestError(f"borderline tolerance must be in [0, 1), got {tolerance}")
    out = units.copy()
    resp = out["responded"].to_numpy(dtype=bool)
    income = pd.to_numeric(out["surveyed_income_per_capita"], errors="coerce").to_numpy(float)
    line = pd.to_numeric(out["poverty_line"], errors="coerce").to_numpy(float)
    if resp.any() and np.isnan(line[resp]).any():
        years = out.loc[resp & np.isnan(line), "exit_year"].drop_duplicates()
        raise RequestError(f"no poverty line for exit year(s) {list(years)}; add them to the lines")
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = income / line - 1
    flags = {"income_below_line": resp & (income < line)}
    for code, col in REASONS.items():
        if col:
            flags[code] = resp & ~_flag(out[col])
    for code, flag in flags.items():
        out[f"reason_{code}"] = flag
    matrix = np.column_stack([flags[c] for c in REASONS])
    out["wrong_exit"] = matrix.any(axis=1)
    out["reasons"] = _join(matrix, list(REASONS), ";", out.index)
    out["income_margin"] = np.where(resp, margin, np.nan)
    out["borderline"] = resp & (np.abs(margin) <= tolerance)
    out["wrong_only_income"] = flags["income_below_line"] & (matrix.sum(axis=1) == 1)
    return out


def sensitivity_flags(classified: pd.DataFrame) -> pd.DataFrame:
    """Wrong-exit indicators with borderline households counted as wrong, and as correct.

    ``wrong_if_borderline_wrong``: every borderline household is a wrong exit.
    ``wrong_if_borderline_correct``: a borderline household whose only reason is income is not.
    """
    wrong = classified["wrong_exit"].to_numpy(dtype=bool)
    border = classified["borderline"].to_numpy(dtype=bool)
    only_income = classified["wrong_only_income"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "wrong_if_borderline_wrong": wrong | border,
            "wrong_if_borderline_correct": wrong & ~(border & only_income),
        },
        index=classified.index,
    )
