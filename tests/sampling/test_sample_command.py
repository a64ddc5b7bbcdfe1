"""``exitcheck sample`` end to end: parameter checks, run folder, determinism, the report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_contracts.columns import spec
from data_contracts.demo import generate_district
from data_contracts.demo.files import csv_bytes
from sampling import report
from sampling.plans import acceptance_plan
from workbench.cli import main

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
    """Replace the notebook run (tested once below) by a recorder."""
    calls: list[dict] = []

    def fake(name, parameters, out_dir, html_name, lang="zh"):
        calls.append({"name": name, "parameters": dict(parameters), "html": html_name})
        return Path(out_dir) / html_name

    monkeypatch.setattr("workbench.commands.sample.run_notebook", fake)
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
    design_a.pop("created"), design_b.pop("created")
    assert design_a == design_b and design_a["parameters"]["n"] == 40
    sha = design_a["parameters"]["input_sha256"]
    assert sha["villages"] == hashlib.sha256(inputs["villages"].read_bytes()).hexdigest()
    assert (a / "sample.parquet").read_bytes() != (c / "sample.parquet").read_bytes()
    units = pd.read_parquet(a / "sample.parquet")
    main_units = units[~units["reserve"]]
    assert len(main_units) == 40 and main_units["weight"].sum() == pytest.approx(1258)
    assert no_report[0]["name"] == "sample_township"
    assert no_report[0]["parameters"]["run_dir"] == str(a.resolve())
    assert no_report[0]["html"] == "sampling_report.html"


def test_report_helpers_reproduce_the_run(tmp_path: Path, inputs, no_report) -> None:
    out = tmp_path / "run"
    two_stage = ("--design", "two-stage", "--villages-to-sample", "5",
                 "--households-per-village", "6", "--reserves", "2", "--seed", "3")  # fmt: skip
    assert main(argv(inputs, out, *two_stage)) == 0
    run = report.load_run(out)
    assert run.reproduced and "reproduced" in repr(run)
    summary = report.frame_summary_table(run.frame)
    assert summary.iloc[-1]["村编码"] == "合计" and summary.iloc[-1]["脱贫户数"] == 1258
    assert (
        report.design_table(run.design, run.sample).set_index("项目").loc["样本户数", "内容"]
        == "30"
    )
    alloc = report.allocation_table(run.sample)
    assert alloc["样本户数"].sum() == 30 and set(alloc["是否入样"]) == {"是", "否"}
    precision = report.precision_table(run.sample, run.frame)
    assert precision["95%置信区间半宽（约）"].iloc[0] == "±5.0%"  # 1.96*sqrt(.02*.98/30*fpc)
    plan = acceptance_plan(population=run.frame.households)
    assert report.plan_table(plan).iloc[0, 1] == str(plan.n)
    fig = report.oc_figure(plan)
    line = fig.axes[0].lines[0]
    assert fig.axes[0].get_xlabel() == "真实错退率（%）"
    assert np.interp(2.0, line.get_xdata(), line.get_ydata()) == pytest.approx(
        plan.beta_achieved, abs=0.01
    )
    preview = report.sample_preview(run.recorded, 5)
    assert preview["证件号码"].str.contains(r"\*{10}").all() and len(preview) == 5
    assert preview["户主姓名"].str.contains(r"\*").all()
    # a changed sample file is detected
    tampered = run.recorded.assign(weight=run.recorded["weight"] * 2)
    tampered.to_parquet(out / "tampered.parquet")
    (out / "sample.parquet").unlink()
    (out / "tampered.parquet").rename(out / "sample.parquet")
    assert not report.load_run(out).reproduced


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--design", "cluster", "--n", "5", "--seed", "1"), "--n do(es) not apply to the cluster"),
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


def test_real_report_renders(tmp_path: Path, inputs) -> None:
    """One real papermill run of notebooks/sample_township.ipynb (the slow path)."""
    args = ("--design", "cluster", "--villages-to-sample", "3", "--seed", "5")
    assert main(argv(inputs, tmp_path / "run", *args)) == 0
    html = (tmp_path / "run" / "sampling_report.html").read_text("utf-8")
    assert "白马镇 脱贫户抽样报告" in html and "完全一致" in html and "data:image/svg+xml" in html
    assert "操作特性" in html and "整群抽样" in html
    assert "Traceback" not in html
