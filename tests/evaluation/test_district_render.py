"""The district report from its record (district.json) and ``exitcheck district`` in-process:
English without Chinese but the data's names, headers following the level, hostile names
escaped, a warning for mixed counties, the record written and read back."""

from __future__ import annotations

import html
import re

import pytest
from district_fixtures import township

from data_contracts.records import (
    DesignRecord,
    DistrictRecord,
    SamplingParameters,
    read_record,
    write_record,
)
from data_contracts.seal import sealed
from evaluation.district import summarise_district
from evaluation.verdict import Thresholds
from reports.district_report import DistrictReport, build
from reports.page import page
from workbench.cli import main
from workbench.township_run import save_results
from workbench.versions import assessment_version

pytestmark = pytest.mark.slow

CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def towns():
    # A: 160 of 600 certifies the person rate with no error (see tests/evaluation/test_district.py)
    return [township("A", 160, 600, 0), township("B", 60, 900, 9), township("C", 60, 900, 0, 8)]


@pytest.fixture(scope="module")
def record(towns) -> DistrictRecord:
    return summarise_district(towns).to_record()


def data_names(record: DistrictRecord) -> list[str]:
    """Township, village and county names: the only Chinese an English report may show."""
    names = [t.township for t in record.townships] + [t.county or "" for t in record.townships]
    names += [v.village.village for v in record.villages]
    names += [m.township or "" for m in record.missing] + [record.county or ""]
    return sorted({n for n in names if n}, key=len, reverse=True)


def foreign_chinese(text: str, names: list[str]) -> set[str]:
    """Runs of Chinese characters in ``text`` that are not part of a name from the data."""
    return {run for run in CJK_RUN.findall(text) if not any(run in name for name in names)}


def body_text(blocks: list[str]) -> str:
    """The report's text (tags dropped, entities decoded), as a reader sees it."""
    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(blocks)))


def headers(blocks: list[str]) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", "".join(blocks))]


def test_english_report_has_no_chinese_but_the_names(record) -> None:
    blocks = DistrictReport(record, "en").blocks()
    text, names = body_text(blocks), data_names(record)
    assert names and not foreign_chinese(text, names)
    assert "District wrong-exit rate" in text and "not credible" in text
    assert "Townships needing follow-up" in text
    assert "village_incidence" not in text and " BV1" not in text  # villages by name
    # the page around the blocks adds no Chinese of its own (the stylesheet aside)
    page_html = re.sub(r"<style>.*?</style>", "", page(blocks, "en"), flags=re.S)
    assert '<html lang="en">' in page_html and not foreign_chinese(page_html, names)


def test_chinese_report_words_the_codes(record) -> None:
    text = body_text(DistrictReport(record, "zh").blocks())
    assert "全区错退率（按人口，各乡镇为层）" in text and "不可信" in text
    assert "不可信指标：错退率" in text and "未访问户占13%" in text
    [open_] = [
        r for f in record.follow_up if f.township == "C" for r in f.reasons
        if r.code == "inconclusive"
    ]  # fmt: skip
    assert f"尚无定论：错退率（建议再调查约{open_.follow_up.households}户）" in text
    assert "村BV1贫困发生率" in text  # villages by name, not by code
    for code in ("not_credible", "nonresponse", "wrong_exit_rate", "survey_more"):
        assert code not in text


def test_level_099_says_99_percent_in_the_headers() -> None:
    strict = Thresholds(level=0.99)
    towns = [township(n, 60, 900, w, thresholds=strict) for n, w in (("A", 0), ("B", 3))]
    record = summarise_district(towns).to_record()
    assert record.level == 0.99 and record.wrong_exit_indicator.estimate.level == 0.99
    for lang in ("en", "zh"):
        blocks = DistrictReport(record, lang).blocks()
        shown = headers(blocks)
        assert any("99%" in h for h in shown), shown
        assert not any("95%" in h for h in shown), shown
        text = body_text(blocks)
        assert "95%" not in text and "99%" in text


def test_hostile_township_name_is_escaped() -> None:
    towns = [township(HOSTILE, 60, 900, 9), township("A", 60, 900, 0)]
    record = summarise_district(towns).to_record()
    for lang in ("en", "zh"):
        blocks = DistrictReport(record, lang).blocks()
        joined = "\n".join(blocks)
        assert "<script" not in joined
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined
        assert HOSTILE in body_text(blocks)  # shown as text, in the tables and the figures
    assert record.not_credible_townships == [HOSTILE]  # named in the headline, escaped
    box = DistrictReport(record, "zh").verdict_box()
    assert "1个不可信：&lt;script&gt;alert(1)&lt;/script&gt;。" in box


