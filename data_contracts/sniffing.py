"""What a file really is, whatever its name says (文件格式识别): magic bytes, text encodings and
the separator of a delimited text.

Odd exports get a message that says what to do instead of a parser's complaint: an Excel
workbook renamed ``.csv`` ("rename it to .xlsx"), a password-protected workbook (an OLE2 file
holding an ``EncryptedPackage`` stream), an old ``.xls`` or an HTML page saved under another
name. Text is decoded by its byte-order mark (UTF-8, UTF-16, UTF-32), as UTF-16 without one
when its zero bytes say so (Excel's "Unicode Text" export), else as UTF-8, GB18030 or
charset-normalizer's guess; a table separated by tabs, semicolons or bars is read as such.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from data_contracts.errors import RequestError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PARQUET_MAGIC = b"PAR1"
#: the OLE2 directory names its streams in UTF-16: these two hold an encrypted OOXML package
ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SEPARATORS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}


def _is_xlsx_zip(path: Path) -> bool:
    """Whether a ZIP archive holds an Excel workbook (its workbook part)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower() for n in zf.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "xl/workbook.xml" in names or "[content_types].xml" in names


def _encrypted(path: Path) -> bool:
    """Whether an OLE2 compound file holds an encrypted OOXML package (a workbook saved with
    "Encrypt with Password")."""
    data = path.read_bytes()
    return any(name in data for name in ENCRYPTED_STREAMS)


def _looks_like_xml_spreadsheet(head: bytes) -> bool:
    return b"urn:schemas-microsoft-com:office:spreadsheet" in head


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) and (
        b"<html" in start or b"<table" in start
    )


def sniff(path: Path) -> str | None:
    """What the file's first bytes say it is: ``"xlsx"``, ``"zip"``, ``"encrypted"``, ``"xls"``
    (any other OLE2 file), ``"parquet"``, ``"xml-spreadsheet"`` (Excel 2003 XML), ``"html"``
    or None (text, or unknown)."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if head.startswith(ZIP_MAGIC):
        return "xlsx" if _is_xlsx_zip(path) else "zip"
    if head.startswith(OLE2_MAGIC):
        return "encrypted" if _encrypted(path) else "xls"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if _looks_like_xml_spreadsheet(head):
        return "xml-spreadsheet"
    if _looks_like_html(head):
        return "html"
    return None


def refuse_disguised(path: Path, suffix: str, actual: str | None) -> None:
    """Raise a ``RequestError`` saying what to do when the file is not what its name says."""
    name = suffix or "(no suffix)"
    if actual == "encrypted":
        raise RequestError(
            f"{path}: the workbook is password-protected (encrypted), so it cannot be read; "
            "save an unprotected copy (in Excel: File → Info → Protect Workbook → Encrypt with "
            "Password, clear the password, save) and give that copy."
        )
    if actual == "xls":
        raise RequestError(
            f"{path}: this is an old-format Excel workbook (.xls) or another Office file, not "
            f"{'an .xlsx workbook' if suffix in XLSX_SUFFIXES else 'a CSV text'}; open it in "
            "Excel and save it as Excel Workbook (.xlsx), then give that file."
        )
    if actual == "xml-spreadsheet":
        raise RequestError(
            f"{path}: this is an Excel 2003 XML spreadsheet, not {_wanted(suffix)}; open it in "
            "Excel and save it as Excel Workbook (.xlsx)."
        )
    if actual == "html":
        raise RequestError(
            f"{path}: this is a web page (HTML), not {_wanted(suffix)}; some systems export "
            "tables this way. Open it in Excel and save it as Excel Workbook (.xlsx)."
        )
    if actual == "xlsx" and suffix not in XLSX_SUFFIXES:
        raise RequestError(
            f"{path}: this is an Excel workbook saved as {name}; rename it to .xlsx (or save "
            "it from Excel as CSV UTF-8) and try again."
        )
    if actual == "zip" and suffix not in XLSX_SUFFIXES:
        raise RequestError(
            f"{path}: this is a ZIP archive, not {_wanted(suffix)}; unpack it and give the "
            "table inside."
        )
    if actual == "parquet" and suffix not in (".parquet", ".pq"):
        raise RequestError(
            f"{path}: this is a Parquet file saved as {name}; rename it to .parquet and try again."
        )


def _wanted(suffix: str) -> str:
    if suffix in XLSX_SUFFIXES:
        return "an Excel workbook"
    if suffix in (".parquet", ".pq"):
        return "a Parquet file"
    return "a CSV text"


def text_instead_of_binary(path: Path, suffix: str) -> None:
    """Refuse a text table named .xlsx or .parquet with "rename it to .csv"."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if not head.strip():
        return
    text = None
    for decoder in (decode_bom_or_utf16, *(_partial(e) for e in ("utf-8", "gb18030"))):
        try:
            text = decoder(head)
        except UnicodeDecodeError:
            continue
        if text is not None:
            break
    if text is None:
        return
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    printable = all(c.isprintable() or c in "\t\r\n" for c in text[:-1])  # last may be cut
    if printable and any(sep in first for sep in SEPARATORS):
        raise RequestError(
            f"{path}: this is a text (CSV) table named {suffix}, not {_wanted(suffix)}; "
            "rename it to .csv and try again."
        )


def _partial(encoding: str):
    """A strict decoder of a file's first bytes (a character cut off at the end is dropped)."""
    return lambda data: codecs.getincrementaldecoder(encoding)().decode(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order (``"utf-16-le"`` / ``"utf-16-be"``) of a text without a BOM, told
    by its zero bytes: the high byte of every ASCII character (digits, commas, line breaks)."""
    sample = data[:65536]
    if b"\x00" not in sample or len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd >= 0.1 * half and odd >= 4 * even:
        return "utf-16-le"
    if even >= 0.1 * half and even >= 4 * odd:
        return "utf-16-be"
    return None


def decode_bom_or_utf16(data: bytes) -> str | None:
    """Text of bytes with a byte-order mark or UTF-16 without one (strict; a cut-off last
    character is dropped), or None when neither applies."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return codecs.getincrementaldecoder(encoding)().decode(data)
    encoding = _utf16_without_bom(data)
    if encoding is None:
        return None
    return codecs.getincrementaldecoder(encoding)().decode(data[: len(data) // 2 * 2])


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Text and encoding name of a text file's bytes (see the module)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise RequestError(
                    f"{path}: starts with a {encoding.upper().removesuffix('-SIG')} byte-order "
                    f"mark but is not {encoding.upper().removesuffix('-SIG')} text "
                    f"({exc.reason} at byte {exc.start:,}); save it again as CSV UTF-8."
                ) from None
    guessed = _utf16_without_bom(data)
    if guessed is not None:
        try:
            return data.decode(guessed), guessed
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise RequestError(
            f"{path}: cannot tell the text encoding; save it as UTF-8 or GB18030 CSV."
        )
    return str(best), best.encoding
