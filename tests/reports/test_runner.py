"""The strict papermill runner: parameter checks before any kernel, failures, no overwrites."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from data_contracts.errors import ExitcheckError, InputError, RequestError
from workbench.cli import exit_code
from workbench.runner import (
    NOTEBOOK_DIR,
    _type_ok,
    run_notebook,
    validate_parameters,
)

pytestmark = pytest.mark.notebook

FIXTURES = Path(__file__).parent / "fixtures"


def _run(params: dict, out: Path, name: str = "tiny_report", lang: str = "zh") -> Path:
    return run_notebook(name, params, out, "report.html", lang, notebook_dir=FIXTURES)


def test_notebook_dir_is_the_project_folder() -> None:
    assert NOTEBOOK_DIR.name == "notebooks"
    assert (NOTEBOOK_DIR.parent / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"colour": "red"}, "unknown parameter 'colour'"),
        ({"count": "3"}, "parameter 'count' must be int, got str"),
        ({"count": True}, "parameter 'count' must be int, got bool"),
        ({"ratio": "x"}, "parameter 'ratio' must be float"),
        ({"data_path": "/no/such/file.csv"}, "file /no/such/file.csv does not exist"),
        ({"title": "a\nimport os"}, "control character"),
    ],
)
def test_bad_parameters_fail_before_any_kernel(tmp_path: Path, params: dict, fragment: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(RequestError) as info:
        _run(params, out)
    assert exit_code(info.value) == 2
    assert fragment in info.value.message
    assert not out.exists()  # nothing started, nothing written


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(ExitcheckError) as info:
        validate_parameters("tiny_report", {"a": 1, "count": 1.5}, FIXTURES)
    assert "unknown parameter 'a'" in info.value.message
    assert "'count' must be int" in info.value.message


def test_float_accepts_int_and_optional_accepts_none() -> None:
    assert _type_ok(3, "float")
    assert not _type_ok(True, "float")
    assert _type_ok(None, "Optional[str]")
    assert _type_ok(None, "str | None")
    assert not _type_ok(None, "str")
    assert _type_ok(["a"], "list[str]")
    assert _type_ok(object(), "SomethingElse")


def test_unknown_notebook_and_language(tmp_path: Path) -> None:
    with pytest.raises(ExitcheckError, match="no report notebook named 'nope'"):
        _run({}, tmp_path, name="nope")
    with pytest.raises(ExitcheckError, match="no report notebook named"):
        _run({}, tmp_path, name="../fixtures/tiny_report")
    with pytest.raises(ExitcheckError, match="language must be one of zh, en"):
        _run({}, tmp_path, lang="fr")


def test_failing_cell_names_cell_and_error_and_keeps_notebook(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        _run({}, tmp_path, name="failing")
    err = info.value
    assert exit_code(err) == 1
    lines = err.message.splitlines()
    assert len(lines) == 3
    assert lines[0] == "notebook failing failed in cell 1 (# 故意出错 (deliberate failure)):"
    assert lines[1].strip() == "ZeroDivisionError: division by zero"
    kept = tmp_path / "failing.ipynb"
    assert str(kept) in lines[2]
    nb = nbformat.read(kept, as_version=4)
    errors = [o.ename for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == ["ZeroDivisionError"]
    assert not (tmp_path / "report.html").exists()


def test_existing_outputs_are_never_overwritten(tiny_reports: dict[str, Path]) -> None:
    html = tiny_reports["zh"]
    before = html.read_bytes()
    with pytest.raises(ExitcheckError, match="already exists; refusing to overwrite"):
        _run({}, html.parent)
    assert html.read_bytes() == before


def test_existing_executed_notebook_is_never_overwritten(tiny_reports: dict[str, Path]) -> None:
    executed = tiny_reports["zh"].parent / "tiny_report.ipynb"
    before = executed.read_bytes()
    with pytest.raises(ExitcheckError, match="already exists"):
        run_notebook("tiny_report", {}, executed.parent, "other.html", notebook_dir=FIXTURES)
    assert executed.read_bytes() == before


def test_parameters_reach_the_notebook(tiny_reports: dict[str, Path]) -> None:
    nb = nbformat.read(tiny_reports["en"].parent / "tiny_report.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'title = "Exit assessment test"' in injected.source
    assert 'lang = "en"' in injected.source
    assert "count = 3" in injected.source
