"""``exitcheck sample`` end to end: parameter checks, run folder, determinism, the report."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_contracts.columns import spec
from data_contracts.demo import generate_district
from data_contracts.demo.files import csv_bytes
from reports import sampling_report as report
from reports.sampling_report import SamplingReport
from sampling.plans import acceptance_plan
from workbench.cli import main

pytestmark = pytest.mark.notebook

FILES = ("sample.parquet", "sample.csv", "manifest.xlsx", "survey_form.xlsx")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo registry exports as Chinese-header CSV files (reading the XLSX export is slow)."""
    folder = tmp_path_factory.mktemp("inputs")
    district = generate_district()
    tables = {
        "households": district.households,
        "villages": district.villages,
        "poverty-lines": district.poverty_lines,
    }
    paths = {kind: folder / f"{kind}.csv" for kind in tables}
    for kind, table in tables.items():
        paths[kind].write_bytes(csv_bytes(table, spec(kind)))
    return paths


@pytest.fixture
def no_report(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace the rendering of the sampling report (tested below) by a recorder."""
    calls: list[dict] = []

    def fake(run_dir, lang):
        calls.append({"run_dir": Path(run_dir), "lang": lang})
        return Path(run_dir) / "sampling_report.html"

    monkeypatch.setattr("workbench.commands.sample.render_report", fake)
    return calls


def argv(inputs: dict[str, Path], out: Path, *extra: str) -> list[str]:
    return [
        "sample",
        "--households", str(inputs["households"]),
        "--villages", str(inputs["villages"]),
        "--poverty-lines", str(inputs["poverty-lines"]),
        "--township", "白马镇",
        "--out", str(out),
        *extra,
    ]  # fmt: skip


CJK = re.compile(r"[\u4e00-\u9fff]")
STRATIFIED = ("--design", "stratified", "--n", "40", "--strata", "risk", "--reserves", "2")


def test_stratified_run_folder_and_determinism(tmp_path: Path, inputs, no_report) -> None:
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert main(argv(inputs, tmp_path / name, *STRATIFIED, "--seed", seed)) == 0
    a, b, c = (tmp_path / n for n in "abc")
    assert sorted(p.name for p in (a / "inputs").iterdir()) == [
        "households.csv", "poverty-lines.csv", "villages.csv"
    ]  # fmt: skip
    for file in FILES:
        assert (a / file).read_bytes() == (b / file).read_bytes(), file
    design_a, design_b = (json.loads((d / "design.json").read_text("utf-8")) for d in (a, b))
    for design in (design_a, design_b):  # the time of the draw, and the seal that covers it
        design.pop("created"), design.pop("seal", None)
    assert design_a == design_b and design_a["parameters"]["n"] == 40
    sha = design_a["parameters"]["input_sha256"]
    assert sha["villages"] == hashlib.sha256(inputs["villages"].read_bytes()).hexdigest()
    assert (a / "sample.parquet").read_bytes() != (c / "sample.parquet").read_bytes()
    units = pd.read_parquet(a / "sample.parquet")
    main_units = units[~units["reserve"]]
    assert len(main_units) == 40 and main_units["weight"].sum() == pytest.approx(1258)
    assert no_report[0]["run_dir"] == a
    assert no_report[0]["lang"] == "zh"
    # the report's planning parameters are recorded with the design (defaults here)
    assert design_a["report"] == {
        "threshold": 0.02, "good_rate": 0.005, "alpha": 0.10, "beta": 0.05, "deff": 1.0
    }  # fmt: skip


def test_lang_flag_reaches_the_report(tmp_path: Path, inputs, no_report, capsys) -> None:
    planning = ("--threshold", "0.03", "--good-rate", "0.01", "--alpha", "0.2", "--deff", "1.5")
    args = argv(inputs, tmp_path / "en", *STRATIFIED, "--seed", "1", "--lang", "en", *planning)
    assert main(args) == 0
    assert no_report[0]["lang"] == "en"
    design = json.loads((tmp_path / "en" / "design.json").read_text("utf-8"))
    assert design["report"] == {
        "threshold": 0.03, "good_rate": 0.01, "alpha": 0.2, "beta": 0.05, "deff": 1.5
    }  # fmt: skip
    with pytest.raises(SystemExit, match="2"):  # argparse refuses the choice
        main(argv(inputs, tmp_path / "fr", *STRATIFIED, "--seed", "1", "--lang", "fr"))
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    assert not (tmp_path / "fr").exists()


def test_report_reproduces_the_run(tmp_path: Path, inputs, no_report) -> None:
    out = tmp_path / "run"
    two_stage = ("--design", "two-stage", "--villages-to-sample", "5",
                 "--households-per-village", "6", "--reserves", "2", "--seed", "3")  # fmt: skip
    assert main(argv(inputs, out, *two_stage)) == 0
    zh = SamplingReport.load(out)
    run = zh.run
    assert run.sealed and "sealed" in repr(run)
    # the report reads the recorded allocation; drawing again gives the same one
    from sampling.draw import draw_sample

    again = draw_sample(run.frame, "two-stage", 3, run.design["parameters"]).allocation
    pd.testing.assert_frame_equal(run.allocation[list(again.columns)], again, check_dtype=False)
    summary = zh.frame_summary()
    assert summary.iloc[-1]["村编码"] == "合计" and summary.iloc[-1]["脱贫户数"] == 1258
    assert zh.design_facts().set_index("项目").loc["样本户数", "内容"] == "30"
    alloc = zh.allocation()
    assert alloc["样本户数"].sum() == 30 and set(alloc["是否入样"]) == {"是", "否"}
    precision = zh.precision()
    assert precision["95%置信区间半宽（约）"].iloc[0] == "±5.0%"  # 1.96*sqrt(.02*.98/30*fpc)
    plan = acceptance_plan(population=run.frame.households)
    assert zh.plan == plan and zh.plan_facts().iloc[0, 1] == str(plan.n)
    fig = report.oc_figure(plan)
    line = fig.axes[0].lines[0]
    assert fig.axes[0].get_xlabel() == "真实错退率（%）"
    assert np.interp(2.0, line.get_xdata(), line.get_ydata()) == pytest.approx(
        plan.beta_achieved, abs=0.01
    )
    preview = SamplingReport(run, "zh", preview_rows=5).preview()
    assert preview["证件号码"].str.contains(r"\*{10}").all() and len(preview) == 5
    assert preview["户主姓名"].str.contains(r"\*").all()
    # the same tables in English: same values, English headers and words
    en = SamplingReport(run, "en")
    summary_en = en.frame_summary()
    assert summary_en.iloc[-1]["Village code"] == "Total"
    assert summary_en.iloc[-1]["Exited households"] == 1258
    assert summary_en.iloc[:, 2:].equals(
        summary.iloc[:, 2:].set_axis(summary_en.columns[2:], axis=1)
    )
    design_en = en.design_facts().set_index("Item")["Value"]
    assert design_en["Sampled households"] == "30" and design_en["Design"] == "two-stage sampling"
    assert design_en["Households per village"] == "6" and "Planned sample size" not in design_en
    alloc_en = en.allocation()
    assert alloc_en["Sampled households"].sum() == 30 and set(alloc_en["Selected"]) == {"yes", "no"}
    assert en.precision()["95% CI half-width (approx.)"].iloc[0] == "±5.0%"
    plan_en = en.plan_facts().set_index("Item")["Value"]
    assert plan_en["Households to check n"] == str(plan.n)
    assert plan_en["Model"] == "hypergeometric (finite population)"
    ax = report.oc_figure(plan, lang="en").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (
        "True wrong-exit rate (%)",
        "Probability of passing",
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == [
        "threshold p0",
        "good rate p1",
    ]
    preview_en = SamplingReport(run, "en", preview_rows=5).preview()
    assert preview_en.columns[:4].tolist() == [
        "Household ID", "Village", "Head of household", "ID number"
    ]  # fmt: skip
    assert preview_en["ID number"].str.contains(r"\*{10}").all()
    assert en.section("plan")[0] == "<h2>Acceptance plan and OC curve</h2>"
    assert en.title() == "<h1>白马镇: sample of exited households</h1>"
    intro = en.intro()
    assert "<b>30</b> households with <b>10</b> reserves" in intro
    assert '<b class="pass">exactly the recorded files</b>' in intro
    rule_zh, rule_en = (r.replacement_rule() for r in (zh, en))
    assert rule_zh.startswith("<p>拒访或未找到的样本户") and "按同一村备选户顺序" in rule_zh
    assert rule_en.startswith("<p>A sampled household that refuses") and "same village" in rule_en
    assert not CJK.search(rule_en) and "A sampled" not in rule_zh
    # a changed sample file is detected
    tampered = run.recorded.assign(weight=run.recorded["weight"] * 2)
    tampered.to_parquet(out / "tampered.parquet")
    (out / "sample.parquet").unlink()
    (out / "tampered.parquet").rename(out / "sample.parquet")
    broken = SamplingReport.load(out, "en")
    assert not broken.run.sealed
    assert '<b class="fail">different files: please check the run folder</b>' in broken.intro()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--design", "cluster", "--n", "5", "--seed", "1"), "--n does not apply to the cluster"),
        (("--design", "two-stage", "--villages-to-sample", "3", "--seed", "1"),
         "needs --households-per-village"),
        (("--design", "cluster", "--villages-to-sample", "99", "--seed", "1"), "1 to 26"),
        (("--design", "stratified", "--n", "5000", "--seed", "1"), "exceeds the 1258"),
        (("--design", "stratified", "--n", "10", "--fixed", "x", "--seed", "1"), "A=1,B=2"),
        (("--design", "stratified", "--n", "10", "--seed", "1", "--good-rate", "0.5"),
         "below the threshold"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_before_anything_is_written(
    tmp_path: Path, inputs, no_report, capsys, extra, message
) -> None:
    assert main(argv(inputs, tmp_path / "run", *extra)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists() and not no_report


def test_unknown_township_and_existing_folder(tmp_path: Path, inputs, no_report, capsys) -> None:
    args = argv(inputs, tmp_path / "run", *STRATIFIED, "--seed", "1")
    args[args.index("白马镇")] = "无名镇"
    assert main(args) == 2
    assert "known townships" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()  # the claimed folder is released again
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("keep")
    assert main(argv(inputs, tmp_path / "full", *STRATIFIED, "--seed", "1")) == 2
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "full" / "x.txt").read_text() == "keep"


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("zh", ["白马镇 脱贫户抽样报告", "完全一致", "操作特性", "整群抽样", "整群抽样不设备选户"],
         ["No replacement", "Sampling frame"]),
        ("en", ["白马镇: sample of exited households", "exactly the recorded files",
                "Acceptance plan and OC curve", "cluster sampling",
                "No replacement: every exited household",
                "Households to check n", "Exited households", "Head of household"],
         ["抽样报告", "操作特性", "整群抽样", "备选户", "脱贫户数", "户主姓名", "项目"]),
    ],
)  # fmt: skip
def test_real_report_renders(tmp_path: Path, inputs, monkeypatch, lang, expected, absent) -> None:
    """The real report, rendered in-process by ``exitcheck sample`` (no kernel), in each
    language; the notebook shows the same blocks."""

    def no_kernel(*args, **kwargs):
        pytest.fail("the sampling report must not run a notebook")

    monkeypatch.setattr("workbench.runner.run_notebook", no_kernel)
    args = ("--design", "cluster", "--villages-to-sample", "3", "--seed", "5", "--lang", lang)
    assert main(argv(inputs, tmp_path / "run", *args)) == 0
    html = (tmp_path / "run" / "sampling_report.html").read_text("utf-8")
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in html
    assert '<figure class="chart"><svg' in html and "Traceback" not in html
    assert [t for t in expected if t not in html] == []
    assert [t for t in absent if t in html] == []
    assert not (tmp_path / "run" / "sample_township.ipynb").exists()


def test_notebook_shows_the_same_blocks(tmp_path: Path, inputs, no_report) -> None:
    """notebooks/sample_township.ipynb (papermill, the Jupyter path) displays the blocks of
    SamplingReport: the same title, tables and rule as the in-process page."""
    from workbench.runner import run_notebook

    args = ("--design", "stratified", "--n", "60", "--strata", "village", "--seed", "2")
    assert main(argv(inputs, tmp_path / "run", *args, "--threshold", "0.03")) == 0
    html = run_notebook(
        "sample_township", {"run_dir": str(tmp_path / "run"), "lang": "en"}, tmp_path / "nb",
        "page.html", lang="en",
    ).read_text("utf-8")  # fmt: skip
    report = SamplingReport.load(tmp_path / "run", "en")
    tables = [b for b in report.blocks() if b.startswith("<table") or b.startswith("<h")]
    shown = unescape(html)  # nbconvert re-serialises the HTML it shows (&#x27; becomes ')
    assert len(tables) > 10 and [b for b in tables if unescape(b) not in shown] == []
    assert "Wrong-exit threshold p0" in html and "3.0%" in html and "<svg" in html
