"""Resource bombs refused before any parser sees them, and odd exports read or refused with a
message saying what to do (docs/reliability.md §9)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pandas as pd
import pytest
from hostile_workbooks import (
    MAIN,
    XML,
    Packed,
    compound_file,
    repeated,
    shared_strings,
    sheet_xml,
    workbook_parts,
    write_workbook,
    write_zip,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import TOWNSHIP

from data_contracts import ContractError, RequestError, load
from data_contracts.columns import spec
from data_contracts.demo.files import csv_bytes
from workbench.cli import exit_code, main

SHEET_HEAD = f'{XML}<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


@pytest.fixture(scope="module")
def households(district) -> pd.DataFrame:
    """Six registry rows of one township as a user's file has them: Chinese headers, text."""
    rows = district.households.loc[district.households["township"].eq(TOWNSHIP)].head(6)
    data = csv_bytes(rows, spec("households"))
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def expected(households, tmp_path_factory) -> pd.DataFrame:
    """The six rows as ``load`` reads them from a plain UTF-8, comma-separated CSV."""
    path = tmp_path_factory.mktemp("plain") / "households.csv"
    households.to_csv(path, index=False)
    return load("households", path).frame


def grid(households: pd.DataFrame) -> list[list[str]]:
    """Header and rows, as sheet rows."""
    return [list(households.columns), *households.to_numpy().tolist()]


@pytest.fixture
def no_parser(monkeypatch):
    """Fail if any parser (calamine through pandas, pandas' CSV reader) is reached."""

    def reached(*args, **kwargs):
        raise AssertionError("a parser was reached before the file was refused")

    for name in ("ExcelFile", "read_excel", "read_csv"):
        monkeypatch.setattr(pd, name, reached)


def refusal(path: Path, kind: str = "households", **kwargs) -> str:
    """The message of the RequestError (exit 2) that reading the file raises, timed."""
    start = time.perf_counter()
    with pytest.raises(RequestError) as info:
        load(kind, path, **kwargs)
    assert time.perf_counter() - start < 10
    assert exit_code(info.value) == 2
    assert not isinstance(info.value, ContractError)
    return info.value.message


# --- the bombs -------------------------------------------------------------------------------


def zip_bomb(path: Path) -> Path:
    """A 1.8 MB workbook whose sheet unpacks to 1 GB of repeated rows."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 2000 + b"</t></is></c></row>"
    unit = row * (8 * 2**20 // len(row))
    sheet = repeated(SHEET_HEAD, unit, 128, SHEET_TAIL)
    return write_zip(path, {**workbook_parts([("Sheet1", "")]), "xl/worksheets/sheet1.xml": sheet})


def shared_string_bomb(path: Path) -> Path:
    """A 140 KB workbook whose shared-string table unpacks to 4.6 million empty strings."""
    unit = b"<si><t></t></si>" * 65536
    head = f'{XML}<sst xmlns="{MAIN}" count="{70 * 65536}" uniqueCount="{70 * 65536}">'
    table = repeated(head.encode(), unit, 70, b"</sst>")
    sheet = sheet_xml([["户编号"]]).replace(
        't="inlineStr"><is><t>户编号</t></is>', 't="s"><v>0</v>'
    )
    return write_workbook(path, [("Sheet1", sheet)], shared=table)


def corner_bomb(households: pd.DataFrame, path: Path, corner: str = "XFD1048576") -> Path:
    """The six rows plus one cell at a far corner: calamine would build the grid up to it."""
    extra = (
        f'<row r="{corner.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{corner}"><v>1</v></c></row>'
    )
    return write_workbook(path, [("Sheet1", sheet_xml(grid(households), extra=extra))])


def wide_csv(path: Path, columns: int = 100_000) -> Path:
    """A 1 MB CSV whose header has 100,000 columns."""
    header = ",".join(f"列{i}" for i in range(columns))
    path.write_text(header + "\n" + "," * (columns - 1) + "\n", encoding="utf-8")
    return path


def test_zip_bomb_is_refused_before_reading(tmp_path, no_parser) -> None:
    path = zip_bomb(tmp_path / "households.xlsx")
    assert path.stat().st_size < 2 * 2**20
    message = refusal(path)
    assert message.startswith(f"{path}: its parts unpack to 1,024.0 MB; the limit is 200.0 MB")
    assert "refused before reading (a zip bomb" in message


def test_small_parts_packed_too_well_are_a_zip_bomb(tmp_path, no_parser) -> None:
    """Under the size limit but 1,000 times compressed: refused by the compression ratio."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 2000 + b"</t></is></c></row>"
    sheet = repeated(SHEET_HEAD, row * 4000, 6, SHEET_TAIL)  # 48 MB
    path = write_zip(
        tmp_path / "hh.xlsx", {**workbook_parts([("S", "")]), "xl/worksheets/sheet1.xml": sheet}
    )
    assert re.fullmatch(
        re.escape(f"{path}: its part xl/worksheets/sheet1.xml unpacks from ") + r"\d+ KB to 46\.9 "
        r"MB \([5-9]\d\d times; real sheets compress 5–20 times, the limit is 100\) — a zip bomb, "
        r"refused before reading\. If the workbook is genuine, .*",
        refusal(path),
    )


