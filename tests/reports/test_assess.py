"""`exitcheck assess`: checked returns, numbered versions, intact history, private reports."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.errors import InputError, RequestError
from workbench.cli import exit_code, main
from workbench.commands.assess import assess
from workbench.versions import latest_finished, list_versions

pytestmark = pytest.mark.notebook

TOWNSHIP = "松林乡"  # the township of the ``assessed_run`` fixture


def _html(run: Path, version: str) -> str:
    return (run / "assessments" / version / "report.html").read_text(encoding="utf-8")


def test_two_runs_make_two_finished_versions_and_keep_v001(assessed_run: dict) -> None:
    run = assessed_run["run"]
    assert [(v.name, v.status) for v in list_versions(run)] == [
        ("v001", "finished"), ("v002", "finished"),
    ]  # fmt: skip
    assert latest_finished(run).name == "v002"
    for path, data in assessed_run["v001_bytes"].items():
        assert path.read_bytes() == data, f"{path} changed after v002"
    for version in ("v001", "v002"):
        folder = run / "assessments" / version
        names = {"report.html", "results.json", "units.parquet", "inputs.json", "changes.json",
                 "STATUS"}  # fmt: skip
        assert names <= {p.name for p in folder.iterdir()}


def test_inputs_json_hashes_the_copied_returns(assessed_run: dict) -> None:
    folder = assessed_run["run"] / "assessments" / "v002"
    inputs = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    entry = inputs["files"]["survey"]
    copy = folder / entry["file"]
    assert entry["file"] == "survey/survey_v2.csv"
    assert copy.read_bytes() == assessed_run["survey_v2"].read_bytes()
    assert entry["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    for kind in ("design", "sample", "households", "villages"):
        recorded = inputs["files"][kind]
        assert (
            recorded["sha256"]
            == hashlib.sha256((folder / recorded["file"]).read_bytes()).hexdigest()
        )
    assert inputs["previous"] == "v001"
    assert "no survey row" in inputs["accepted_warnings"][0]
    assert inputs["versions"]["pandas"] == pd.__version__


def test_results_json_matches_the_report(assessed_run: dict) -> None:
    run = assessed_run["run"]
    results = json.loads((run / "assessments/v002/results.json").read_text(encoding="utf-8"))
    assert results["township"] == TOWNSHIP
    assert results["verdict"]["statistical"] in ("credible", "inconclusive", "not_credible")
    assert results["sample"]["missing"] == 1
    rate = next(i for i in results["indicators"] if i["kind"] == "wrong_exit_rate")
    html = _html(run, "v002")
    assert f"{100 * rate['estimate']['estimate']:.1f}%" in html
    assert f'class="verdict {results["verdict"]["statistical"]}"' in html


def test_v002_opens_with_what_changed(assessed_run: dict) -> None:
    run = assessed_run["run"]
    v1, v2 = _html(run, "v001"), _html(run, "v002")
    assert "与上一版本" not in v1
    assert "与上一版本（v001）相比的变化" in v2
    assert "新增 0 条，修改 3 条，删除 1 条" in v2
    assert v2.index('class="changes"') < v2.index('class="verdict') < v2.index("一、样本执行情况")
    first = json.loads((run / "assessments/v001/results.json").read_text(encoding="utf-8"))
    second = json.loads((run / "assessments/v002/results.json").read_text(encoding="utf-8"))

    def rate(results: dict) -> float:
        return next(i for i in results["indicators"] if i["kind"] == "wrong_exit_rate")[
            "estimate"]["estimate"]  # fmt: skip

    assert rate(second) > rate(first)
    changes = json.loads((run / "assessments/v002/changes.json").read_text(encoding="utf-8"))
    assert changes["previous"] == "v001" and len(changes["returns_removed"]) == 1
    changed = {c["household_id"] for c in changes["field_changes"]}
    assert len(changed) == 3 and {c["field"] for c in changes["field_changes"]} == {
        "verified_housing_secure"
    }
    for household in changed:  # the report says which household changed, and how
        assert household in v2


def test_report_hides_code_and_holds_no_id_numbers(assessed_run: dict) -> None:
    for version in ("v001", "v002"):
        html = _html(assessed_run["run"], version)
        assert "TownshipReport" not in html and "import " not in html
        assert "<script" not in html and not re.search(r"""(src|href)=["']https?://""", html)
        assert not re.search(r"\d{17}[\dX]|\d{4}\*{10}\d{3}[\dX]", html), "no ID numbers"


def test_unknown_household_is_refused_before_any_version(
    assessed_run: dict, tmp_path: Path
) -> None:
    run = assessed_run["run"]
    survey = pd.read_csv(assessed_run["survey_v1"], dtype=str)
    survey.iloc[0, 0] = "9999999999999999"
    bad = tmp_path / "bad.csv"
    survey.to_csv(bad, index=False)
    before = [v.name for v in list_versions(run)]
    assert main(["assess", str(run), "--survey", str(bad)]) == 1
    assert [v.name for v in list_versions(run)] == before


def test_missing_returns_need_accept_warnings(assessed_run: dict, tmp_path: Path) -> None:
    run = assessed_run["run"]
    survey = pd.read_csv(assessed_run["survey_v1"], dtype=str).iloc[2:]
    partial = tmp_path / "partial.csv"
    survey.to_csv(partial, index=False)
    with pytest.raises(InputError) as info:
        assess(run, partial)
    assert exit_code(info.value) == 1
    assert "no survey row" in info.value.message and "--accept-warnings" in info.value.message
    assert len(list_versions(run)) == 2


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(
        RequestError, match=r"is not a township run folder: design\.json is missing"
    ):
        assess(tmp_path, tmp_path / "survey.csv")


def test_jupyter_path_shows_the_same_report(assessed_run: dict) -> None:
    """The notebook, run by papermill on a finished version, loads the records and shows the
    same verdict box and tables as the in-process report.html (it computes nothing)."""
    folder = assessed_run["run"] / "assessments" / "v002"
    assert main(["report", str(folder), "--notebook"]) == 0  # papermill, then nbconvert
    page = folder / "notebook.zh" / "report.zh.html"
    assert (folder / "notebook.zh" / "assess_township.ipynb").is_file()  # the executed notebook
    notebook, cli = page.read_text(encoding="utf-8"), _html(assessed_run["run"], "v002")

    def box(html: str) -> str:
        return re.search(r'<div class="verdict .*?</div>', html, flags=re.S).group(0)

    assert box(notebook) == box(cli)
    for table in re.findall(r'<table class="report">.*?</table>', cli, flags=re.S):
        assert table in notebook
