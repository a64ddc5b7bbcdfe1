"""Shared fixtures of the data-contract tests."""

from __future__ import annotations

import pytest
from contract_tables import TABLES


@pytest.fixture
def table():
    """Factory: ``table(kind)`` returns a fresh valid canonical table of that kind."""
    return lambda kind: TABLES[kind]()