def test_shared_string_bomb_is_refused_before_reading(tmp_path, no_parser) -> None:
    path = shared_string_bomb(tmp_path / "households.xlsx")
    assert path.stat().st_size < 200_000
    message = refusal(path)
    assert f"{path}: its part xl/sharedStrings.xml unpacks from" in message
    assert "a zip bomb, refused before reading" in message


def test_shared_strings_counted_and_declared_are_limited(tmp_path, monkeypatch, no_parser):
    sheet = sheet_xml([["户编号"]])
    declared = write_workbook(
        tmp_path / "declared.xlsx",
        [("S", sheet)],
        shared=shared_strings(["户编号", "H1"], declared=4_000_000_000),
    )
    assert refusal(declared) == (
        f"{declared}: its shared-string table declares 4,000,000,000 strings; the limit is "
        "2,000,000 — refused before reading (a shared-string bomb, or far more text than any "
        "registry export). If the workbook is genuine, copy the table into a new workbook or "
        "save it as CSV (UTF-8) and try again."
    )
    monkeypatch.setattr("data_contracts.xlsx_scan.MAX_SHARED_STRINGS", 5)
    counted = write_workbook(
        tmp_path / "counted.xlsx", [("S", sheet)], shared=shared_strings(list("abcdef"), declared=2)
    )
    assert "its shared-string table holds more than 5 strings (the limit)" in refusal(counted)


@pytest.mark.parametrize(
    ("corner", "expected"),
    [
        ("XFD1048576", "its cells reach column XFD (16,384 columns); the limit is 500"),
        ("SH7", "its cells reach column SH (502 columns); the limit is 500"),
        ("Z1048576", "its cells span A1:Z1048576 (27,262,976 cells); the limit is 5,000,000"),
    ],
)
def test_a_cell_at_a_far_corner_is_refused_before_reading(
    households, corner, expected, tmp_path, monkeypatch
) -> None:
    """Two cells at A1 and XFD1048576 made calamine reserve 512 GB and abort the process."""
    path = corner_bomb(households, tmp_path / "households.xlsx", corner)
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: pytest.fail("calamine was reached"))
    message = refusal(path)
    assert message.startswith(f"{path}, sheet 'Sheet1': {expected} — refused before reading.")
    assert "A stray cell far" in message


