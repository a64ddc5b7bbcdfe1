"""The sampling report from a run folder's records: English truly English, names from the data
inert, the recorded allocation and planning parameters shown (no second draw), re-rendered by
``exitcheck report`` in-process."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.columns import column, spec
from data_contracts.demo import generate_district
from data_contracts.demo.files import csv_bytes
from reports.page import page
from reports.sampling_report import PREVIEW_COLUMNS, SamplingReport, build
from workbench.cli import main

CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
TOWNSHIP = "[点此核对](javascript:alert(1))"  # passes the name check; must not become a link
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One demo township's registry exports (Chinese-header CSV) with hostile names: the township
    a Markdown link, two villages markup."""
    district = generate_district()
    households = district.households.loc[district.households["township"] == "东城街道"].copy()
    villages = district.villages.loc[district.villages["township"] == "东城街道"].copy()
    first, second = households["village"].unique()[:2]
    for table in (households, villages):
        table["township"] = TOWNSHIP
        table["village"] = table["village"].replace({first: SCRIPT, second: IMG})
    folder = tmp_path_factory.mktemp("hostile")
    tables = {"households": households, "villages": villages,
              "poverty-lines": district.poverty_lines}  # fmt: skip
    paths = {kind: folder / f"{kind}.csv" for kind in tables}
    for kind, table in tables.items():
        paths[kind].write_bytes(csv_bytes(table, spec(kind)))
    return paths


