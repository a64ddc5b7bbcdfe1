"""Files of a sampling run (抽样结果文件): sample table, design record, field manifest, survey form.

All files are written atomically into the run folder and never overwrite anything. Personal data
(names, ID numbers, phones) appear only in ``manifest.xlsx`` (for field teams, ID numbers masked);
``sample.parquet`` masks all three and ``sample.csv`` (for analysts) masks IDs and phones and
drops names. No value from the data becomes a formula: the workbooks hold it as text cells and
the CSV neutralises it (``data_contracts.inert``). The XLSX files are made byte-reproducible
(fixed zip timestamps), so the same inputs and seed give identical files.
"""

from __future__ import annotations

import hashlib
import io
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from data_contracts.columns import SURVEY, VISIT_STATUS, column
from data_contracts.fileio import atomic_write_bytes, workbook_bytes
from data_contracts.inert import append_row, inert_csv
from data_contracts.messages import text
from data_contracts.privacy import mask_frame, mask_ids, mask_phones
from data_contracts.records import DesignRecord, write_record
from data_contracts.schemas import Survey
from data_contracts.seal import sealed
from sampling.sample import Sample
from sampling.xlsform import xlsform_files

PACKAGES = ("exitcheck", "numpy", "pandas", "scipy", "pyarrow", "openpyxl")
FORM_SHEET = "调查表"
EXTRA_FORM_ROWS = 200  # drop-downs also cover rows added for replacement households
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

#: manifest columns: canonical name -> Chinese header (household headers from data_contracts)
_MANIFEST_COLUMNS = (
    "township",
    "village_id",
    "village",
    "household_id",
    "head_name",
    "head_id_number",
    "phone",
    "household_size",
    "exit_year",
)
_DESIGN_HEADERS = {"stratum": "抽样层", "reserve_order": "备选顺序", "reserve_group": "备选组"}


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that determine the sample (recorded in design.json)."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def design_record(
    sample: Sample, created: datetime | None = None, files: dict[str, str] | None = None
) -> DesignRecord:
    """design.json as a typed record: the design, parameters, seed, frame fingerprint, versions
    and the SHA-256 of every other file ``sample`` wrote (``files``)."""
    stamp = (created or datetime.now(UTC)).isoformat(timespec="seconds")
    allocation = sample.allocation.astype(object).where(sample.allocation.notna(), None)
    return DesignRecord.model_validate(
        {
            **sample.design,
            "allocation": allocation.to_dict(orient="records"),
            "files": files or {},
            "versions": package_versions(),
            "created": stamp,
        }
    )


def stored_table(units: pd.DataFrame) -> pd.DataFrame:
    """The sample as stored in sample.parquet: names, ID numbers and phones masked (personal
    data live only in the field manifest)."""
    return mask_frame(units)


def analyst_table(units: pd.DataFrame) -> pd.DataFrame:
    """The sample for analysts: ID numbers and phones masked, names dropped."""
    out = units.drop(columns=["head_name"], errors="ignore")
    if "head_id_number" in out:
        out["head_id_number"] = mask_ids(out["head_id_number"])
    if "phone" in out:
        out["phone"] = mask_phones(out["phone"])
    return out