def _one_row(*cells: str, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (f"{XML}<{p}worksheet {xmlns}><{p}sheetData><{p}row>{''.join(cells)}</{p}row>"
            f"</{p}sheetData></{p}worksheet>")  # fmt: skip


FAR = ("its cells reach column XFD (16,384 columns); the limit is 500 — refused before "
       "reading.")  # fmt: skip


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        (_one_row("<c><v>1</v></c>" * 600),
         "its cells reach column WB (600 columns); the limit is 500 — refused before reading."),
        (_one_row('<x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1"><x:v>1</x:v></x:c>', prefix="x"),
         FAR),
        (_one_row('<c s="0" r="A1"><v>1</v></c><c s="0" r="XFD1"><v>1</v></c>'), FAR),
        (_one_row('<c r="A1"><v>1</v></c><c r="xfd1"><v>1</v></c>'), FAR),
        (_one_row('<c r="A1"><v>1</v></c><c\tr="XFD1"><v>1</v></c>'), FAR),
        (_one_row('<c r="A1"><v>1</v></c><c r="A20000000"><v>1</v></c>'),
         "its cells span A1:A20000000 (20,000,000 cells); the limit is 5,000,000"),
        (_one_row('<c r="A1"><v>1</v></c><c r="5"><v>1</v></c>'),
         "a cell or row reference '5' is not a cell address — refused before reading"),
    ],
    ids=["no references", "namespace prefix", "reference last", "lower case",
         "tab after the name", "row beyond Excel's last", "not an address"],
)  # fmt: skip
def test_far_cells_are_found_however_the_sheet_is_written(sheet, expected, tmp_path, monkeypatch):
    """Cells without ``r`` are placed one after another (as calamine does); prefixed element
    names, attributes in any order, lower-case letters and rows beyond 1,048,576 (all of which
    calamine accepts) are counted the same; a reference that is no address is refused."""
    path = write_workbook(tmp_path / "hh.xlsx", [("S", sheet)])
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: pytest.fail("calamine was reached"))
    assert refusal(path).startswith(f"{path}, sheet 'S': {expected}")


def test_empty_formatted_cells_far_away_do_not_count(households, tmp_path) -> None:
    """calamine skips a cell without a value (formatting only), so it widens nothing."""
    extra = '<row r="1048576"><c r="XFD1048576" s="1"/><c r="XFC1048576" s="1"><v></v></c></row>'
    path = write_workbook(
        tmp_path / "hh.xlsx", [("Sheet1", sheet_xml(grid(households), extra=extra))]
    )
    assert len(load("households", path).frame) == 6


def test_a_header_of_100000_columns_is_refused_before_reading(tmp_path, no_parser) -> None:
    path = wide_csv(tmp_path / "households.csv")
    assert path.stat().st_size < 2**20
    message = refusal(path)
    assert message == (
        f"{path}, row 1: 100,000 columns (列0, 列1, 列2, 列3, 列4, 列5, 列6, 列7, 列8, 列9 … and "
        "99,990 more); the limit is 500 — refused before reading. Is this the table? Keep only "
        "its columns and try again."
    )


def test_long_lines_cells_and_files_are_refused(households, tmp_path, monkeypatch) -> None:
    line = tmp_path / "line.csv"
    line.write_text("户编号," + "9" * 2_000_000, encoding="utf-8")
    assert refusal(line).startswith(
        f"{line}, line 1: 2,000,004 characters without a line break; the limit is 1,048,576"
    )
    frame = pd.concat([households] * 8, ignore_index=True)
    frame["户编号"] = [f"H{i:05d}" for i in range(len(frame))]
    frame.loc[40, "户主姓名"] = "张" * 40_000
    cell = tmp_path / "cell.csv"
    frame.to_csv(cell, index=False)
    assert refusal(cell).startswith(
        f"{cell}, row 42, column 户主姓名: a cell of 40,000 characters; the limit is 32,767"
    )
    monkeypatch.setattr("data_contracts.readers.MAX_TEXT_BYTES", 2**20)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2**20 + 2**19))
    assert refusal(big).startswith(f"{big} is 1.5 MB; the limit for a text table is 1.0 MB")


def test_parquet_bomb_is_refused_by_its_footer(tmp_path, monkeypatch) -> None:
    """Six million equal values run-length encode to 17 KB; the footer says what they cost."""
    path = tmp_path / "households.parquet"
    pd.DataFrame({"户编号": ["H1"] * 6_000_000}).to_parquet(path)
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: pytest.fail("pyarrow read the pages"))
    assert path.stat().st_size < 50_000
    assert refusal(path).startswith(f"{path}: 6,000,000 rows of 1 column (6,000,000 cells, ")
    assert "the limits are 5,000,000 cells, 200.0 MB and 10,000 row groups — refused" in refusal(
        path
    )


