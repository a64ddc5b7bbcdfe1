"""Data contracts of the workbench's input tables (输入数据规范): readers, schemas, checks.

``load(kind, path)`` reads a households, villages, survey, village-survey or poverty-lines table
from CSV, XLSX or Parquet, maps Chinese or English headers onto canonical names, parses values
and validates them, raising ``ContractError`` with every problem found.
"""

from data_contracts.columns import KINDS
from data_contracts.crosschecks import check_villages_exist
from data_contracts.errors import (
    ContractError,
    DesignError,
    ExitcheckError,
    InputError,
    RecordError,
    RequestError,
)
from data_contracts.loading import LoadedTable, load
from data_contracts.validation import validate_frame

__all__ = [
    "KINDS",
    "ContractError",
    "DesignError",
    "ExitcheckError",
    "InputError",
    "LoadedTable",
    "RecordError",
    "RequestError",
    "check_villages_exist",
    "load",
    "validate_frame",
]
