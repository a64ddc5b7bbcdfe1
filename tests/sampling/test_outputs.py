"""Run-folder files: masked CSV, design.json, manifest, survey form that loads back when filled."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_contracts import load
from data_contracts.columns import SURVEY, VISIT_STATUS
from data_contracts.demo import generate_district, simulate_survey
from data_contracts.errors import ExitcheckError
from sampling.frame import build_frame
from sampling.outputs import FORM_SHEET, write_outputs
from sampling.stratified import stratified_sample
from sampling.two_stage import two_stage_sample

CREATED = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture(scope="module")
def district():
    return generate_district()


@pytest.fixture(scope="module")
def frame(district):
    return build_frame(district.households, district.villages, district.poverty_lines, "白马镇")


def fill_form(path: Path, survey: pd.DataFrame) -> None:
    """Fill the form as a field team would: Chinese labels, 是/否, replacements as new rows."""
    book = openpyxl.load_workbook(path)
    sheet = book[FORM_SHEET]
    headers = [c.value for c in sheet[1]]
    by_header = {c.header: c for c in SURVEY}
    labels = dict(VISIT_STATUS)
    row_of = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    next_row = sheet.max_row + 1
    for record in survey.to_dict("records"):  # serialisation into cells: openpyxl is cell-wise
        r = row_of.get(record["household_id"])
        if r is None:
            r, next_row = next_row, next_row + 1
        for j, header in enumerate(headers, start=1):
            spec = by_header[header]
            value = record[spec.name]
            if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
                continue
            if spec.type == "bool":
                value = "是" if value else "否"
            elif spec.name == "visit_status":
                value = labels[value]
            elif isinstance(value, pd.Timestamp):
                value = value.date()
            sheet.cell(r, j, value)
    book.save(path)


def test_files_masking_and_design_json(tmp_path: Path, frame) -> None:
    sample = two_stage_sample(frame, 6, 8, seed=3, reserves=3)
    paths = write_outputs(sample, tmp_path, created=CREATED)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(paths)
    parquet = pd.read_parquet(tmp_path / "sample.parquet")
    assert len(parquet) == len(sample.units) and parquet["reserve"].sum() > 0
    assert parquet["head_id_number"].str.match(r"^\d{4}\*{10}[\dX]{4}$").all()
    assert parquet["head_name"].str.contains(r"\*").all()
    assert parquet["household_id"].tolist() == sample.units["household_id"].tolist()
    csv = pd.read_csv(tmp_path / "sample.csv", dtype=str, encoding="utf-8-sig")
    assert "head_name" not in csv.columns
    assert csv["head_id_number"].str.match(r"^\d{4}\*{10}[\dX]{4}$").all()
    assert csv["phone"].dropna().str.contains(r"\*\*\*\*").all()
    design = json.loads((tmp_path / "design.json").read_text(encoding="utf-8"))
    keys = {"schema_version", "kind", "design", "township", "county", "seed", "parameters",
            "report", "frame_fingerprint", "frame_households", "frame_persons", "allocation",
            "replacement_rule", "files", "versions", "created", "seal"}  # fmt: skip
    assert set(design) == keys and design["schema_version"] == 1 and design["kind"] == "design"
    assert design["replacement_rule"] == "reserve_in_order_village"
    # design.json is written last and seals the other files with their SHA-256
    assert sorted(design["files"]) == ["households_preload.csv", "manifest.xlsx", "sample.csv",
                                       "sample.parquet", "survey_form.xlsform.xlsx",
                                       "survey_form.xlsx"]  # fmt: skip
    for name, digest in design["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    assert design["design"] == "two-stage" and design["seed"] == 3
    assert design["frame_households"] == 1258 and design["frame_fingerprint"] == frame.fingerprint
    assert design["parameters"]["households_per_village"] == 8
    with pytest.raises(ExitcheckError, match="refusing to overwrite"):
        write_outputs(sample, tmp_path, created=CREATED)


def test_manifest_sheets_and_print_setup(tmp_path: Path, frame) -> None:
    sample = stratified_sample(frame, 40, seed=1, strata="risk", reserves=2)
    write_outputs(sample, tmp_path, created=CREATED)
    book = openpyxl.load_workbook(tmp_path / "manifest.xlsx")
    assert book.sheetnames == ["样本户", "备选户"]
    main, reserve = book["样本户"], book["备选户"]
    headers = [c.value for c in main[1]]
    assert headers[:7] == [
        "乡镇（街道）",
        "村编码",
        "行政村",
        "户编号",
        "户主姓名",
        "证件号码",
        "联系电话",
    ]
    assert main.max_row == 41 and reserve.max_row == 1 + len(sample.reserves)
    ids = [main.cell(r, 6).value for r in range(2, 42)]
    assert all("*" in v and len(v) == 18 for v in ids)
    phones = [main.cell(r, 7).value for r in range(2, 42)]
    assert all(v is None or "*" not in v for v in phones)  # the field team needs the phone
    assert main.print_title_rows == "$1:$1" and main.column_dimensions["F"].width == 22
    villages = [main.cell(r, 2).value for r in range(2, 42)]
    assert villages == sorted(villages)


def test_filled_survey_form_loads_without_rekeying(tmp_path: Path, frame, district) -> None:
    sample = two_stage_sample(frame, 6, 8, seed=5, reserves=4)
    write_outputs(sample, tmp_path, created=CREATED)
    book = openpyxl.load_workbook(tmp_path / "survey_form.xlsx")
    assert book.sheetnames == [FORM_SHEET, "填写说明", "备选户"]
    sheet = book[FORM_SHEET]
    assert [c.value for c in sheet[1]] == [c.header for c in SURVEY]
    filled = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] is not None]
    assert len(filled) == len(sample.main)
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert formulas == {'"是,否"', '"完成,替换户,拒访,未找到"'}
    survey = simulate_survey(sample.units, district, seed=9)
    assert (survey["visit_status"] == "replacement").any()
    fill_form(tmp_path / "survey_form.xlsx", survey)
    loaded = load("survey", tmp_path / "survey_form.xlsx").frame
    assert len(loaded) == len(survey)
    assert loaded["household_id"].tolist() != [] and set(loaded["household_id"]) == set(
        survey["household_id"]
    )
    merged = loaded.merge(survey, on="household_id", suffixes=("", "_sim"))
    assert (merged["visit_status"] == merged["visit_status_sim"]).all()
    pd.testing.assert_series_equal(
        merged["surveyed_income_per_capita"],
        merged["surveyed_income_per_capita_sim"],
        check_names=False,
    )


def test_same_seed_identical_files(tmp_path: Path, frame) -> None:
    for name in ("a", "b", "c"):
        seed = 11 if name != "c" else 12
        write_outputs(two_stage_sample(frame, 6, 8, seed, 3), tmp_path / name, created=CREATED)
    for file in (
        "sample.parquet",
        "sample.csv",
        "design.json",
        "manifest.xlsx",
        "survey_form.xlsx",
    ):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    assert (tmp_path / "a" / "sample.csv").read_bytes() != (
        tmp_path / "c" / "sample.csv"
    ).read_bytes()
