"""The township report's tables agree with results.json and show no personal data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reports import township_report as rt
from workbench.pipeline import DemoResult
from workbench.township_run import assess_run

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def songlin(demo: DemoResult) -> tuple:
    """The 松林乡 assessment recomputed in-process, with the v001 results.json of the demo."""
    outcome = next(t for t in demo.townships if t.township == "松林乡")
    folder = outcome.run_dir / "assessments" / "v001"
    inputs = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    survey = folder / inputs["files"]["survey"]["file"]
    villages = folder / inputs["files"]["village_survey"]["file"]
    assessment = assess_run(outcome.run_dir, str(survey), str(villages))
    return assessment, json.loads((folder / "results.json").read_text(encoding="utf-8"))


def test_recomputed_assessment_matches_saved_results(songlin: tuple) -> None:
    assessment, results = songlin
    assert assessment.to_results() == results


def test_sample_table_totals(songlin: tuple) -> None:
    assessment, results = songlin
    table = rt.sample_table(assessment)
    total = table.iloc[-1]
    assert total["村"] == "合计"
    s = results["sample"]
    assert total["计划样本户"] == s["planned"]
    assert total["完成访问"] == s["completed"] and total["替换户"] == s["replacements"]
    assert total["拒访"] == s["refused"] and total["未找到"] == s["not_found"]
    assert table.iloc[:-1]["计划样本户"].sum() == s["planned"]
    assert rt.sample_table(assessment, "en").columns[0] == "Village"


def test_wrong_exit_and_approval_tables_use_the_estimates(songlin: tuple) -> None:
    assessment, results = songlin
    wrong = rt.wrong_exit_table(assessment)
    first = wrong.iloc[0]
    ind = results["indicators"]["wrong_exit_rate"]
    assert (first["口径"], first["情形"]) == ("按人口", "已访问户")
    assert first["错退率"] == rt.pct(ind["estimate"])
    assert first["95%置信区间"] == f"{rt.pct(ind['ci_low'])} – {rt.pct(ind['ci_high'])}"
    approval = rt.approval_table(assessment)
    assert approval.iloc[0]["估计值"] == rt.pct(results["indicators"]["approval_rate"]["estimate"])


def test_procedure_table_matches_compliance(songlin: tuple) -> None:
    assessment, results = songlin
    table = rt.procedure_table(assessment)
    households = table.iloc[0]
    proc = results["indicators"]["procedure_compliance"]
    assert households["对象"] == "脱贫户"
    assert households["有日期记录"] == proc["households_assessed"]
    assert households["合规"] == proc["households_compliant"]
    assert households["合规率"] == rt.pct(proc["estimate"])
    assert households["公示不足7天"] > 0.2 * proc["households_assessed"]  # the planted problem


def test_follow_up_list_has_masked_ids_and_no_names(songlin: tuple) -> None:
    assessment, _ = songlin
    table = rt.follow_up_table(assessment)
    assert not table.empty
    assert "户主姓名" not in table.columns and "head_name" not in table.columns
    assert table["户主身份证号（脱敏）"].str.fullmatch(r"\d{4}\*{10}\d{3}[\dX]").all()
    assert set(table["访问结果"]) <= {"完成", "替换户", "拒访", "未找到", "无回收记录"}


def test_village_and_income_tables(songlin: tuple) -> None:
    assessment, results = songlin
    villages = rt.village_table(assessment)
    assert len(villages) == len(results["indicators"]["village_incidence"])
    income = rt.income_table(assessment)
    vf = results["income"]["verification_factor"]["estimate"]
    assert income.iloc[1, 1] == f"{vf:.3f}"
    points = rt.income_points(assessment)
    assert points["wrong_exit"].dtype == bool
    assert len(points) == results["income"]["households"]
    assert isinstance(rt.styled(villages).to_html(), str)
    assert pd.notna(rt.typical_poverty_line(assessment))
