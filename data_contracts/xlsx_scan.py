"""Looking inside an XLSX archive before calamine reads it (工作簿读入前的检查).

calamine trusts the file: it builds a sheet's whole cell grid from A1 to the last cell, and
reserves its shared-string table as large as the file declares. A 1 MB zip bomb (a sheet of
repeated rows unpacking to gigabytes), a table declaring 4,000,000,000 strings, or two cells at
A1 and XFD1048576 (17 billion grid cells) make it take gigabytes or abort the process. So,
before it opens a workbook, :func:`scan_workbook` checks the archive's declared sizes and
compression ratios and streams every XML part it will read except the sheets (bounded reads:
``zipfile`` stops at the declared size and checks the CRC, so no part unpacks to more than it
declares), counting the shared strings; before a sheet is read, :meth:`WorkbookScan.sheet`
streams that sheet's part and finds how far its cells reach and which rows are hidden. Every
limit (:mod:`data_contracts.limits`) broken is a ``RequestError`` naming the file, the limit and
what to do.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from data_contracts.errors import RequestError
from data_contracts.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_SHARED_STRINGS,
    MAX_XLSX_BYTES,
    MAX_XLSX_PARTS,
    RATIO_FLOOR_BYTES,
    column_letters,
    column_number,
    megabytes,
)

CHUNK = 4 * 2**20  # bytes unpacked at a time
MAX_INDEX_PART = 16 * 2**20  # workbook.xml and its relationships are parsed whole
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error,
               NotImplementedError, RuntimeError, ValueError)  # fmt: skip

_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an element name, with or without a namespace prefix
# cells as Excel, openpyxl and most writers put them: <c r="B7" ...>, the reference first.
# calamine also takes lower-case letters, leading zeros and rows beyond Excel's last.
_LONG_COLUMN = re.compile(rb'<c r="([A-Za-z]{2,10})\d')  # column AA or beyond
_ROW_OF_CELL = re.compile(rb'<c r="[A-Za-z]{1,10}(\d{1,15})"')
# an empty cell (self-closing, or with an empty value): calamine skips these
_EMPTY_CELL = re.compile(rb'<c r="[A-Za-z]{1,10}\d{1,15}"[^>]*?(?:/>|>(?:<v\s*/>|<v>\s*</v>)?</c>)')
_HIDDEN_ROW = re.compile(_NAME + rb"row\s[^>]*\bhidden\s*=\s*[\"'](?:1|true)[\"'][^>]*>")
# any row or cell, for sheets written otherwise (prefixed names, cells without a reference)
_TOKEN = re.compile(_NAME + rb"(row|c)(?=[\s/>])([^>]*)>")
_HIDDEN = re.compile(rb"\bhidden\s*=\s*[\"'](?:1|true)[\"']")
_REF = re.compile(rb"\br\s*=\s*[\"']([^\"']*)[\"']")
_CELL_ADDRESS = re.compile(rb"([A-Za-z]{1,10})(\d{1,15})")
_ROW_ADDRESS = re.compile(rb"\d{1,15}")
_SHARED_STRING = re.compile(_NAME + rb"si(?=[\s/>])")
_SST_TAG = re.compile(_NAME + rb"sst\b[^>]*>")
_COUNT_ATTR = re.compile(rb"\b(?:uniqueCount|count)\s*=\s*[\"'](\d+)[\"']")


def _unreadable(path: Path, exc: object) -> RequestError:
    return RequestError(f"{path}: not a readable XLSX workbook ({exc}).")


def _bomb_advice() -> str:
    return ("If the workbook is genuine, copy the table into a new workbook or save it as CSV "
            "(UTF-8) and try again.")  # fmt: skip


def _stream(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """A part's bytes, unpacked a chunk at a time (zipfile stops at the declared size)."""
    with zf.open(member) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def _tag_pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks re-cut so that no piece ends inside a tag (``<`` … ``>``)."""
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk if tail else chunk
        cut = buffer.rfind(b"<")
        if cut < 0 or buffer.find(b">", cut) >= 0:
            tail = b""
            yield buffer
        else:
            tail = buffer[cut:]
            yield buffer[:cut]
    if tail:
        yield tail


@dataclass
class SheetExtent:
    """How far a sheet's cells reach (1-based, from A1) and which rows Excel hides."""

    rows: int = 0
    columns: int = 0
    hidden_rows: set[int] = field(default_factory=set)