def test_townships_from_different_counties_get_a_warning() -> None:
    one = summarise_district([township("A", 60, 900, 0, county="东县"),
                              township("B", 60, 900, 0, county="东县")]).to_record()  # fmt: skip
    assert one.county == "东县"
    blocks = DistrictReport(one, "en").blocks()
    assert 'class="warning"' not in "".join(blocks)
    assert blocks[0] == "<h1>东县: district summary of the third-party exit assessment " \
        "(2 townships)</h1>"  # fmt: skip
    mixed = summarise_district([township("A", 60, 900, 0, county="东县"),
                                township("B", 60, 900, 0, county="西县")]).to_record()  # fmt: skip
    assert mixed.county is None
    assert [t.county for t in mixed.townships] == ["东县", "西县"]
    for lang, words in (
        ("en", "different counties (东县, 西县)"),
        ("zh", "不同的区县（东县、西县）"),
    ):
        blocks = DistrictReport(mixed, lang).blocks()
        [warning] = [b for b in blocks if 'class="warning"' in b]
        assert words in html.unescape(warning)
        assert blocks.index(warning) == 1  # right under the title, before the verdict


# --------------------------------------------------------------------------- the command
def finished_run(folder, assessment) -> None:
    """A township run folder with one finished assessment version (results.json, units)."""
    folder.mkdir()
    with assessment_version(folder) as version:
        save_results(assessment, version, version=version.name)


def test_district_command_in_process(towns, tmp_path, capsys) -> None:
    runs = []
    for a in towns[:2]:
        finished_run(tmp_path / a.township, a)
        runs.append(str(tmp_path / a.township))
    never = tmp_path / "never-assessed"
    never.mkdir()
    design = DesignRecord(design="stratified", township="D镇", seed=1,
                          parameters=SamplingParameters(), frame_fingerprint="0" * 16,
                          frame_households=10, frame_persons=30, created="2026-01-01")  # fmt: skip
    write_record(never, sealed(design))  # a sealed, never-assessed run folder
    out = tmp_path / "district"
    code = main(["district", *runs, str(never), str(tmp_path / "nope"), "--out", str(out),
                 "--lang", "en"])  # fmt: skip
    assert code == 1
    captured = capsys.readouterr()
    assert f"missing township run {never}: not assessed yet" in captured.err
    assert f"missing township run {tmp_path / 'nope'}: run folder not found" in captured.err
    assert "district verdict: not credible (wrong-exit rate" in captured.out
    # the report's headline sentence, from the catalogue: A credible, B not credible and named
    assert "\nTownships: 1 credible, 0 inconclusive, 1 not credible (B).\n" in captured.out
    record = read_record(out / "district.json", DistrictRecord)
    assert [(t.township, t.version) for t in record.townships] == [("A", "v001"), ("B", "v001")]
    assert [(m.township, m.reason) for m in record.missing] == [
        ("D镇", "no_finished_version"), (None, "not_a_run_folder"),
    ]  # fmt: skip
    assert record.missing[0].run == str(never.resolve())
    expected = summarise_district(towns[:2]).wrong_exit_rate
    assert record.wrong_exit_rate.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert record.wrong_exit_rate.se == pytest.approx(expected.se, rel=1e-12)
    page_html = (out / "district_report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page_html
    assert f"{100 * record.wrong_exit_rate.estimate:.1f}%" in page_html
    assert page_html.count('<figure class="chart">') == 2  # wrong exits and approval
    for text in ("D镇", "nope", "Townships missing from the summary", "no finished assessment"):
        assert text in page_html
    assert build(out, "zh")[0] == "<h1>C脱贫退出第三方评估汇总报告（2个乡镇）</h1>"  # county C
    # nothing finished at all: exit 1, no output folder
    assert main(["district", str(never), "--out", str(tmp_path / "d2")]) == 1
    assert "no township has a finished assessment" in capsys.readouterr().err
    assert not (tmp_path / "d2").exists()


@pytest.mark.notebook
def test_notebook_shows_the_same_blocks(record, tmp_path) -> None:
    """The district notebook only loads district.json and displays DistrictReport's blocks."""
    from workbench.runner import run_notebook

    folder = tmp_path / "district"
    folder.mkdir()
    write_record(folder, record)
    out = tmp_path / "notebook"
    page_html = run_notebook(
        "district_summary", {"district_dir": str(folder)}, out, "d.html", lang="en"
    ).read_text(encoding="utf-8")
    blocks = DistrictReport(record, "en").blocks()
    assert page_html.count('<figure class="chart">') == 2
    for block in blocks:
        if "<svg" not in block:
            assert block in page_html, block[:80]
    assert "Traceback" not in page_html
