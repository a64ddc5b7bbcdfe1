"""XLSForm of the household survey: converts with pyxform; bindings follow the contract."""

from __future__ import annotations

import io
import re
import shutil

import pandas as pd
import pytest
from pyxform.xls2xform import convert

from data_contracts.columns import SURVEY, VISIT_STATUS
from data_contracts.demo import generate_district
from data_contracts.schemas import MAX_HOUSEHOLD, MAX_INCOME
from sampling.frame import build_frame
from sampling.stratified import stratified_sample
from sampling.xlsform import preload_table, xlsform_xlsx


@pytest.fixture(scope="module")
def sample():
    district = generate_district()
    frame = build_frame(district.households, district.villages, district.poverty_lines, "白马镇")
    return stratified_sample(frame, n=20, seed=7)


@pytest.fixture(scope="module")
def form(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsform") / "survey_form.xlsform.xlsx"
    path.write_bytes(xlsform_xlsx(sample))
    return path


@pytest.fixture(scope="module")
def converted(form):
    return convert(xlsform=str(form), validate=False, pretty_print=False)


def test_converts_without_warnings(converted):
    assert converted.xform.startswith("<?xml") or "<h:html" in converted.xform
    assert converted.warnings == []


def test_every_contract_column_is_a_field(converted):
    for col in SURVEY:
        assert f'/{col.name}"' in converted.xform, col.name
    for meta in ("start", "end", "today", "deviceid", "location"):
        assert f'/{meta}"' in converted.xform


def test_bindings_follow_contract_limits(converted):
    xml = converted.xform
    # limits from data_contracts.schemas.Survey (between 1 and MAX_HOUSEHOLD, 0 and MAX_INCOME)
    assert f". &gt;= 1 and . &lt;= {MAX_HOUSEHOLD}" in xml
    assert f". &gt;= 0 and . &lt;= {MAX_INCOME}" in xml
    # relevance: INTERVIEWED_STATUSES and the replacement-only column (data_contracts.schemas)
    interviewed = " /data/visit_status  = 'completed' or  /data/visit_status  = 'replacement'"
    size_bind = re.search(r'<bind nodeset="/data/surveyed_household_size"[^>]*>', xml).group(0)
    assert f'relevant="{interviewed}"' in size_bind and 'required="true()"' in size_bind
    target = re.search(r'<bind nodeset="/data/replaces_household_id"[^>]*>', xml).group(0)
    assert "relevant=\" /data/visit_status  = 'replacement'\"" in target
    business = re.search(r'<bind nodeset="/data/surveyed_business_income"[^>]*>', xml).group(0)
    assert "constraint" not in business  # net business income may be negative


def test_choices_are_the_contract_codes(form):
    choices = pd.read_excel(form, sheet_name="choices", engine="openpyxl")
    codes = choices.loc[choices["list_name"] == "visit_status", "name"].tolist()
    assert codes == [code for code, _ in VISIT_STATUS]


def test_preload_lists_sample_and_reserves_without_personal_data(sample):
    table = preload_table(sample.units)
    assert len(table) == len(sample.units)
    assert set(table["name"]) == set(sample.units["household_id"])
    assert not {"head_name", "head_id_number", "phone"} & set(table.columns)
    assert pd.read_csv(io.StringIO(table.to_csv(index=False)))["reserve"].sum() == int(
        sample.units["reserve"].sum()
    )


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs java")
def test_odk_validate(form):
    try:
        convert(xlsform=str(form), validate=True)
    except OSError as exc:  # ODK Validate jar not shipped with this pyxform
        pytest.skip(str(exc))