@dataclass
class SheetEntry:
    """A worksheet as workbook.xml lists it."""

    name: str
    part: str | None  # the archive member holding its XML (None when not found)
    state: str = "visible"


_CELL_TAG = re.compile(rb"<c[\s>]")  # any cell with content, without a namespace prefix
_PREFIXED_CELL = re.compile(rb":c[\s>]")  # a cell with a namespace prefix (<x:c …>)


def _furthest_column(piece: bytes) -> int:
    """The furthest column of a plain piece's cells: from the two-or-more-letter references
    if there are any, else the last letter of A–Z that some reference starts with."""
    long = set(_LONG_COLUMN.findall(piece))
    if long:
        return max(column_number(c.upper()) for c in long)
    for number in range(26, 0, -1):
        letter = chr(64 + number).encode()
        if b'<c r="' + letter in piece or b'<c r="' + letter.lower() in piece:
            return number
    return 0


class _Extent:
    """The extent of one sheet's XML, and the limits it must keep."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.path, self.sheet = path, sheet
        self.extent = SheetExtent()

    def over(self) -> bool:
        rows, columns = self.extent.rows, self.extent.columns
        return columns > MAX_COLUMNS or rows * columns > MAX_CELLS

    def refuse(self) -> RequestError:
        rows, columns = self.extent.rows, self.extent.columns
        where = f"{self.path}, sheet {self.sheet!r}"
        if columns > MAX_COLUMNS:
            return RequestError(
                f"{where}: its cells reach column {column_letters(columns)} ({columns:,} "
                f"columns); the limit is {MAX_COLUMNS} — refused before reading. A stray cell "
                "far right of the table? Delete the columns right of the table (or copy the "
                "table into a new workbook) and try again."
            )
        return RequestError(
            f"{where}: its cells span A1:{column_letters(columns)}{rows} "
            f"({rows * columns:,} cells); the limit is {MAX_CELLS:,} — refused before "
            "reading. A stray cell far below or right of the table? Delete the rows and "
            "columns beyond the table (or copy the table into a new workbook) and try again."
        )

    def bad_reference(self, reference: bytes) -> RequestError:
        shown = reference[:20].decode("ascii", "replace")
        return RequestError(
            f"{self.path}, sheet {self.sheet!r}: a cell or row reference {shown!r} is not a "
            "cell address — refused before reading; open the workbook in Excel, save it again "
            "and try again."
        )

    def by_references(self, piece: bytes) -> bool:
        """Widen the extent by a piece's cell references; False (and nothing counted) when
        some cell tag of the piece is not a plain ``<c r="B7"``."""
        rows = _ROW_OF_CELL.findall(piece)
        if len(_CELL_TAG.findall(piece)) != len(rows) or _PREFIXED_CELL.search(piece):
            return False
        extent = self.extent
        if rows:
            extent.columns = max(extent.columns, _furthest_column(piece))
            extent.rows = max(extent.rows, max(map(int, set(rows))))
        if b"hidden=" in piece:
            for tag in _HIDDEN_ROW.findall(piece):
                row = _REF.search(tag)
                if row is not None and _ROW_ADDRESS.fullmatch(row.group(1)):
                    extent.hidden_rows.add(int(row.group(1)))
        return True

    def by_tokens(self, pieces: Iterator[bytes]) -> None:
        """Every row and cell in order, placing cells without a reference as calamine does
        (next column; a row without one is the next row); refuses as soon as a limit is
        passed."""
        extent, row, column = self.extent, 0, 0
        for piece in pieces:
            for name, attributes in _TOKEN.findall(piece):
                found = _REF.search(attributes)
                if name == b"row":
                    if found and not _ROW_ADDRESS.fullmatch(found.group(1)):
                        raise self.bad_reference(found.group(1))
                    row, column = (int(found.group(1)) if found else row + 1), 0
                    if _HIDDEN.search(attributes):
                        extent.hidden_rows.add(row)
                    continue
                if found:
                    address = _CELL_ADDRESS.fullmatch(found.group(1))
                    if address is None:
                        raise self.bad_reference(found.group(1))
                    column, row = column_number(address.group(1).upper()), int(address.group(2))
                else:
                    column += 1
                if not attributes.endswith(b"/"):  # an empty cell takes no room
                    extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
            if self.over():
                raise self.refuse()


def _sheet_extent(zf: zipfile.ZipFile, member: str, path: Path, sheet: str) -> SheetExtent:
    """How far a sheet's cells reach; refuses a sheet beyond the limits.

    The cheap pass counts plain pieces by their references, empty cells included, which can
    only overstate the extent. Only when it finds a piece written otherwise, or an extent
    beyond the limits, does a second pass decide exactly: plain pieces without their empty
    cells, or every row and cell token in order.
    """
    quick = _Extent(path, sheet)
    plain = True
    for piece in _tag_pieces(_stream(zf, member)):
        if not quick.by_references(piece):
            plain = False
            break
        if quick.over():
            break
    else:
        return quick.extent
    exact = _Extent(path, sheet)
    if not plain:
        exact.by_tokens(_tag_pieces(_stream(zf, member)))
        return exact.extent
    for piece in _tag_pieces(_stream(zf, member)):
        exact.by_references(_EMPTY_CELL.sub(b"", piece))  # still plain without empty cells
        if exact.over():
            raise exact.refuse()
    return exact.extent


@dataclass
class WorkbookScan:
    """What :func:`scan_workbook` learnt of an XLSX archive."""

    path: Path
    sheets: list[SheetEntry]
    shared_strings: int
    parts: int
    unpacked: int  # bytes of all parts, uncompressed

    def sheet(self, name: str) -> SheetExtent:
        """Stream the named sheet's XML and return its extent; refuses a sheet too wide or too
        large for the limits before any of it is parsed. A sheet whose part cannot be found
        from workbook.xml is judged by the largest worksheet in the archive."""
        entry = next((s for s in self.sheets if s.name == name), None)
        try:
            with zipfile.ZipFile(self.path) as zf:
                members = [entry.part] if entry is not None and entry.part else [
                    n for n in zf.namelist() if n.lower().startswith("xl/worksheets/")
                    and n.lower().endswith(".xml")
                ]  # fmt: skip
                extent = SheetExtent()
                for member in members:
                    part = _sheet_extent(zf, member, self.path, name)
                    extent.rows = max(extent.rows, part.rows)
                    extent.columns = max(extent.columns, part.columns)
                    extent.hidden_rows |= part.hidden_rows
                return extent
        except _ZIP_ERRORS as exc:
            raise _unreadable(self.path, exc) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ET.Element, local: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if _local(key) == local:
            return value
    return None


def _index_part(zf: zipfile.ZipFile, member: str | None) -> ET.Element | None:
    """A small XML part (workbook.xml, relationships) parsed, or None when absent or broken."""
    if member is None:
        return None
    info = zf.getinfo(member)
    if info.file_size > MAX_INDEX_PART:
        return None
    try:
        return ET.fromstring(zf.read(member))
    except ET.ParseError:
        return None


def _member(names: dict[str, str], wanted: str) -> str | None:
    """The archive member named ``wanted``, compared without case."""
    return names.get(wanted.lower())


def _relationships(zf: zipfile.ZipFile, names: dict[str, str], part: str) -> dict[str, tuple]:
    """Relationship id → (type, member) of one part."""
    folder, base = posixpath.split(part)
    rels = _index_part(zf, _member(names, posixpath.join(folder, "_rels", base + ".rels")))
    found = {}
    for element in rels.iter() if rels is not None else ():
        if _local(element.tag) != "Relationship":
            continue
        target = element.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[element.get("Id", "")] = (element.get("Type", ""),
                                        _member(names, posixpath.normpath(target)))  # fmt: skip
    return found


def _sheets(zf: zipfile.ZipFile, names: dict[str, str]) -> tuple[list[SheetEntry], list[str]]:
    """The worksheets workbook.xml lists (with their parts) and the shared-string parts."""
    root_rels = _relationships(zf, names, "")
    book = next((m for t, m in root_rels.values() if t.endswith("/officeDocument") and m),
                _member(names, "xl/workbook.xml"))  # fmt: skip
    rels = _relationships(zf, names, book) if book else {}
    strings = {m for t, m in rels.values() if t.endswith("/sharedStrings") and m}
    strings |= {n for key, n in names.items() if posixpath.basename(key) == "sharedstrings.xml"}
    root = _index_part(zf, book)
    sheets = []
    for element in root.iter() if root is not None else ():
        if _local(element.tag) == "sheet":
            target = rels.get(_attribute(element, "id") or "", ("", None))[1]
            sheets.append(SheetEntry(element.get("name", ""), target,
                                     element.get("state", "visible")))  # fmt: skip
    return sheets, sorted(strings)


def _count_shared_strings(stream: Iterator[bytes], path: Path) -> int:
    """Strings in a shared-string part (declared or counted, whichever is more); stops as
    soon as the limit is passed."""
    count = 0
    for piece in _tag_pieces(stream):
        if count == 0:
            tag = _SST_TAG.search(piece)
            declared = [int(n) for n in _COUNT_ATTR.findall(tag.group(0))] if tag else []
            if declared and max(declared) > MAX_SHARED_STRINGS:
                raise RequestError(
                    f"{path}: its shared-string table declares {max(declared):,} strings; the "
                    f"limit is {MAX_SHARED_STRINGS:,} — refused before reading (a shared-string "
                    f"bomb, or far more text than any registry export). {_bomb_advice()}"
                )
        count += len(_SHARED_STRING.findall(piece))
        if count > MAX_SHARED_STRINGS:
            raise RequestError(
                f"{path}: its shared-string table holds more than {MAX_SHARED_STRINGS:,} "
                "strings (the limit) — refused before reading (a shared-string bomb, or far "
                f"more text than any registry export). {_bomb_advice()}"
            )
    return count


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> int:
    """Refuse an archive of too many parts, too large unpacked, or a part packed too well."""
    if len(infos) > MAX_XLSX_PARTS:
        raise RequestError(
            f"{path}: the archive holds {len(infos):,} parts; the limit is {MAX_XLSX_PARTS:,} "
            f"(a workbook has a few dozen) — refused before reading. {_bomb_advice()}"
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_BYTES:
        raise RequestError(
            f"{path}: its parts unpack to {megabytes(unpacked)}; the limit is "
            f"{megabytes(MAX_XLSX_BYTES)} — refused before reading (a zip bomb, or far more "
            f"than any registry export). {_bomb_advice()}"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise RequestError(
                f"{path}: its part {info.filename} unpacks from {megabytes(info.compress_size)} "
                f"to {megabytes(info.file_size)} ({ratio:,.0f} times; real sheets compress 5–20 "
                f"times, the limit is {MAX_COMPRESSION_RATIO}) — a zip bomb, refused before "
                f"reading. {_bomb_advice()}"
            )
    return unpacked


def scan_workbook(path: Path) -> WorkbookScan:
    """Check an XLSX archive against the limits before calamine opens it (see the module)."""
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise RequestError(
            f"{path} is {megabytes(size)}; the limit for a workbook is "
            f"{megabytes(MAX_XLSX_BYTES)} — refused before reading. {_bomb_advice()}"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unpacked = _check_sizes(path, infos)
            names = {i.filename.lower(): i.filename for i in infos}
            sheets, strings = _sheets(zf, names)
            sheet_parts = {s.part for s in sheets} | {
                n for key, n in names.items() if key.startswith("xl/worksheets/")
            }
            count = 0
            for info in infos:
                member = info.filename
                if member in strings:
                    count = max(count, _count_shared_strings(_stream(zf, member), path))
                elif member not in sheet_parts and member.lower().endswith((".xml", ".rels")):
                    for _ in _stream(zf, member):
                        pass  # unpacked in full: a part larger than declared fails its CRC
    except _ZIP_ERRORS as exc:
        raise _unreadable(path, exc) from None
    return WorkbookScan(path, sheets, count, len(infos), unpacked)
