"""Personal data the contract does not know (docs/reliability.md §7): unknown columns dropped with a
note, ID and mobile numbers in free text masked, problem tables showing personal values masked;
the field manifest still holds the contract's personal columns."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import draw_without_report, sample_argv, write_table

from data_contracts import ContractError, load
from data_contracts.columns import spec
from data_contracts.idcard import check_digit
from data_contracts.privacy import mask_in_text

pytestmark = pytest.mark.slow

EXTRA = ["公民身份号码", "手机号码", "联系人手机", "家庭成员姓名", "备注"]
GIVEN = "珏瑾琰瑶璇琪瑜璐"  # second characters of the members' names: in no place name


def _id(serial: int, born: str = "19850203") -> str:
    first17 = f"371302{born}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def _with_personal_columns(households: pd.DataFrame, path: Path) -> tuple[Path, set[str]]:
    """The households export with the unknown personal columns a real export carries; the file
    and every full ID number, phone and name in it (contract columns included)."""
    write_table("households", households, path)
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    n = len(raw)
    raw["公民身份号码"] = [_id(i, born=f"19{50 + i % 40}0101") for i in range(n)]
    raw["手机号码"] = [f"139{i:08d}" for i in range(n)]
    raw["联系人手机"] = [f"150{i:08d}" for i in range(n)]
    raw["家庭成员姓名"] = [f"欧阳{GIVEN[i % 8]}{GIVEN[(i // 8) % 8]}" for i in range(n)]
    raw["备注"] = [
        f"户主身份证{h}，电话{p}，配偶{m}"
        for h, p, m in zip(raw["证件号码"], raw["手机号码"], raw["家庭成员姓名"], strict=True)
    ]
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    values = raw[["证件号码", "联系电话", "户主姓名", *EXTRA[:4]]].stack().dropna()
    return path, set(values)


def _cells(path: Path) -> str:
    """Every cell (and header) of a CSV or Parquet table as text, one per line."""
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    return "\n".join(map(str, [*table.columns, *table.to_numpy().ravel()]))


def test_unknown_personal_columns_reach_no_stored_table(district, tmp_path) -> None:
    path, secrets = _with_personal_columns(district.households, tmp_path / "households.csv")
    loaded = load("households", path)
    assert list(loaded.frame.columns) == [c.name for c in spec("households")]
    assert loaded.notes == [
        f"5 column(s) not in the households contract dropped: {', '.join(EXTRA)}"
    ]
    inputs = {
        "households": path,
        "villages": write_table("villages", district.villages, tmp_path / "villages.csv"),
        "poverty-lines": write_table("poverty-lines", district.poverty_lines, tmp_path / "pl.csv"),
    }
    out = tmp_path / "run"
    assert draw_without_report(sample_argv(inputs, out)) == 0

    for name in ("sample.csv", "sample.parquet"):
        cells = _cells(out / name)
        leaked = {s for s in secrets if s in cells}
        assert leaked == set(), (name, sorted(leaked)[:5])
    book = openpyxl.load_workbook(out / "manifest.xlsx", read_only=True)
    sheet = book["样本户"]
    rows = list(sheet.iter_rows(values_only=True))
    manifest = pd.DataFrame(rows[1:], columns=rows[0])
    sampled = district.households.set_index("household_id").loc[manifest["户编号"]]
    assert manifest["户主姓名"].tolist() == sampled["head_name"].tolist()  # in clear
    assert manifest["联系电话"].fillna("").tolist() == sampled["phone"].fillna("").tolist()
    assert manifest["证件号码"].tolist() == [
        f"{i[:4]}{'*' * 10}{i[14:]}" for i in sampled["head_id_number"]
    ]
    assert not set(EXTRA) & set(rows[0])
    in_clear = set(sampled["head_name"]) | set(sampled["phone"].dropna())
    assert not {str(v) for row in rows for v in row} & (secrets - in_clear)


def test_survey_returns_keep_only_contract_columns_and_mask_notes(returns, tmp_path) -> None:
    path = write_table("survey", returns, tmp_path / "survey.csv")
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    raw["户主姓名"] = "司马瑾瑜"
    raw["联系电话"] = "13712345678"
    raw["身份证号"] = _id(7)
    raw["备注"] = f"户主不在家，其子身份证{_id(8)}，手机 +86 137-1234-5679"
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    loaded = load("survey", path)
    assert list(loaded.frame.columns) == [c.name for c in spec("survey")]
    assert loaded.notes == [
        "3 column(s) not in the survey contract dropped: 户主姓名, 联系电话, 身份证号"
    ]
    text = loaded.frame.to_csv()
    for secret in ("司马瑾瑜", "13712345678", _id(7), _id(8), "137-1234-5679"):
        assert secret not in text
    masked = _id(8)[:4] + "*" * 10 + _id(8)[14:]
    assert set(loaded.frame["notes"]) == {f"户主不在家，其子身份证{masked}，手机 +86**********5679"}


def test_problem_tables_show_personal_values_masked(district, tmp_path) -> None:
    """A wrong check digit used to print 17 of the 18 real digits; an ID or phone typed into
    another column is masked as well."""
    households = district.households.head(5).copy()
    good = households["head_id_number"].iloc[0]
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    households.loc[households.index[0], "head_id_number"] = wrong
    path = write_table("households", households, tmp_path / "households.csv")
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    raw.loc[1, "家庭人口数"] = "13912345678"
    raw.loc[2, "人均纯收入"] = good
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(ContractError) as info:
        load("households", path)
    problems = info.value.to_frame().set_index("column")["value"]
    assert problems["证件号码"] == wrong[:4] + "*" * 10 + wrong[14:]
    assert problems["家庭人口数"] == "139****5678"
    assert problems["人均纯收入"] == good[:4] + "*" * 10 + good[14:]
    shown = info.value.message + info.value.summary + info.value.to_frame().to_csv()
    assert not re.search(r"\d{11}", shown.replace(str(path), ""))


PHONE = st.builds(
    lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)
ID = st.integers(0, 999).map(_id)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(st.text(max_size=6), PHONE, ID), max_size=6))
def test_no_id_or_mobile_number_survives_in_free_text(parts: list[str]) -> None:
    text = "，".join(parts)
    [masked] = mask_in_text(pd.Series([text], dtype="str")).tolist()
    numbers = [p for p in parts if re.fullmatch(r"1[3-9]\d{9}|\d{17}[\dX]", p)]
    assert not any(n in masked for n in numbers)
    assert len(masked) == len(text)  # masking stars digits, it never drops text