@pytest.mark.slow
def test_each_bomb_is_refused_within_10_s_and_1_gb(households, tmp_path) -> None:
    """The real command in a fresh process: exit 2 for every bomb, each within 10 s, and the
    process never above 1 GB of memory (its peak resident size, measured by the kernel)."""
    bombs = [
        zip_bomb(tmp_path / "zip.xlsx"),
        shared_string_bomb(tmp_path / "strings.xlsx"),
        corner_bomb(households, tmp_path / "corner.xlsx"),
        corner_bomb(households, tmp_path / "tall.xlsx", "Z1048576"),
        wide_csv(tmp_path / "wide.csv"),
    ]
    script = (
        "import json, resource, sys, time\n"
        "from workbench.cli import main\n"
        "runs = []\n"
        "for path in sys.argv[1:]:\n"
        "    start = time.perf_counter()\n"
        "    runs.append((main(['validate', 'households', path]), time.perf_counter() - start))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'runs': runs, 'peak_kb': peak}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, bombs)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [status for status, _ in result["runs"]] == [2] * len(bombs)
    assert max(seconds for _, seconds in result["runs"]) < 10
    assert result["peak_kb"] < 2**20  # 1 GB
    assert "Traceback" not in done.stderr
    for bomb in bombs:
        assert f"{bomb}" in done.stderr + done.stdout


# --- odd exports -----------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
SEPARATOR_NAMES = {",": None, "\t": "tab", ";": "semicolon", "|": "bar"}


@pytest.mark.slow
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    encoding=st.sampled_from(ENCODINGS),
    separator=st.sampled_from(list(SEPARATOR_NAMES)),
    suffix=st.sampled_from([".csv", ".txt", ".tsv"]),
    title=st.booleans(),
)
def test_any_encoding_and_separator_reads_the_same_table(
    households, expected, encoding, separator, suffix, title, tmp_path
) -> None:
    text = households.to_csv(index=False, sep=separator, lineterminator="\r\n")
    if title:
        text = "2024年度脱贫户名册\r\n" + text
    path = tmp_path / f"households{suffix}"
    path.write_bytes(text.encode(encoding))
    loaded = load("households", path)
    pd.testing.assert_frame_equal(loaded.frame, expected)
    name = SEPARATOR_NAMES[separator]
    assert (f"read as {name}-separated text" in loaded.notes) == (name is not None)
    if encoding.startswith("utf-16") or encoding == "utf-32":
        assert f"read as {encoding.upper()} text" in loaded.notes


def test_excel_unicode_text_export_loads(households, expected, tmp_path) -> None:
    """Excel's "Unicode Text" (.txt): UTF-16 with a byte-order mark, tab-separated — was
    "11 required columns missing"."""
    path = tmp_path / "households.txt"
    path.write_bytes(households.to_csv(index=False, sep="\t").encode("utf-16"))
    loaded = load("households", path)
    pd.testing.assert_frame_equal(loaded.frame, expected)
    assert loaded.notes == ["read as UTF-16 text", "read as tab-separated text"]


