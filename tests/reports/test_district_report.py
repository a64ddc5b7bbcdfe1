"""District summary: latest finished versions, pooled estimate with townships as strata, the
headline's township counts, the report."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_contracts.errors import ExitcheckError
from data_contracts.records import DistrictRecord, read_record
from evaluation.district import TownshipAssessment, pooled_units
from evaluation.rates import Designs
from workbench.cli import main
from workbench.district_data import collect
from workbench.pipeline import DemoResult
from workbench.versions import allocate_version

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def second_run(demo: DemoResult) -> Path:
    """白马镇's demo run, with a later assessment killed outright (STATUS stays running)."""
    run = next(t.run_dir for t in demo.townships if t.township == "白马镇")
    allocate_version(run)
    return run


def test_collect_uses_latest_finished_and_lists_missing(
    assessed_run: dict, second_run: Path, tmp_path: Path
) -> None:
    district = collect([assessed_run["run"], second_run, tmp_path / "nope", tmp_path])
    assert [(t.township, t.version) for t in district.townships] == [
        ("松林乡", "v002"), ("白马镇", "v001"),
    ]  # fmt: skip
    assert [(m.run, m.reason, m.why) for m in district.missing] == [
        (str(tmp_path / "nope"), "not_a_run_folder", "run folder not found"),
        (str(tmp_path), "no_finished_version", "not assessed yet"),
    ]
    frame = district.to_frame()
    assert frame["township"].tolist() == ["松林乡", "白马镇", "", ""]
    assert frame["version"].tolist() == ["v002", "v001", "", ""]
    with pytest.raises(ExitcheckError, match="more than once"):
        collect([second_run, second_run])


def test_one_township_pooled_equals_its_own_estimate(second_run: Path) -> None:
    district = collect([second_run])
    est = district.summarise().wrong_exit_rate
    own = district.townships[0].results.indicator("wrong_exit_rate").estimate
    assert est.estimate == pytest.approx(own.estimate, rel=1e-12)
    assert est.se == pytest.approx(own.se, rel=1e-9)
    assert est.ci == pytest.approx((own.ci_low, own.ci_high), rel=1e-9)


def test_pooled_estimate_is_ratio_of_totals_with_summed_variances(
    assessed_run: dict, second_run: Path
) -> None:
    district = collect([assessed_run["run"], second_run])
    est = district.summarise().wrong_exit_rate
    units = pooled_units([TownshipAssessment(t.results, t.units()) for t in district.townships])
    designs = Designs.build(units, {"design": "stratified"}, lonely_psu="adjust")
    resp = units["responded"].to_numpy(bool)
    m = np.where(resp, units["surveyed_household_size"], units["household_size"]).astype(float)
    w = units["weight"].to_numpy(float)
    y = units["wrong_exit"].to_numpy(float)
    ratio = (w * m * y)[resp].sum() / (w * m)[resp].sum()
    assert est.estimate == pytest.approx(ratio, rel=1e-12)
    # Var(R) = Σ_t Var_t(Σ w·m·(y − R) over respondents) / X²: each township on its own design
    x_total = (w * m)[resp].sum()
    variance = 0.0
    for t in district.townships:
        own = t.units()
        r = own["responded"].to_numpy(bool)
        size = np.where(r, own["surveyed_household_size"], own["household_size"]).astype(float)
        z = np.where(r, size * (own["wrong_exit"].to_numpy(float) - ratio), 0.0)
        one = Designs.build(own.assign(z=z), {"design": "stratified"}, lonely_psu="adjust")
        variance += one.households.total("z").se ** 2
    linearised = np.sqrt(variance) / x_total
    # the SE is the design's (the count rule of evaluation.bounds caps n*, not the SE)
    assert est.se == pytest.approx(linearised, rel=1e-6)
    assert est.basis.events == int(y[resp].sum())
    answered = units.loc[resp]  # degrees of freedom: interviewed PSUs − their strata
    assert est.df == answered["psu"].nunique() - answered["stratum"].nunique()
    assert est.n == designs.persons.subset("responded").n


def demo_townships(demo: DemoResult) -> tuple[DistrictRecord, list[dict], list[pd.DataFrame]]:
    """The demo's district.json and, read on their own (plain JSON, parquet), the results.json and
    units.parquet of the version each township row names."""
    record = read_record(demo.district_report.parent / "district.json", DistrictRecord)
    results, units = [], []
    for row, outcome in zip(record.townships, demo.townships, strict=True):
        folder = outcome.run_dir / "assessments" / row.version
        results.append(json.loads((folder / "results.json").read_text(encoding="utf-8")))
        units.append(pd.read_parquet(folder / "units.parquet"))
    return record, results, units


def test_demo_headline_counts_the_townships_results(demo: DemoResult) -> None:
    """district.json's counts and names equal a count of the townships' own results.json
    verdicts; the report's headline says them in one sentence after the district verdict."""
    record, results, _ = demo_townships(demo)
    verdicts = [(r["township"], r["verdict"]["statistical"]) for r in results]
    counted = Counter(v for _, v in verdicts)
    assert record.township_verdicts == {
        code: counted[code] for code in ("credible", "inconclusive", "not_credible")
    }
    assert sum(record.township_verdicts.values()) == len(results) == 3
    names = [n for n, v in verdicts if v == "not_credible"]
    assert record.not_credible_townships == names
    c, i, k = (counted[code] for code in ("credible", "inconclusive", "not_credible"))
    sentence = (
        f"{c}个乡镇可信、{i}个尚无定论、{k}个不可信：{'、'.join(names)}。"
        if names
        else f"{c}个乡镇可信、{i}个尚无定论，没有不可信的乡镇。"
    )
    page = demo.district_report.read_text(encoding="utf-8")
    box = page[page.index('<div class="verdict') :]
    box = box[: box.index("</div>")]
    paragraphs = [html.unescape(p) for p in box.split("</p>")]
    assert "全区错退率（按人口，各乡镇为层）" in paragraphs[0]
    assert paragraphs[1].endswith(sentence)


def test_district_command_reports_missing_and_exits_1(
    assessed_run: dict, second_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "district"
    never = tmp_path / "never-assessed"
    never.mkdir()
    runs = [str(assessed_run["run"]), str(second_run), str(never)]
    code = main(["district", *runs, "--out", str(out), "--lang", "en"])
    assert code == 1
    html = (out / "district_report.html").read_text(encoding="utf-8")
    summary = read_record(out / "district.json", DistrictRecord)
    assert [t.township for t in summary.townships] == ["松林乡", "白马镇"]
    assert [m.model_dump() for m in summary.missing] == [
        {"run": str(never.resolve()), "township": None, "reason": "no_finished_version"}
    ]
    assert [t.version for t in summary.townships] == ["v002", "v001"]
    rate = summary.wrong_exit_rate.estimate
    assert f"{100 * rate:.1f}%" in html
    assert '<html lang="en">' in html
    for text in ("松林乡", "白马镇", "never-assessed", "missing", "District wrong-exit rate"):
        assert text in html
    assert html.count('<figure class="chart">') == 2  # wrong exits and approval plots
    assert "collect(" not in html
    assert main(["district", str(never), "--out", str(tmp_path / "d2")]) == 1
    assert not (tmp_path / "d2").exists()
