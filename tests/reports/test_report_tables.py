"""Verdict box, indicator tables and the version comparison read results.json correctly."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from reports.township_report import (
    indicator_changes,
    indicator_frame,
    indicator_table,
    pct,
    survey_changes,
    verdict_box,
    what_changed,
)

pytestmark = pytest.mark.notebook


def _ind(est, lo, hi, thr, direction, ok, verdict):
    return {
        "estimate": est,
        "se": 0.01,
        "ci_low": lo,
        "ci_high": hi,
        "threshold": thr,
        "direction": direction,
        "official_pass": ok,
        "verdict": verdict,
        "additional_n": None,
    }


@pytest.fixture
def results() -> dict:
    return {
        "township": "兰山镇",
        "verdict": {
            "statistical": "not_credible",
            "official_pass": False,
            "failing": ["wrong_exit_rate"],
            "inconclusive": [],
            "additional_n": None,
            "summary_zh": "指标wrong_exit_rate的置信界落在标准不达标一侧，退出结果不可信。",
        },
        "indicators": {
            "wrong_exit_rate": _ind(0.051, 0.031, 0.08, 0.02, "below", False, "not_credible"),
            "approval_rate": _ind(0.95, 0.92, 0.97, 0.9, "at_least", True, "credible"),
            "village_incidence": [
                {
                    "village": "东岭村",
                    **_ind(0.012, 0.004, 0.03, 0.02, "below", True, "inconclusive"),
                },
            ],
        },
    }


def test_indicator_frame_expands_villages(results: dict) -> None:
    frame = indicator_frame(results)
    assert frame["label"].tolist() == ["错退率（按人口）", "群众认可度", "贫困发生率（东岭村）"]
    assert frame["estimate"].tolist() == [0.051, 0.95, 0.012]
    en = indicator_frame(results, "en")
    assert en["label"].iloc[2] == "Poverty incidence (东岭村)"


def test_indicator_table_formats(results: dict) -> None:
    table = indicator_table(results)
    assert list(table.columns) == ["指标", "估计值", "95%置信区间", "标准", "官方口径", "统计结论"]
    assert table.iloc[0].tolist() == [
        "错退率（按人口）",
        "5.1%",
        "3.1% – 8.0%",
        "< 2%",
        "不达标",
        "不可信",
    ]
    assert table.iloc[1, 3] == "≥ 90%"
    assert table.iloc[2, 5] == "尚无定论"
    assert pct(float("nan")) == "—"


def test_verdict_box(results: dict) -> None:
    box = verdict_box(results)
    assert box._repr_html_().startswith('<div class="verdict not_credible">')
    assert "兰山镇脱贫退出结果：不可信" in box
    assert "错退率（按人口）的置信界落在标准不达标一侧，退出结果不可信。" in box
    assert '<span class="fail">不达标</span>' in box
    en = verdict_box(results, "en")
    assert "兰山镇: exit results not credible" in en
    assert "The confidence bound of Wrong-exit rate (persons) lies on the failing side" in en
    # the note explains two-sided intervals vs the one-sided bound the verdict uses
    assert "双侧95%置信区间；统计结论依据单侧95%置信界（即双侧90%区间的一端）" in box
    assert "one-sided 95% bound (one end of the two-sided 90% interval)" in en
    at_90 = verdict_box({**results, "parameters": {**results.get("parameters", {}), "level": 0.9}})
    assert "单侧90%置信界（即双侧80%区间的一端）" in at_90


def test_verdict_word_only() -> None:
    box = verdict_box({"township": "x", "verdict": "credible", "indicators": {}})
    assert 'class="verdict credible"' in box and "可信" in box


def test_survey_changes() -> None:
    old = pd.DataFrame({"household_id": ["a", "b", "c"], "x": [1, 2, None]})
    new = pd.DataFrame({"household_id": ["b", "c", "d"], "x": [2, 5, 1]})
    assert survey_changes(old, new) == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}


def test_what_changed(results: dict) -> None:
    assert what_changed(None, results, None) == ""
    later = copy.deepcopy(results)
    later["indicators"]["wrong_exit_rate"].update(estimate=0.01, verdict="credible")
    later["verdict"] = {"statistical": "inconclusive"}
    moved = indicator_changes(results, later)
    assert moved.iloc[:, 0].tolist() == ["错退率（按人口）"]
    assert moved.iloc[0, 1:].tolist() == ["5.1%", "1.0%", "不可信", "可信"]
    box = what_changed(
        results, later, {"added": 3, "removed": 0, "changed": 2, "unchanged": 40}, "v001"
    )
    assert "与上一版本（v001）相比的变化" in box
    assert "总体结论：不可信 → 尚无定论" in box
    assert "新增 3 条，修改 2 条，删除 0 条，未变 40 条" in box
    same = what_changed(results, results, None, "v001", lang="en")
    assert "No indicator changed." in same


def test_verdict_names_villages_by_name(results: dict) -> None:
    results["indicators"]["village_incidence"] = {
        "371302201215": {
            "village": "周桥村",
            **_ind(0.035, 0.03, 0.04, 0.02, "below", False, "not_credible"),
        }
    }
    results["verdict"].update(
        statistical="inconclusive",
        failing=[],
        additional_n=120,
        inconclusive=["approval_rate", "village_incidence:371302201215"],
    )
    box = verdict_box(results)
    assert (
        "群众认可度、贫困发生率（周桥村）的置信区间跨越标准，尚无定论，建议再调查约120户。" in box
    )
    en = verdict_box(results, "en")
    assert "Public approval, Poverty incidence (周桥村) straddles" in en
    assert "about 120 more households" in en