def _parquet_bytes(units: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    units.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def _cell_values(table: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows of plain Python values (None for missing) for openpyxl, which is row-wise."""
    cells = table.astype(object).where(table.notna(), None)
    return list(cells.itertuples(index=False, name=None))


def _write_sheet(sheet: Worksheet, table: pd.DataFrame, widths: dict[str, float]) -> None:
    """Header row (bold, filled, frozen, repeated on every printed page) and the rows, every
    value an inert cell (text never becomes a formula)."""
    append_row(sheet, table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in _cell_values(table):
        append_row(sheet, row)
    for i, header in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(header, 12)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


#: left out of the manifest with ``personal=False`` (teams that look households up elsewhere)
NAME_AND_PHONE = ("head_name", "phone")


def manifest_table(units: pd.DataFrame, reserves: bool, personal: bool = True) -> pd.DataFrame:
    """Field-manifest rows (by village, then household): Chinese headers, ID numbers masked;
    without names and phones when ``personal`` is False."""
    rows = units.loc[units["reserve"] == reserves]
    rows = rows.sort_values(["village_id", "reserve_order", "household_id"], kind="stable")
    wanted = [c for c in _MANIFEST_COLUMNS if personal or c not in NAME_AND_PHONE]
    table = rows.loc[:, wanted].copy()
    table["head_id_number"] = mask_ids(table["head_id_number"])
    extra = ["stratum", "reserve_group", "reserve_order"] if reserves else ["stratum"]
    table = pd.concat([table, rows[extra]], axis=1)
    headers = {name: column("households", name).header for name in wanted}
    return table.rename(columns={**headers, **_DESIGN_HEADERS})


def manifest_xlsx(sample: Sample, personal: bool = True) -> bytes:
    """manifest.xlsx: 样本户 and 备选户 sheets for the field teams, print-ready (without names
    and phones when ``personal`` is False)."""
    book = Workbook()
    widths = {"户主姓名": 10, "证件号码": 22, "联系电话": 14, "户编号": 16, "行政村": 14}
    main_rows, reserve_rows = (manifest_table(sample.units, r, personal) for r in (False, True))
    _write_sheet(book.active, main_rows, widths)
    book.active.title = "样本户"
    _write_sheet(book.create_sheet("备选户"), reserve_rows, widths)
    book.properties.title = f"{sample.design['township']} 抽样入户名单"
    book.properties.creator = "exitcheck"
    return workbook_bytes(book)


def _instructions(sample: Sample) -> list[str]:
    statuses = "、".join(label for _, label in VISIT_STATUS)
    return [
        f"{sample.design['township']} 脱贫户入户核查调查表 填写说明",
        "1. 每个样本户一行，户编号已预先填好，请勿修改或删除。",
        f"2. 调查状态只能选：{statuses}。拒访或未找到的样本户保留原行，并填写相应状态。",
        "3. 样本户拒访或未找到时，按“备选户”表中同一备选组的备选顺序依次入户；"
        "在本表末尾新增一行，户编号填备选户编号，调查状态选“替换户”，被替换户编号填原样本户编号。",
        "4. 是/否列请从下拉列表选择；金额单位为元/年，人均纯收入为元/人/年。",
        "5. 完成或替换户行必须填写核实家庭人口数、核实人均纯收入及“两不愁三保障”四项核实结果。",
        "6. 调查日期格式：2016-08-02。表头请勿改动，以便系统直接读取。",
        "",
        text("sampling.rule_heading", "zh"),
        text(f"sampling.rule_{sample.design['replacement_rule']}", "zh"),
    ]


#: ID columns held as text so a typed 16-digit 户编号 keeps all its digits
_ID_COLUMNS = ("household_id", "replaces_household_id")
_NUMBER_TYPES = {"int": "whole", "money": "decimal", "date": "date"}


def _bounds(checks: list) -> tuple[object, object]:
    """(low, high) of the contract's range checks (None when open), so the form enforces the
    same limits as the survey contract (调查数据约定) without repeating the numbers."""
    low = high = None
    for check in checks:
        stats = check.statistics or {}
        low = stats.get("min_value", low)
        high = stats.get("max_value", high)
    return low, high


def _excel_value(value: object) -> str:
    """A bound as an Excel formula operand (dates as DATE(y,m,d))."""
    if hasattr(value, "year"):
        return f"DATE({value.year},{value.month},{value.day})"
    return str(int(value)) if float(value).is_integer() else str(value)


def _validation(spec: Any, checks: list) -> DataValidation | None:
    """Enforced (errorStyle stop) Excel validation of one survey column: a drop-down for
    是/否 and 调查状态, a number or date range from the contract, None for free text."""
    if spec.name == "visit_status":
        labels = ",".join(label for _, label in VISIT_STATUS)
        rule = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        kind = "choice"
    elif spec.type == "bool":
        rule = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        kind = "choice"
    elif spec.type in _NUMBER_TYPES:
        low, high = _bounds(checks)
        kind = "date" if spec.type == "date" else "number"
        if low is None and high is None:
            low = -1e15  # contract sets no limit: Excel still refuses text
        bounds = [_excel_value(v) for v in (low, high) if v is not None]
        operator = (
            "between"
            if len(bounds) == 2
            else "greaterThanOrEqual"
            if low is not None
            else "lessThanOrEqual"
        )
        rule = DataValidation(
            type=_NUMBER_TYPES[spec.type],
            operator=operator,
            formula1=bounds[0],
            formula2=bounds[1] if len(bounds) == 2 else None,
            allow_blank=True,
        )
    else:
        return None
    rule.showErrorMessage = True
    rule.errorStyle = "stop"
    rule.errorTitle = text(f"survey_form.{'choice' if kind == 'choice' else 'number'}_title", "zh")
    rule.error = text(f"survey_form.{kind}_message", "zh")
    return rule


def survey_form_xlsx(sample: Sample) -> bytes:
    """survey_form.xlsx: the survey contract columns (Chinese headers), one prefilled row per
    sampled household, drop-downs for 是/否 and 调查状态, 填写说明 and the reserve list."""
    main = sample.main.sort_values(["village_id", "household_id"], kind="stable")
    form = pd.DataFrame({c.header: pd.Series(dtype=object) for c in SURVEY})
    form = form.reindex(range(len(main)))
    form[column("survey", "household_id").header] = main["household_id"].to_numpy()
    book = Workbook()
    sheet = book.active
    sheet.title = FORM_SHEET
    widths = {c.header: max(10, 2.2 * len(c.header)) for c in SURVEY}
    _write_sheet(sheet, form, widths)
    last = len(main) + 1 + EXTRA_FORM_ROWS
    checks = {name: col.checks for name, col in Survey.to_schema().columns.items()}
    for i, spec in enumerate(SURVEY, start=1):
        letter = get_column_letter(i)
        if spec.name in _ID_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=i, max_col=i):
                cell.number_format = "@"
        rule = _validation(spec, checks.get(spec.name, []))
        if rule is not None:
            rule.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(rule)

    notes = book.create_sheet("填写说明")
    for line in _instructions(sample):
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 110
    for row in notes.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=13)

    reserve_sheet = book.create_sheet("备选户")
    reserves = manifest_table(sample.units, reserves=True).drop(
        columns=["户主姓名", "证件号码", "联系电话"]
    )
    _write_sheet(reserve_sheet, reserves, {"户编号": 16})
    book.properties.title = f"{sample.design['township']} 入户核查调查表"
    book.properties.creator = "exitcheck"
    return workbook_bytes(book)


def write_outputs(
    sample: Sample, run_dir: str | Path, created: datetime | None = None, personal: bool = True
) -> dict[str, Path]:
    """Write sample.parquet, sample.csv, manifest.xlsx, survey_form.xlsx, then design.json.

    design.json is written last and records the SHA-256 of the other files, so a run folder
    whose design.json exists holds every file of the sample. ``personal=False`` leaves names and
    phones out of the manifest as well (其他文件本就不含).
    """
    run = Path(run_dir)
    contents = {
        "sample.parquet": _parquet_bytes(stored_table(sample.units)),
        "sample.csv": inert_csv(analyst_table(sample.units)),
        "manifest.xlsx": manifest_xlsx(sample, personal),
        "survey_form.xlsx": survey_form_xlsx(sample),
        **xlsform_files(sample),
    }
    written = {name: atomic_write_bytes(run / name, data) for name, data in contents.items()}
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    written["design.json"] = write_record(run, sealed(design_record(sample, created, hashes)))
    return written
