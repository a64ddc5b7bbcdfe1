"""The methodology review report rendered in-process from review.json (ReviewReport)."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import pytest

from data_contracts.errors import RecordError
from data_contracts.records import ReviewRecord, write_record
from evaluation.review import ReviewConfig, run_review
from evaluation.verdict import Thresholds
from reports.formatting import pct
from reports.page import page
from reports.review_report import SECTIONS, Review, ReviewReport, build, load_review
from workbench.cli import main

pytestmark = pytest.mark.slow

# CJK ideographs, CJK and full-width punctuation (，。：；（）“” …)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
SMALL = {"stratified_sizes": (150,), "cluster_villages": (6,), "two_stage_sizes": ((10, 15),)}


def _record(**config) -> ReviewRecord:
    return run_review(ReviewConfig(reps=20, seed=20161, **SMALL, **config)).to_record()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small review's folder (review.json only), as `exitcheck review --no-html` leaves it."""
    out = tmp_path_factory.mktemp("review")
    write_record(out, _record())
    return out


@pytest.fixture(scope="module")
def pages(folder: Path) -> dict[str, str]:
    return {lang: page(build(folder, lang), lang) for lang in ("zh", "en")}


def _visible(doc: str, svg: bool = True) -> str:
    """What a reader sees: no stylesheet, no tags (SVG labels stay unless ``svg=False``)."""
    doc = re.sub(r"<style>.*?</style>", " ", doc, flags=re.S)
    if not svg:
        doc = re.sub(r"<svg.*?</svg>", " ", doc, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", doc))


def test_english_report_has_no_cjk_at_all(pages: dict[str, str]) -> None:
    """The synthetic township has no names: nothing Chinese anywhere, figures included."""
    text = _visible(pages["en"])
    assert not CJK.findall(text), sorted(set(CJK.findall(text)))[:20]
    assert '<html lang="en">' in pages["en"]
    assert "Methodology review" in text and "Findings" in text


def test_chinese_report_shows_the_same_numbers(folder: Path, pages: dict[str, str]) -> None:
    """Every number of the English report is in the Chinese one, as often, and vice versa."""
    zh, en = (Counter(NUMBER.findall(_visible(pages[k], svg=False))) for k in ("zh", "en"))
    assert zh == en, (zh - en, en - zh)
    assert "主要结论" in pages["zh"] and '<html lang="zh-CN">' in pages["zh"]
    doc = load_review(folder / ReviewRecord.FILE)
    risks = doc.frames["risks"].set_index("design_size").loc["stratified n=150"]
    for number in (pct(risks["producer_risk"]), pct(risks["consumer_risk_official_0.02"])):
        assert number in pages["zh"] and number in pages["en"]
    truth = doc.record.truth
    assert f"{truth.persons:,}人" in pages["zh"] and f"{truth.persons:,} persons" in pages["en"]
    for lang in ("zh", "en"):
        assert pages[lang].count('<figure class="chart">') == 2  # OC curves and coverage


def test_sections_and_tables(folder: Path) -> None:
    """Every section opens with its heading; every table goes through blocks.table."""
    report = ReviewReport.load(folder, "en")
    for key in SECTIONS:
        blocks = report.section(key)
        assert blocks[0].startswith("<h2>"), key
    assert [b for b in report.blocks() if "<table" in b] == [
        b for b in report.blocks() if b.startswith('<table class="report">')
    ]
    # risks, risks by scenario, OC, coverage, design effects, sizes needed by the rule, sample
    # sizes, measurement error, non-response, parameters
    assert sum(b.startswith("<table") for b in report.blocks()) == 10
    scen = report.scenario_risk_frame()
    assert list(scen.columns) == ["design", "scenario", "consumer's risk: certified at a true 2%",
                                  "producer's risk: good township not certified"]  # fmt: skip
    assert len(scen) == 3 * 3  # 3 designs × (base, γ = 1, γ = 2)
    assert "wrong exits in large households (γ = 1)" in set(scen["scenario"])
    assert 'id="T_' not in "".join(report.blocks())  # no pandas Styler table left
    oc = report.oc_frame()
    assert list(oc.columns) == ["true rate", "credible", "inconclusive", "not credible",
                                "official rule passes"]  # fmt: skip
    deff = report.deff_frame()
    assert list(deff.columns[:2]) == ["design", "measure"] and set(deff["measure"]) == {
        "persons",
        "households",
    }


def test_headers_follow_the_level() -> None:
    """At a 99% level the coverage section, its figure and the appendix say 99%, not 95%."""
    record = _record(thresholds=Thresholds(level=0.99))
    report = ReviewReport(Review.from_record(record), "en")
    coverage = "".join(report.section("coverage"))
    assert "Coverage of the 99% intervals" in coverage and "95%" not in coverage
    assert "coverage of 99% interval" in coverage  # the figure's axis label (SVG text)
    appendix = "".join(report.section("appendix"))
    assert "one-sided 99% bounds" in appendix
    findings = "".join(report.section("findings"))
    assert "one-sided 99% bound should keep it at or below 1%" in findings
    zh = "".join(ReviewReport(report.review, "zh").section("coverage"))
    assert "99%置信区间覆盖率" in zh and "95%" not in zh


def test_load_takes_the_folder_or_the_file(folder: Path, tmp_path: Path) -> None:
    by_folder = ReviewReport.load(folder, "en")
    by_file = ReviewReport.load(folder / ReviewRecord.FILE, "en")

    def text_blocks(report: ReviewReport) -> list[str]:
        return [b for b in report.blocks() if "<svg" not in b]  # SVGs carry a date

    assert text_blocks(by_folder) == text_blocks(by_file)
    with pytest.raises(RecordError, match=r"review\.json"):
        ReviewReport.load(tmp_path, "en")
    with pytest.raises(LookupError, match="unknown language"):
        ReviewReport.load(folder, "fr")


def test_report_command_renders_the_review_in_process(folder: Path) -> None:
    """`exitcheck report REVIEW --lang en` twice: two new English files, nothing overwritten."""
    before = set(folder.iterdir())
    assert main(["report", str(folder), "--lang", "en"]) == 0
    assert main(["report", str(folder), "--lang", "en"]) == 0
    new = sorted(p.name for p in set(folder.iterdir()) - before)
    assert new == ["review.en-2.html", "review.en.html"]
    doc = (folder / "review.en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in doc and doc.count('<figure class="chart">') == 2
    assert not CJK.findall(_visible(doc))


@pytest.mark.notebook
def test_notebook_shows_the_same_blocks(folder: Path, tmp_path: Path) -> None:
    """The review notebook only loads review.json and displays ReviewReport's blocks."""
    from workbench.runner import run_notebook

    params = {"review_path": str(folder / ReviewRecord.FILE)}
    shown = run_notebook("methodology_review", params, tmp_path, "r.html", lang="en")
    doc = shown.read_text(encoding="utf-8")
    assert "Traceback" not in doc and doc.count('<figure class="chart">') == 2
    shown_text = html.unescape(doc)  # nbconvert writes &#x27; back as an apostrophe
    for block in ReviewReport.load(folder, "en").blocks():
        if "<svg" not in block:
            assert html.unescape(block) in shown_text, block[:80]