def _sample(inputs: dict[str, Path], out: Path, *extra: str) -> Path:
    argv = [
        "sample", "--households", str(inputs["households"]), "--villages", str(inputs["villages"]),
        "--poverty-lines", str(inputs["poverty-lines"]), "--township", TOWNSHIP,
        "--design", "two-stage", "--villages-to-sample", "4", "--households-per-village", "5",
        "--reserves", "2", "--seed", "11", "--out", str(out), *extra,
    ]  # fmt: skip
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def run(inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run drawn by ``exitcheck sample --lang en`` with planning parameters of its own."""
    out = tmp_path_factory.mktemp("runs") / "run"
    return _sample(inputs, out, "--lang", "en", "--threshold", "0.03", "--good-rate", "0.01",
                   "--deff", "1.5")  # fmt: skip


def _visible(html: str) -> str:
    """What a reader sees: no stylesheet and no tags (SVG text stays: labels are text)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style[^>]*>.*?</style>", " ", html, flags=re.S))


def _data_names(run: Path) -> list[str]:
    """Township, village and county names of the inputs, and the (masked) names of the heads
    of household in the sample preview — the only Chinese an English report may show."""
    households = pd.read_csv(run / "inputs" / "households.csv", dtype=str)
    villages = pd.read_csv(run / "inputs" / "villages.csv", dtype=str)
    names = (
        set(households["县（市、区）"]) | set(villages["乡镇（街道）"]) | set(villages["行政村"])
    )
    names |= set(pd.read_parquet(run / "sample.parquet")["head_name"].dropna())
    return sorted((n for n in names if CJK.search(n)), key=len, reverse=True)


def test_english_report_has_no_chinese_but_data_names(run: Path) -> None:
    html = (run / "sampling_report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    text = _visible(html)
    for name in _data_names(run):
        text = text.replace(name, " ")
    assert not CJK.findall(text), sorted(set(CJK.findall(text)))
    for words in (
        "Sampling frame",
        "Design and allocation",
        "Expected precision",
        "Acceptance plan and OC curve",
        "Sample preview (personal data masked)",
        "Appendix: replacement rule",
        "two-stage sampling",
        "Households to check n",
        "Operating characteristic (OC) curve of the plan",
        "True wrong-exit rate (%)",
    ):
        assert words in text, words  # fmt: skip


def test_hostile_names_stay_inert(run: Path) -> None:
    html = (run / "sampling_report.html").read_text(encoding="utf-8")
    body = html[html.index("<body") :]
    assert "<script" not in html and "<img" not in html and "<a " not in body
    assert not re.search(r"<[^>]*javascript:", html), "javascript: inside a tag"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # the village, as text
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in body
    assert f"<h1>{TOWNSHIP}: sample of exited households</h1>" in body  # no Markdown link
    assert f"<title>{TOWNSHIP}: sample of exited households</title>" in html
    zh = page(build(run, "zh"), "zh")
    assert "<script" not in zh and "<img" not in zh and "&lt;script&gt;" in zh


def test_report_reads_the_recorded_allocation_and_parameters(
    run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No second draw: with every drawing function disabled the report still builds, and it
    shows what design.json records (an edited allocation cell, the planning parameters)."""
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    design = json.loads((copy / "design.json").read_text(encoding="utf-8"))
    assert design["report"] == {
        "threshold": 0.03, "good_rate": 0.01, "alpha": 0.1, "beta": 0.05, "deff": 1.5
    }  # fmt: skip
    design["allocation"][0]["prob_village"] = 0.123456
    (copy / "design.json").write_text(json.dumps(design, ensure_ascii=False), encoding="utf-8")

    def no_draw(*args, **kwargs):
        pytest.fail("the sampling report drew the sample again")

    for target in ("sampling.draw.draw_sample", "sampling.stratified.stratified_sample",
                   "sampling.cluster.cluster_sample", "sampling.two_stage.two_stage_sample",
                   "sampling.two_stage.assemble", "sampling.stratified.assemble",
                   "sampling.cluster.assemble"):  # fmt: skip
        monkeypatch.setattr(target, no_draw)
    report = SamplingReport.load(copy, "en")
    assert report.parameters.threshold == 0.03 and report.parameters.deff == 1.5
    assert report.plan.threshold == 0.03 and report.plan.good_rate == 0.01
    alloc = report.allocation()
    assert alloc["Inclusion probability (village)"].iloc[0] == "0.1235"
    assert alloc["Sampled households"].sum() == 20 and (alloc["Selected"] == "yes").sum() == 4
    plan = report.plan_facts().set_index("Item")["Value"]
    assert plan["Wrong-exit threshold p0"] == "3.0%" and plan["Good rate p1"] == "1.0%"
    assert plan["Design effect"] == "1.5"
    assert set(report.precision()["Design effect"]) == {"1.5"}
    html = page(report.blocks(), "en")
    assert "0.1235" in html and ">3.0%<" in html


def test_report_command_renders_the_run_again_in_process(
    run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`exitcheck report RUN_DIR --lang zh|en`: a new file per language, never overwriting,
    built in-process (no notebook kernel)."""

    def no_kernel(*args, **kwargs):
        pytest.fail("the sampling report must not run a notebook")

    monkeypatch.setattr("workbench.runner.run_notebook", no_kernel)
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    original = (copy / "sampling_report.html").read_bytes()
    for lang in ("en", "en", "zh"):
        assert main(["report", str(copy), "--lang", lang]) == 0
    names = {p.name for p in copy.glob("sampling_report*.html")}
    assert names == {"sampling_report.html", "sampling_report.en.html",
                     "sampling_report.en-2.html", "sampling_report.zh.html"}  # fmt: skip
    assert (copy / "sampling_report.html").read_bytes() == original
    zh = (copy / "sampling_report.zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "脱贫户抽样报告" in zh and "验收方案" in zh
    en = (copy / "sampling_report.en.html").read_text(encoding="utf-8")
    without_svg = re.compile(r"<svg.*?</svg>", re.S)  # figures carry a timestamp
    assert without_svg.sub("", en) == without_svg.sub("", original.decode("utf-8"))


def test_preview_headers_are_the_registry_headers() -> None:
    """The Chinese preview headers in the catalogue are the registry's own column headers."""
    from data_contracts.messages import text

    for name in PREVIEW_COLUMNS:
        if name in ("margin", "weight"):
            continue
        assert text(f"sampling_report.col.{name}", "zh") == column("households", name).header


def test_notebook_takes_the_run_folder_and_language_only() -> None:
    notebook = json.loads(
        resources.files("notebooks").joinpath("sample_township.ipynb").read_text("utf-8")
    )
    (parameters,) = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert re.findall(r"^(\w+):", "".join(parameters["source"]), re.M) == ["run_dir", "lang"]
    source = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "SamplingReport.load(run_dir, lang)" in source
    for computed in ("acceptance_plan", "draw_sample", "expected_margin", "Markdown"):
        assert computed not in source
