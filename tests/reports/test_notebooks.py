"""Committed notebooks are thin, parameterized and stored without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest

from workbench.runner import NOTEBOOK_DIR

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def test_report_notebooks_exist() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {"assess_township", "district_summary"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_with_one_documented_parameters_cell(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: needs exactly one parameters cell"
    declared = papermill.inspect_notebook(str(path))
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(declared) == len(lines), f"{path.name}: papermill cannot parse every parameter"
    for name, info in declared.items():
        assert info["inferred_type_name"] != "None", f"{path.name}: {name} lacks a type hint"
        assert info["help"], f"{path.name}: {name} lacks a comment"
    for cell in nb.cells:
        assert not re.search(r"^\s*(def|class|for|while|if) ", cell.source, re.M), (
            f"{path.name}: logic belongs in the packages, not in the notebook"
        )
