"""XLSForm of the household survey (入户核查电子问卷) for ODK Collect and KoboToolbox, with preload.

The form's field names are the survey contract's canonical column names (``SURVEY``), so a form
export loads as a survey return. Labels are the contract's Chinese headers and English meanings;
choice lists, ranges and the rows that must carry verified data come from ``data_contracts``
(``VISIT_STATUS``, the ``Survey`` model's checks, ``INTERVIEWED_STATUSES``), never restated here.
``households_preload.csv`` lists the sampled and reserve households (codes and places only, no
names, IDs or phones) for ``select_one_from_file``.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from data_contracts.columns import INTERVIEWED_STATUSES, SURVEY, VISIT_STATUS, Column
from data_contracts.fileio import workbook_bytes
from data_contracts.inert import append_row, inert_csv
from data_contracts.messages import text
from data_contracts.schemas import Survey
from sampling.sample import Sample

FORM_FILE = "survey_form.xlsform.xlsx"
PRELOAD_FILE = "households_preload.csv"
LANGS = (("zh", "Chinese (zh)"), ("en", "English (en)"))
_TYPES = {"int": "integer", "money": "decimal", "bool": "select_one yes_no", "date": "date"}
_PRELOAD_COLUMNS = ("township", "village_id", "village", "household_size", "reserve")
_METADATA = ("start", "end", "today", "deviceid")


def _labels(key: str, **params: object) -> list[str]:
    return [text(f"xlsform.{key}", lang, **params) for lang, _ in LANGS]


def _bounds(name: str) -> tuple[object, object]:
    """(low, high) of a survey column from the ``Survey`` model's checks (None where open)."""
    low = high = None
    for check in Survey.to_schema().columns[name].checks:
        stats = check.statistics
        low = stats.get("min_value", low)
        high = stats.get("max_value", high)
    return low, high


def _constraint(name: str) -> tuple[str, list[str]]:
    """XLSForm constraint and its zh/en message for a numeric column ('' when unbounded)."""
    low, high = _bounds(name)
    if low is None:
        return "", ["", ""]
    if high is None:
        return f". >= {low}", _labels("at_least", low=low)
    return f". >= {low} and . <= {high}", _labels("range", low=low, high=high)


def _interviewed() -> str:
    return " or ".join(f"${{visit_status}} = '{code}'" for code in INTERVIEWED_STATUSES)


def _question(col: Column) -> list[str]:
    """One survey row: type, name, zh/en labels, required, relevant, constraint, messages."""
    constraint, message = _constraint(col.name) if col.type in ("int", "money") else ("", ["", ""])
    kind, required, relevant = _TYPES.get(col.type, "text"), "", _interviewed()
    if col.name == "household_id":
        kind, required, relevant = f"select_one_from_file {PRELOAD_FILE}", "yes", ""
    elif col.name == "visit_status":
        kind, required, relevant = "select_one visit_status", "yes", ""
    elif col.name == "replaces_household_id":
        kind, required, relevant = (
            f"select_one_from_file {PRELOAD_FILE}",
            "yes",
            ("${visit_status} = 'replacement'"),
        )
    elif col.required:
        required = "yes"
    if col.name in ("enumerator", "survey_date"):
        relevant = ""
    return [kind, col.name, col.header, col.meaning, required, relevant, constraint, *message]


def xlsform_xlsx(sample: Sample) -> bytes:
    """survey_form.xlsform.xlsx: ``survey``, ``choices`` and ``settings`` sheets."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    label_heads = [f"label::{name}" for _, name in LANGS]
    message_heads = [f"constraint_message::{name}" for _, name in LANGS]
    append_row(
        survey, ["type", "name", *label_heads, "required", "relevant", "constraint", *message_heads]
    )
    for meta in _METADATA:
        append_row(survey, [meta, meta])
    for col in SURVEY:
        append_row(survey, _question(col))
    append_row(survey, ["geopoint", "location", *_labels("location")])

    choices = book.create_sheet("choices")
    append_row(choices, ["list_name", "name", *label_heads])
    for code, _ in VISIT_STATUS:
        append_row(choices, ["visit_status", code, *_labels(f"status.{code}")])
    for code in ("yes", "no"):
        append_row(choices, ["yes_no", code, *_labels(code)])

    settings = book.create_sheet("settings")
    append_row(settings, ["form_title", "form_id", "version", "default_language"])
    township = sample.design["township"]
    append_row(
        settings,
        [
            _labels("title", township=township)[0],
            f"exitcheck_survey_{sample.design['seed']}",
            str(sample.design["seed"]),
            LANGS[0][1],
        ],
    )
    book.properties.creator = "exitcheck"
    return workbook_bytes(book)


def preload_table(units: pd.DataFrame) -> pd.DataFrame:
    """households_preload.csv rows: ``name`` (household_id) and ``label`` for the picker, then
    places, household size and whether the household is a reserve (备选户)."""
    rows = units.sort_values(["reserve", "village_id", "household_id"], kind="stable")
    out = rows.loc[:, list(_PRELOAD_COLUMNS)].copy()
    out["reserve"] = out["reserve"].astype(int)
    out.insert(0, "label", rows["household_id"] + " " + rows["village"])
    out.insert(0, "name", rows["household_id"])
    return out.reset_index(drop=True)


def xlsform_files(sample: Sample) -> dict[str, bytes]:
    """The XLSForm and its preload CSV, by file name, for the run folder."""
    return {FORM_FILE: xlsform_xlsx(sample), PRELOAD_FILE: inert_csv(preload_table(sample.units))}