def _xlsx_bytes(households: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    households.to_excel(buffer, index=False)
    return buffer.getvalue()


def _parquet_bytes(households: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    households.to_parquet(buffer)
    return buffer.getvalue()


def _zip_of_csv(households: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("households.csv", households.to_csv(index=False))
    return buffer.getvalue()


ENCRYPTED = compound_file(
    {
        "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
        "EncryptedPackage": bytes(range(256)) * 20,
    }
)
OLD_XLS = compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" * 600})
PASSWORD = (
    "the workbook is password-protected (encrypted), so it cannot be read; save an "
    "unprotected copy (in Excel: File → Info → Protect Workbook → Encrypt with Password, "
    "clear the password, save) and give that copy."
)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (
            _xlsx_bytes,
            "households.csv",
            "this is an Excel workbook saved as .csv; rename it to "
            ".xlsx (or save it from Excel as CSV UTF-8) and try again.",
        ),
        (
            _xlsx_bytes,
            "households.xls",
            "this is an Excel workbook saved as .xls; rename it to .xlsx"
            " (or save it from Excel as CSV UTF-8) and try again.",
        ),
        (lambda h: ENCRYPTED, "households.xlsx", PASSWORD),
        (lambda h: ENCRYPTED, "households.csv", PASSWORD),
        (
            lambda h: OLD_XLS,
            "households.xlsx",
            "this is an old-format Excel workbook (.xls) or "
            "another Office file, not an .xlsx workbook; open it in Excel and save it as Excel "
            "Workbook (.xlsx), then give that file.",
        ),
        (
            lambda h: h.to_csv(index=False).encode(),
            "households.xlsx",
            "this is a text (CSV) "
            "table named .xlsx, not an Excel workbook; rename it to .csv and try again.",
        ),
        (
            lambda h: h.to_csv(index=False).encode("utf-16"),
            "households.parquet",
            "this is a text "
            "(CSV) table named .parquet, not a Parquet file; rename it to .csv and try again.",
        ),
        (
            _parquet_bytes,
            "households.csv",
            "this is a Parquet file saved as .csv; rename it to .parquet and try again.",
        ),
        (
            lambda h: h.to_html(index=False).encode(),
            "households.xls",
            "this is a web page (HTML),"
            " not a CSV text; some systems export tables this way. Open it in Excel and save it as "
            "Excel Workbook (.xlsx).",
        ),
        (
            _zip_of_csv,
            "households.csv",
            "this is a ZIP archive, not a CSV text; unpack it and give the table inside.",
        ),
    ],
    ids=[
        "xlsx-as-csv",
        "xlsx-as-xls",
        "encrypted-xlsx",
        "encrypted-as-csv",
        "xls-as-xlsx",
        "csv-as-xlsx",
        "utf16-csv-as-parquet",
        "parquet-as-csv",
        "html-as-xls",
        "zip-as-csv",
    ],
)
def test_files_that_are_not_what_their_name_says(
    households, content, name, expected, tmp_path, capsys
) -> None:
    path = tmp_path / name
    path.write_bytes(content(households))
    assert refusal(path) == f"{path}: {expected}"
    assert main(["validate", "households", str(path)]) == 2
    assert f"{path}: {expected}" in capsys.readouterr().err.replace("\n", " ")


def test_calamine_errors_name_the_file_and_sheet(tmp_path) -> None:
    """A bad shared-string index (was a CalamineError traceback), a sheet part larger than it
    declares, a sheet part missing from the archive."""
    table = shared_strings(["户编号", "H1"])
    sheet = sheet_xml([]).replace(
        "<sheetData>",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
        '</c></row><row r="2"><c r="A2" t="s"><v>99</v></c></row>',
    )
    bad_index = write_workbook(tmp_path / "index.xlsx", [("名册", sheet)], shared=table)
    assert refusal(bad_index) == (
        f"{bad_index}, sheet '名册': not a readable worksheet (Cell string index not found in "
        "shared strings table); open the workbook in Excel, save it again (File → Save As → Excel "
        "Workbook) and try again."
    )
    full = sheet_xml([["户编号"], *[[f"H{i}"] for i in range(2000)]]).encode()
    declared = full[:300]
    stream = zlib.compressobj(6, zlib.DEFLATED, -15)
    larger = write_zip(
        tmp_path / "larger.xlsx",
        {
            **workbook_parts([("S", "")]),
            "xl/worksheets/sheet1.xml": Packed(
                stream.compress(full) + stream.flush(), zlib.crc32(declared), len(declared)
            ),
        },
    )
    assert "File is larger than its declared uncompressed size" in refusal(larger)
    parts = workbook_parts([("S", sheet_xml([["户编号"], ["H1"]]))])
    del parts["xl/worksheets/sheet1.xml"]
    missing = write_zip(tmp_path / "missing.xlsx", parts)
    assert refusal(missing).startswith(f"{missing}, sheet 'S': not a readable worksheet (")


def test_cover_or_empty_first_sheet_names_the_sheet_to_read(households, expected, tmp_path):
    rows = grid(households)
    cover = write_workbook(
        tmp_path / "cover.xlsx",
        [
            ("封面", sheet_xml([["2024年度脱贫户名册"], ["示范县扶贫办"]])),
            ("脱贫户", sheet_xml(rows)),
            ("说明", sheet_xml([["填表说明"]])),
        ],
    )
    assert refusal(cover) == (
        f"{cover}: its first sheet '封面' names none of the table's columns (户编号, 县（市、区）, "
        "乡镇（街道） …); the workbook's sheets are: 封面, 脱贫户, 说明 — the table seems to be on "
        "sheet '脱贫户': name it with --sheet 脱贫户 (or move that sheet to the front of the "
        "workbook)."
    )
    pd.testing.assert_frame_equal(load("households", cover, sheet="脱贫户").frame, expected)
    empty = write_workbook(
        tmp_path / "empty.xlsx", [("Sheet1", sheet_xml([])), ("户 表", sheet_xml(rows))]
    )
    assert refusal(empty) == (
        f"{empty}: its first sheet 'Sheet1' is empty; the workbook's sheets are: Sheet1, 户 表 — "
        "the table seems to be on sheet '户 表': name it with --sheet '户 表' (or move that sheet "
        "to the front of the workbook)."
    )
    notes_only = write_workbook(
        tmp_path / "notes.xlsx", [("Sheet1", sheet_xml([])), ("说明", sheet_xml([["填表说明"]]))]
    )
    assert refusal(notes_only).endswith(
        "the workbook's sheets are: Sheet1, 说明 — name the sheet holding the table with --sheet "
        "NAME (or move it to the front)."
    )
    headers_unknown = write_workbook(
        tmp_path / "unknown.xlsx",
        [("名册", sheet_xml([["甲", "乙"], ["1", "2"]])), ("说明", sheet_xml([["填表说明"]]))],
    )
    with pytest.raises(ContractError):  # no sheet names a column: the contract check says which
        load("households", headers_unknown)


def test_hidden_rows_are_read_with_a_note(households, tmp_path) -> None:
    rows = [["2024年度脱贫户名册"], *grid(households)]
    path = write_workbook(tmp_path / "hidden.xlsx", [("Sheet1", sheet_xml(rows, hidden=[1, 4, 7]))])
    loaded = load("households", path)
    assert len(loaded.frame) == 6
    assert (
        "2 row(s) hidden in Excel read as data: rows 4, 7 (unhide them to check that they "
        "belong to the table)"
    ) in loaded.notes


SHEET_TOKENS = [b"<c>", b'<c r="XFD1">', b"</c>", b"<row>", b'<row r="99999999999999999">',
                b"</row>", b"<v>", b"</v>", b'<c t="s"><v>7</v></c>', b'<x:c r="B2">', b'r=""',
                b"\x00", b"&#0;", b"<!--", b'<![CDATA[<c r="A1">', b'hidden="1"', b'<c r="A1"/>',
                b'<dimension ref="A1:XFD1048576"/>']  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.one_of(st.sampled_from(SHEET_TOKENS), st.binary(max_size=8))),
        min_size=1, max_size=4,
    ),
    shared=st.booleans(),
)  # fmt: skip
def test_a_mangled_sheet_is_read_or_refused_naming_the_file(edits, shared, tmp_path) -> None:
    """Any tags or bytes spliced into a sheet's XML: read, or exit 1/2 naming the file."""
    data = sheet_xml([["户编号", "乡镇（街道）"], ["H1", "白马镇"], ["H2", 5]], hidden=[2]).encode()
    for where, piece in edits:
        at = int(where * len(data))
        data = data[:at] + piece + data[at:]
    table = shared_strings(["户编号", "H1"]) if shared else None
    path = write_workbook(tmp_path / "survey.xlsx", [("S", data)], shared=table)
    try:
        load("households", path)
    except (RequestError, ContractError) as exc:
        assert str(path) in exc.message
