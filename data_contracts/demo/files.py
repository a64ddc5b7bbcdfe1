"""The demo district as registry export files, and the copies shipped inside the package.

``households.xlsx`` looks like an export of the national poverty-alleviation information system
(全国扶贫开发信息系统): a title row above the Chinese header row, dates as Excel date cells,
booleans as 是/否. ``villages.csv`` and ``poverty_lines.csv`` are UTF-8 with BOM (what Excel
expects) with Chinese headers. The bytes are deterministic: the XLSX zip entries and document
properties carry fixed timestamps, so regenerating gives identical files (and input hashes).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import openpyxl
import pandas as pd

from data_contracts.columns import Column, spec
from data_contracts.demo.generator import COUNTY, DEFAULT_SEED, generate_district
from data_contracts.fileio import atomic_write_bytes, workbook_bytes

FILE_NAMES = {
    "households": "households.xlsx",
    "villages": "villages.csv",
    "poverty-lines": "poverty_lines.csv",
}
HOUSEHOLDS_TITLE = f"建档立卡脱贫户信息表（{COUNTY}）"


def demo_input_paths() -> dict[str, Path]:
    """The shipped demo input files (inside the installed package), by table kind."""
    folder = Path(str(files("data_contracts") / "demo_data"))
    return {kind: folder / name for kind, name in FILE_NAMES.items()}


def write_demo_inputs(
    directory: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    regenerate: bool = False,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the demo registry exports into ``directory``; returns the paths by table kind.

    For the default seed the shipped copies are copied (a test keeps them identical to a fresh
    generation, which takes about ten seconds for the XLSX); ``regenerate`` or another seed
    generates the files. Refuses to replace existing files unless ``overwrite`` (used only by
    ``scripts/make_demo_data.py`` to refresh the shipped copies).
    """
    if seed == DEFAULT_SEED and not regenerate:
        contents = {kind: path.read_bytes() for kind, path in demo_input_paths().items()}
    else:
        district = generate_district(seed)
        contents = {
            "households": households_xlsx(district.households),
            "villages": csv_bytes(district.villages, spec("villages")),
            "poverty-lines": csv_bytes(district.poverty_lines, spec("poverty-lines")),
        }
    target = Path(directory)
    return {
        kind: atomic_write_bytes(target / FILE_NAMES[kind], data, overwrite=overwrite)
        for kind, data in contents.items()
    }


def _export_values(frame: pd.DataFrame, columns: tuple[Column, ...]) -> pd.DataFrame:
    """Cell values as an export shows them: 是/否, Chinese enum labels, whole yuan as integers."""
    out = {}
    for c in columns:
        values = frame[c.name]
        if c.type == "bool":
            values = values.map({True: "是", False: "否"}).astype("str")
        elif c.type == "enum":
            values = values.map(dict(c.values)).astype("str")
        elif c.type == "money" and bool((values.dropna() % 1 == 0).all()):
            values = values.astype("Int64")
        out[c.header] = values
    return pd.DataFrame(out)


def csv_bytes(frame: pd.DataFrame, columns: tuple[Column, ...]) -> bytes:
    """UTF-8-with-BOM CSV with the Chinese headers, dates as ``YYYY-MM-DD``."""
    text = _export_values(frame, columns).to_csv(
        index=False, lineterminator="\n", date_format="%Y-%m-%d"
    )
    return ("\ufeff" + text).encode("utf-8")


def households_xlsx(households: pd.DataFrame) -> bytes:
    """The households export: title row, Chinese header row, one row per household."""
    table = _export_values(households, spec("households"))
    cells = table.astype(object)
    for name in table.columns[(table.dtypes == "datetime64[ns]").to_numpy()]:
        cells[name] = table[name].dt.date.astype(object)  # date cells, formatted yyyy-mm-dd
    cells = cells.where(table.notna(), None)
    book = openpyxl.Workbook(write_only=True)
    book.properties.creator = "exitcheck demo generator"
    book.properties.title = HOUSEHOLDS_TITLE
    sheet = book.create_sheet("脱贫户")
    sheet.append([HOUSEHOLDS_TITLE])
    sheet.append(list(table.columns))
    for row in cells.itertuples(index=False, name=None):  # serialisation: openpyxl is row-wise
        sheet.append(row)
    return workbook_bytes(book)


def xlsx_cell_values(path: str | Path, rows: int | None = None) -> list[tuple[object, ...]]:
    """Cell values of the first sheet, row by row (all rows, or the first ``rows``)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        values = book.worksheets[0].iter_rows(max_row=rows, values_only=True)
        return [tuple(row) for row in values]
    finally:
        book.close()
