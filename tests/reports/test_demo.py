"""The demo pipeline: every township finishes in parallel and the planted problems show up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from data_contracts.privacy import PERSONAL_COLUMNS
from data_contracts.records import ResultsRecord, read_record
from workbench.cli import main
from workbench.pipeline import DemoResult

pytestmark = pytest.mark.notebook


def _results(demo: DemoResult, township: str) -> ResultsRecord:
    outcome = next(t for t in demo.townships if t.township == township)
    return read_record(outcome.run_dir / "assessments" / "v001" / "results.json", ResultsRecord)


def test_every_township_and_the_district_finish(demo: DemoResult) -> None:
    assert demo.exit_code == 0, demo.to_frame().to_string()
    assert [t.township for t in demo.townships] == ["松林乡", "白马镇", "龙泉乡"]
    for t in demo.townships:
        assert t.report is not None and t.report.is_file()
        assert (t.run_dir / "sampling_report.html").is_file()
    assert demo.district_report.is_file()
    assert "3/3 townships assessed" in repr(demo)


def test_inflated_incomes_make_baima_not_credible(demo: DemoResult) -> None:
    results = _results(demo, "白马镇")  # planted: true wrong-exit rate about 10%
    wrong = results.indicator("wrong_exit_rate")
    assert wrong.verdict == "not_credible"
    assert wrong.estimate.ci_low > 0.02
    assert results.verdict.statistical == "not_credible"


def test_short_notices_make_songlin_procedure_fail(demo: DemoResult) -> None:
    results = _results(demo, "松林乡")  # planted: 29% of households with < 7 days of notice
    procedure = results.indicator("procedure_compliance")
    assert procedure.verdict == "not_credible"
    assert 0.6 < procedure.estimate.estimate < 0.8
    assert results.verdict.statistical == "not_credible"


def test_key_village_above_two_percent_makes_longquan_not_credible(demo: DemoResult) -> None:
    results = _results(demo, "龙泉乡")  # planted: 周桥村 true incidence 3.4%, registry 1.4%
    village = next(v for v in results.villages if v.village_id == "371302201215")
    zhouqiao = results.indicator("village_incidence", "371302201215")
    assert village.village == "周桥村"
    assert zhouqiao.verdict == "not_credible"
    assert village.registry_incidence < 0.02 < zhouqiao.estimate.estimate
    others = [i.verdict for i in results.indicators
              if i.kind == "village_incidence" and i.village_id != "371302201215"]  # fmt: skip
    assert "not_credible" not in others
    assert results.verdict.statistical == "not_credible"


def test_no_personal_data_outside_field_manifests(demo: DemoResult, assessed_run: dict) -> None:
    """Every report, results file and saved unit table of the demo: no ID, phone or name."""
    households = pd.read_csv(demo.townships[0].run_dir / "inputs" / "households.csv", dtype=str)
    secrets = set(households["证件号码"].dropna()) | set(households["联系电话"].dropna())
    names = [n for n in households["户主姓名"].dropna().unique() if len(n) >= 3]
    assert len(secrets) > 1000 and len(names) > 100
    root = demo.district_report.parent.parent
    outputs = [p for p in root.rglob("*") if p.suffix in (".html", ".json")]
    outputs = [p for p in outputs if p.name != "sampling_report.html"]  # the sampling issue's
    assert len(outputs) >= 3 * 3 + 2  # report, results, inputs per township; district files
    for path in outputs:
        text = path.read_text(encoding="utf-8")
        tokens = set(re.findall(r"[\dX]{11,18}", text))
        assert not tokens & secrets, f"{path} shows an ID or phone number"
        assert not [n for n in names if n in text], f"{path} shows a name"
    for units in root.rglob("units.parquet"):
        assert not set(PERSONAL_COLUMNS) & set(pd.read_parquet(units).columns)


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _data_names(demo: DemoResult) -> list[str]:
    """Proper names taken from the input data: county, townships, villages (longest first)."""
    inputs = demo.townships[0].run_dir / "inputs"
    villages = pd.read_csv(inputs / "villages.csv", dtype=str)
    counties = pd.read_csv(inputs / "households.csv", dtype=str, usecols=["县（市、区）"])
    names = set(villages["乡镇（街道）"]) | set(villages["行政村"]) | set(counties["县（市、区）"])
    names |= {t.township for t in demo.townships}
    return sorted((n for n in names if CJK.search(n)), key=len, reverse=True)


def _visible(html: str) -> str:
    """What a reader sees: no stylesheet and no tags (SVG text stays: labels are text)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", html, flags=re.S))


IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\bNone\b|\bnan\b|\bNaN\b")


def test_no_report_shows_an_internal_identifier(demo: DemoResult) -> None:
    """Issue 16: no report of the demo shows a code identifier (snake_case names such as
    wrong_exit_threshold), "None" or "nan" — file names of the inputs and outputs aside. The
    papermill copies (``report --notebook``, other tests) are left out: they show the notebook's
    parameters cell (version_dir) — a known gap."""
    pages = [p for t in demo.townships for p in t.run_dir.rglob("*.html")
             if not p.parent.name.startswith("notebook.")]  # fmt: skip
    pages += list(demo.district_report.parent.glob("*.html"))
    assert len(pages) >= 2 * len(demo.townships) + 1
    for page in pages:
        text = _visible(re.sub(r"<svg.*?</svg>", " ", page.read_text(encoding="utf-8"), flags=re.S))
        text = re.sub(r"\S+\.(csv|xlsx|parquet|json|html)", " ", text)  # file names are data
        assert not IDENTIFIER.findall(text), (page, sorted(set(IDENTIFIER.findall(text)))[:20])


def test_english_reports_have_no_chinese_but_data_names(demo: DemoResult) -> None:
    """`exitcheck report FOLDER --lang en` on every township version, run and the district:
    a new English file, nothing Chinese in it but the names from the inputs (issue 10)."""
    folders = [t.run_dir / "assessments" / "v001" for t in demo.townships]
    folders += [t.run_dir for t in demo.townships]  # the sampling reports
    folders.append(demo.district_report.parent)
    names = _data_names(demo)
    for folder in folders:
        before = set(folder.iterdir())
        assert main(["report", str(folder), "--lang", "en"]) == 0
        (page,) = set(folder.iterdir()) - before
        assert page.name.endswith(".en.html")
        text = _visible(page.read_text(encoding="utf-8"))
        for name in names:
            text = text.replace(name, " ")
        text = re.sub(r"\S+\.(csv|xlsx|parquet|json)", " ", text)  # input file names are data
        text = re.sub(r"\S\*+", " ", text)  # masked names in the sampling preview (张*) are data
        assert not CJK.findall(text), (page, sorted(set(CJK.findall(text)))[:20])


def test_every_written_json_validates_against_its_published_schema(demo: DemoResult) -> None:
    """design.json, inputs.json, results.json, changes.json and district.json of the demo
    against docs/schemas/ (the committed JSON Schemas), with jsonschema."""
    schemas = Path(__file__).parents[2] / "docs" / "schemas"
    root = demo.district_report.parent.parent
    seen = set()
    for path in root.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        schema = json.loads((schemas / f"{data['kind']}.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        seen.add(data["kind"])
    assert seen == {"design", "inputs", "results", "changes", "district"}
