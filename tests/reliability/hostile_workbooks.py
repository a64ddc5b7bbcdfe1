"""Hand-built workbooks for the bomb and odd-export tests: a minimal XLSX writer that can hold a
pre-compressed part (so a 1 MB zip bomb unpacking to a gigabyte is built in a fraction of a
second), and a minimal OLE2 compound file (the container of a password-protected workbook).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


@dataclass
class Packed:
    """A zip part given as a raw deflate stream with its CRC and unpacked size."""

    deflated: bytes
    crc: int
    size: int


def pack(data: bytes) -> Packed:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Packed(compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data))


def repeated(head: bytes, unit: bytes, copies: int, tail: bytes) -> Packed:
    """``head + unit * copies + tail`` deflated without ever building it: after a full flush
    the compressor starts afresh, so every copy of ``unit`` deflates to the same bytes, which
    are repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH) == block
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return Packed(start + block * copies + end, crc, len(head) + len(unit) * copies + len(tail))


def write_zip(path: Path, parts: dict[str, bytes | str | Packed]) -> Path:
    """A zip archive of deflated parts (the local headers, central directory and end record)."""
    body, directory = bytearray(), bytearray()
    for name, content in parts.items():
        if isinstance(content, str):
            content = content.encode("utf-8")
        packed = content if isinstance(content, Packed) else pack(content)
        encoded = name.encode("utf-8")
        fields = (20, 0x800, 8, 0, 0, packed.crc, len(packed.deflated), packed.size, len(encoded))
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + packed.deflated
        directory += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields, 0)
        directory += struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0
    )
    path.write_bytes(bytes(body + directory + end))
    return path


def cell(ref: str, value: object) -> str:
    """A cell: numbers as number cells, text inline."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def sheet_xml(rows: Iterable[Sequence[object]], hidden: Iterable[int] = (), extra: str = "") -> str:
    """A worksheet of rows of values (row 1 first); ``hidden``: Excel row numbers hidden."""
    hidden = set(hidden)
    out = [f'{XML}<worksheet xmlns="{MAIN}"><sheetData>']
    for r, values in enumerate(rows, 1):
        flag = ' hidden="1"' if r in hidden else ""
        cells = "".join(cell(f"{letters(c)}{r}", v) for c, v in enumerate(values, 1) if v != "")
        out.append(f'<row r="{r}"{flag}>{cells}</row>')
    out.append(f"{extra}</sheetData></worksheet>")
    return "".join(out)


def workbook_parts(
    sheets: Sequence[tuple[str, str | bytes | Packed]],
    shared: str | bytes | Packed | None = None,
    hidden_sheets: Iterable[str] = (),
) -> dict[str, bytes | str | Packed]:
    """The parts of an XLSX workbook holding the given sheets (name, XML) in order."""
    hidden_sheets = set(hidden_sheets)
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = [
        f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>',
    ]
    rels = [f'{XML}<Relationships xmlns="{PACKAGE_RELS}">']
    book = [f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>']
    parts: dict[str, bytes | str | Packed] = {}
    for i, (name, xml) in enumerate(sheets, 1):
        types.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{kinds}.worksheet+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
        state = ' state="hidden"' if name in hidden_sheets else ""
        book.append(f'<sheet name="{name}" sheetId="{i}"{state} r:id="rId{i}"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared is not None:
        types.append(
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = shared
    return {
        "[Content_Types].xml": "".join(types) + "</Types>",
        "_rels/.rels": f'{XML}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": "".join(book) + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": "".join(rels) + "</Relationships>",
        **parts,
    }


def write_workbook(path: Path, sheets, shared=None, hidden_sheets=()) -> Path:
    return write_zip(path, workbook_parts(sheets, shared, hidden_sheets))


def shared_strings(strings: Sequence[str], declared: int | None = None) -> str:
    count = len(strings) if declared is None else declared
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'{XML}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{items}</sst>'


# --- OLE2 compound files ---------------------------------------------------------------------

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 OLE2 compound file (512-byte sectors) holding the given streams, each
    padded to 4,096 bytes or more so that none lives in the mini stream."""
    sectors: list[bytes] = []
    fat = [_FAT, _END]  # sector 0: the FAT, sector 1: the directory
    entries = [("Root Entry", 5, _END, 0)]
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0")
        first = 2 + len(sectors)
        count = len(data) // 512
        sectors += [data[i * 512 : (i + 1) * 512] for i in range(count)]
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
        entries.append((name, 2, first, len(data)))
    assert len(fat) <= 128 and len(entries) <= 4
    directory = b""
    for i, (name, kind, start, size) in enumerate(entries):
        encoded = (name + "\0").encode("utf-16-le")
        child = 1 if kind == 5 else _FREE
        right = i + 1 if kind == 2 and i + 1 < len(entries) else _FREE
        directory += (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, _FREE, right, child)
            + b"\0" * 36
            + struct.pack("<IIi", start, size, 0)
        )
    directory = directory.ljust(512, b"\0")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    table = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", _FREE) * (128 - len(fat))
    return header + table + directory + b"".join(sectors)
