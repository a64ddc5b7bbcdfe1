"""survey_form.xlsx refuses bad entries: enforced drop-downs, contract ranges, text ID cells."""

from __future__ import annotations

import openpyxl
import pytest

from data_contracts.columns import SURVEY, column
from data_contracts.demo import generate_district
from data_contracts.messages import text
from sampling.frame import build_frame
from sampling.outputs import EXTRA_FORM_ROWS, FORM_SHEET, survey_form_xlsx
from sampling.stratified import stratified_sample


@pytest.fixture(scope="module")
def sample():
    district = generate_district()
    frame = build_frame(district.households, district.villages, district.poverty_lines, "白马镇")
    return stratified_sample(frame, 10, seed=3, reserves=2)


@pytest.fixture(scope="module")
def sheet(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / "survey_form.xlsx"
    path.write_bytes(survey_form_xlsx(sample))
    return openpyxl.load_workbook(path)[FORM_SHEET]


def _rule(sheet, name: str):
    letter = openpyxl.utils.get_column_letter([c.name for c in SURVEY].index(name) + 1)
    rules = [dv for dv in sheet.data_validations.dataValidation if letter + "2" in dv.sqref]
    assert len(rules) == 1, name
    return rules[0]


# Expected bounds: data_contracts/schemas.py Survey (MAX_HOUSEHOLD = 50, MAX_INCOME = 1e6,
# ge=0 incomes, business income unbounded, dates FIRST_DAY 2010-01-01 .. LAST_DAY 2035-12-31).
@pytest.mark.parametrize(
    ("name", "kind", "operator", "low", "high"),
    [
        ("surveyed_household_size", "whole", "between", "1", "50"),
        ("surveyed_income_per_capita", "decimal", "between", "0", "1000000"),
        ("surveyed_wage_income", "decimal", "greaterThanOrEqual", "0", None),
        ("surveyed_business_income", "decimal", "greaterThanOrEqual", "-1000000000000000", None),
        ("survey_date", "date", "between", "DATE(2010,1,1)", "DATE(2035,12,31)"),
    ],
)
def test_number_and_date_ranges_follow_the_contract(sheet, name, kind, operator, low, high) -> None:
    rule = _rule(sheet, name)
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (kind, operator, low, high)
    assert rule.showErrorMessage and rule.errorStyle == "stop"


@pytest.mark.parametrize("name", ["visit_status", "approves_result"])
def test_drop_downs_refuse_typos(sheet, name) -> None:
    rule = _rule(sheet, name)
    assert rule.type == "list" and rule.showErrorMessage and rule.errorStyle == "stop"
    assert rule.errorTitle == text("survey_form.choice_title", "zh")
    assert rule.error == text("survey_form.choice_message", "zh")


def test_id_cells_are_text_on_every_form_row(sample, sheet) -> None:
    """Text format (@) on the prefilled and the empty rows: Excel keeps a typed 16-digit
    household ID as text instead of a number that loses its last digit."""
    last = len(sample.main) + 1 + EXTRA_FORM_ROWS
    for name in ("household_id", "replaces_household_id"):
        i = [c.name for c in SURVEY].index(name) + 1
        assert sheet.cell(2, i).number_format == "@"
        assert sheet.cell(last, i).number_format == "@"
    assert column("survey", "household_id").header == sheet.cell(1, 1).value
