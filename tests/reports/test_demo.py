"""The demo pipeline: every township finishes in parallel and the planted problems show up."""

from __future__ import annotations

import json

from workbench.pipeline import DemoResult


def _results(demo: DemoResult, township: str) -> dict:
    outcome = next(t for t in demo.townships if t.township == township)
    path = outcome.run_dir / "assessments" / "v001" / "results.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_township_and_the_district_finish(demo: DemoResult) -> None:
    assert demo.exit_code == 0, demo.to_frame().to_string()
    assert [t.township for t in demo.townships] == ["松林乡", "白马镇"]
    for t in demo.townships:
        assert t.report is not None and t.report.is_file()
        assert (t.run_dir / "sampling_report.html").is_file()
    assert demo.district_report.is_file()
    assert "2/2 townships assessed" in repr(demo)


def test_inflated_incomes_make_baima_not_credible(demo: DemoResult) -> None:
    results = _results(demo, "白马镇")  # planted: true wrong-exit rate about 10%
    wrong = results["indicators"]["wrong_exit_rate"]
    assert wrong["verdict"] == "not_credible"
    assert wrong["ci_low"] > 0.02
    assert results["verdict"]["statistical"] == "not_credible"


def test_short_notices_make_songlin_procedure_fail(demo: DemoResult) -> None:
    results = _results(demo, "松林乡")  # planted: 29% of households with < 7 days of notice
    procedure = results["indicators"]["procedure_compliance"]
    assert procedure["verdict"] == "not_credible"
    assert 0.6 < procedure["estimate"] < 0.8
    assert results["verdict"]["statistical"] == "not_credible"
