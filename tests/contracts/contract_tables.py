"""Small valid input tables built from the contracts, and helpers to write them as files.

(A module with its own name rather than conftest.py, which other test folders also have.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_contracts.columns import SPECS
from data_contracts.idcard import check_digit


def valid_id(serial: int, born: str = "19700101", region: str = "371302") -> str:
    """A well-formed resident ID number."""
    first17 = f"{region}{born}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def villages_table(n: int = 3) -> pd.DataFrame:
    """Canonical villages table with ``n`` villages, written as text like a registry export."""
    return pd.DataFrame({
        "village_id": [f"3713020{i:02d}" for i in range(n)],
        "township": ["城关镇" if i % 2 == 0 else "柳青街道" for i in range(n)],
        "village": [f"第{i + 1}村" for i in range(n)],
        "key_village": ["是" if i == 0 else "否" for i in range(n)],
        "registered_population": [str(800 + 10 * i) for i in range(n)],
        "poor_population_remaining": [str(i) for i in range(n)],
        "exited": ["是" if i == 0 else "否" for i in range(n)],
        "exit_year": ["2017" if i == 0 else "" for i in range(n)],
        "collective_income": ["50,000" for _ in range(n)],
        "notice_start": ["2017/10/1" for _ in range(n)],
        "notice_end": ["2017/10/8" for _ in range(n)],
        "announce_start": ["" for _ in range(n)],
        "announce_end": ["" for _ in range(n)],
        "roads": ["是" for _ in range(n)],
        "drinking_water": ["Y" for _ in range(n)],
        "electricity": ["1" for _ in range(n)],
        "clinic": ["true" for _ in range(n)],
        "school_access": ["否" for _ in range(n)],
    })  # fmt: skip


def households_table(n: int = 4, villages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Canonical households table with ``n`` households in the given villages."""
    villages = villages_table() if villages is None else villages
    v = villages.iloc[[i % len(villages) for i in range(n)]].reset_index(drop=True)
    return pd.DataFrame({
        "household_id": [f"H{i:05d}" for i in range(n)],
        "county": ["兰山区"] * n,
        "township": v["township"],
        "village_id": v["village_id"],
        "village": v["village"],
        "head_name": ["张三", "欧阳娜娜", "李四", "王五"] * (n // 4) + ["赵六"] * (n % 4),
        "head_id_number": [valid_id(i) for i in range(n)],
        "phone": ["13812345678"] * n,
        "household_size": [str(1 + i % 5) for i in range(n)],
        "income_per_capita": ["3,500" if i % 2 else "4200元" for i in range(n)],
        "wage_income": ["8000"] * n,
        "business_income": ["-200"] * n,
        "property_income": [""] * n,
        "transfer_income": ["1200.5"] * n,
        "exit_year": [str(2016 + i % 4) for i in range(n)],
        "food_clothing_secure": ["是"] * n,
        "education_secure": ["是"] * n,
        "medical_secure": ["Y"] * n,
        "housing_secure": ["否" if i == 1 else "是" for i in range(n)],
        "appraisal_date": ["2016-08-02"] * n,
        "notice_start": ["2016/8/3"] * n,
        "notice_end": ["2016年8月10日"] * n,
        "township_review_date": ["2016-08-15"] * n,
        "announce_start": ["2016-08-20"] * n,
        "announce_end": ["2016-08-25"] * n,
        "household_acknowledged": ["是"] * n,
    })  # fmt: skip


def survey_table() -> pd.DataFrame:
    """Canonical survey returns: two completed, one refused and its replacement."""
    return pd.DataFrame({
        "household_id": ["H00000", "H00001", "H00002", "H00003"],
        "visit_status": ["完成", "完成", "拒访", "替换户"],
        "replaces_household_id": ["", "", "", "H00002"],
        "surveyed_household_size": ["3", "2", "", "4"],
        "surveyed_income_per_capita": ["3400", "5,100元", "", "2800"],
        "surveyed_wage_income": ["6000", "", "", ""],
        "surveyed_business_income": ["", "", "", ""],
        "surveyed_property_income": ["", "", "", ""],
        "surveyed_transfer_income": ["", "", "", ""],
        "verified_food_clothing_secure": ["是", "是", "", "是"],
        "verified_education_secure": ["是", "是", "", "是"],
        "verified_medical_secure": ["是", "否", "", "是"],
        "verified_housing_secure": ["是", "是", "", "是"],
        "acknowledges_exit": ["是", "是", "", "否"],
        "approves_result": ["是", "是", "", "否"],
        "knew_of_notice": ["是", "否", "", "是"],
        "enumerator": ["调查员甲"] * 4,
        "survey_date": ["2026-11-20"] * 4,
        "notes": ["", "", "不在家", ""],
    })  # fmt: skip


def village_survey_table() -> pd.DataFrame:
    """Canonical village-survey returns for two villages."""
    return pd.DataFrame({
        "village_id": ["371302000", "371302001"],
        "verified_registered_population": ["812", "790"],
        "verified_poor_remaining": ["9", "0"],
        "verified_roads": ["是", "是"],
        "verified_drinking_water": ["是", "否"],
        "verified_electricity": ["是", "是"],
        "verified_clinic": ["是", "是"],
        "verified_school_access": ["是", "是"],
        "assessor_notes": ["", "饮水不达标"],
    })  # fmt: skip


def poverty_lines_table() -> pd.DataFrame:
    """Canonical poverty-lines table."""
    return pd.DataFrame({
        "year": ["2016", "2017", "2016"],
        "line": ["2952", "3,100", "3,400元"],
        "kind": ["国家", "national", "省定"],
        "source": ["国家统计局", "假设", "用户提供"],
    })  # fmt: skip


TABLES = {
    "households": households_table,
    "villages": villages_table,
    "survey": survey_table,
    "village-survey": village_survey_table,
    "poverty-lines": poverty_lines_table,
}


def chinese(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table with Chinese headers, as a user's file would have them."""
    return frame.rename(columns={c.name: c.header for c in SPECS[kind]})


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    """Write a table as CSV text in the given encoding."""
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


def write_xlsx(frame: pd.DataFrame, path: Path, title_rows: int = 0, sheet: str = "Sheet1") -> Path:
    """Write a table to XLSX, with ``title_rows`` title lines above the header."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False, startrow=title_rows)
        if title_rows:
            writer.sheets[sheet].cell(row=1, column=1, value="兰山区脱贫户信息表（导出）")
    return path
