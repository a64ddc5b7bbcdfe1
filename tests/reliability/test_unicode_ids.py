"""Identifiers and place names in one Unicode form, and IDs that Excel stored as numbers
(docs/reliability.md §7)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import TOWNSHIP, draw_without_report, sample_argv, write_table

from data_contracts import ContractError, check_villages_exist, load
from data_contracts.columns import spec
from data_contracts.crosschecks import check_survey_households
from data_contracts.normalise import normalise_key
from data_contracts.parsing import STORED_AS_NUMBER

_FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"]


def _rewrite(path: Path, edit) -> Path:
    """Edit a written CSV export as text cells (the way a user's file holds them)."""
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    edit(raw).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _problems(kind: str, path: Path) -> pd.DataFrame:
    with pytest.raises(ContractError) as info:
        load(kind, path)
    return info.value.to_frame()


def test_full_width_and_invisible_characters_name_the_same_household(district, tmp_path) -> None:
    households = district.households.head(4).copy()
    households["household_id"] = ["ＨＨ001", "HH\u200b002", "\ufeffHH003\u3000", "HH004"]
    path = write_table("households", households, tmp_path / "households.csv")
    loaded = load("households", path).frame
    assert loaded["household_id"].tolist() == ["HH001", "HH002", "HH003", "HH004"]

    households["household_id"] = ["ＨＨ001", "HH001", "HH\u200b001", "HH004"]
    path = write_table("households", households, tmp_path / "twice.csv")
    problems = _problems("households", path)
    assert problems["column"].tolist() == ["户编号"] * 3
    assert (problems["expected"] == "unique; the same value is on rows 2, 3, 4").all()

    returns = pd.DataFrame({c.header: None for c in spec("survey")}, index=[0, 1])
    returns[["户编号", "调查状态"]] = [["HH\u200b001", "拒访"], ["ＨＨ004", "拒访"]]
    returns.to_csv(tmp_path / "survey.csv", index=False, encoding="utf-8-sig")
    survey = load("survey", tmp_path / "survey.csv")
    assert survey.frame["household_id"].tolist() == ["HH001", "HH004"]
    check_survey_households(survey, loaded["household_id"])  # both are households of the sample


def test_township_with_invisible_or_ideographic_space_keeps_its_households(
    district, tmp_path
) -> None:
    """A township spelled 白马镇 + zero-width space (or an ideographic space) in some rows used
    to drop those households from the frame silently."""
    town = district.households["township"] == TOWNSHIP
    spellings = [f"{TOWNSHIP}\u200b", f"\u3000{TOWNSHIP}", f"{TOWNSHIP}\u3000", "白\u200d马镇"]
    households = district.households.copy()
    households.loc[town, "township"] = [spellings[i % 4] for i in range(int(town.sum()))]
    villages = district.villages.copy()
    villages["village_id"] = [v.translate(_FULL_WIDTH) for v in villages["village_id"]]
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = {
        "households": write_table("households", households, folder / "households.csv"),
        "villages": write_table("villages", villages, folder / "villages.csv"),
        "poverty-lines": write_table("poverty-lines", district.poverty_lines, folder / "pl.csv"),
    }
    check_villages_exist(load("households", inputs["households"]),
                         load("villages", inputs["villages"]))  # fmt: skip
    out = tmp_path / "run"
    argv = sample_argv(inputs, out)
    argv[argv.index("--township") + 1] = f"{TOWNSHIP}\u200b"
    assert draw_without_report(argv) == 0
    design = json.loads((out / "design.json").read_text(encoding="utf-8"))
    assert design["township"] == TOWNSHIP
    assert design["frame_households"] == int(town.sum()) == 1258


def test_ids_excel_stored_as_numbers_are_named(district, tmp_path) -> None:
    """Number cells in 证件号码 (any) or 户编号 (16 digits or more) and ``3.71302E+17`` text:
    "stored as a number by Excel", not a misleading check-digit message."""
    path = write_table("households", district.households.head(6), tmp_path / "households.csv")
    raw = pd.read_csv(path, dtype=object, encoding="utf-8-sig")
    raw.loc[0, "证件号码"] = int(raw.loc[0, "证件号码"])  # 18 digits: Excel keeps 15
    raw.loc[1, "证件号码"] = float(raw.loc[1, "证件号码"])
    raw.loc[2, "户编号"] = int(raw.loc[2, "户编号"])  # 16 digits as a number
    raw.loc[3, "户编号"] = 12345  # a short code as a number is exact: fine
    raw.to_excel(tmp_path / "households.xlsx", index=False)  # numbers become number cells
    problems = _problems("households", tmp_path / "households.xlsx")
    number = problems[problems["expected"] == STORED_AS_NUMBER]
    assert number[["row", "column"]].values.tolist() == [[2, "证件号码"], [3, "证件号码"],
                                                         [4, "户编号"]]  # fmt: skip
    assert "check digit" not in " ".join(problems["expected"])
    assert len(problems) == 3
    assert number["value"].str.contains(r"^\d{4}\*+\d{4}$").iloc[:2].all()  # masked

    def as_excel_shows_them(raw: pd.DataFrame) -> pd.DataFrame:  # how Excel saves a number column
        raw.loc[[0, 1], "证件号码"] = ["3.71302E+17", "3.71311E+17"]
        return raw

    problems = _problems("households", _rewrite(path, as_excel_shows_them))
    assert problems[["row", "column", "expected"]].values.tolist() == [
        [2, "证件号码", STORED_AS_NUMBER], [3, "证件号码", STORED_AS_NUMBER]]  # fmt: skip
    assert "stored this ID as a number" in STORED_AS_NUMBER
    assert "format the column as text" in STORED_AS_NUMBER


def test_full_width_and_foreign_digits_in_an_id_number(district, tmp_path) -> None:
    """Full-width digits are the ID number; Arabic-Indic ones are a clear format problem (they
    used to end in a ``UnicodeEncodeError`` traceback)."""
    households = district.households.head(3).copy()
    ids = households["head_id_number"].tolist()
    households["head_id_number"] = [ids[0].translate(_FULL_WIDTH), ids[1] + "\u200b", ids[2]]
    loaded = load("households", write_table("households", households, tmp_path / "a.csv"))
    assert loaded.frame["head_id_number"].tolist() == ids
    arabic = {ord(c): ord(c) - ord("0") + 0x0660 for c in "0123456789"}
    households["head_id_number"] = [ids[0].translate(arabic), ids[1], ids[2]]
    problems = _problems("households", write_table("households", households, tmp_path / "b.csv"))
    assert problems[["row", "column"]].values.tolist() == [[2, "证件号码"]]
    assert problems["expected"].iloc[0].startswith("a valid resident ID number: 18 characters")


def test_header_with_an_invisible_character_is_recognised(district, tmp_path) -> None:
    path = write_table("households", district.households.head(3), tmp_path / "h.csv")
    invisible = {"户编号": "户编号\u200b", "村编码": "\ufeff村编码"}
    _rewrite(path, lambda raw: raw.rename(columns=invisible))
    assert load("households", path).frame["household_id"].notna().all()


ASCII_CODE = st.text(alphabet="ABCDEFGHXYZ0123456789-", min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(code=ASCII_CODE, data=st.data())
def test_look_alike_spellings_of_a_code_are_one_key(code: str, data) -> None:
    spelled = []
    for ch in code:
        if data.draw(st.booleans(), "full width"):
            ch = chr(ord(ch) + 0xFEE0)
        spelled.append(ch + "".join(data.draw(st.lists(st.sampled_from(INVISIBLES), max_size=2))))
    padding = data.draw(st.sampled_from(["", " ", "\u3000", "\u00a0"]))
    assert normalise_key(padding + "".join(spelled) + padding) == code
