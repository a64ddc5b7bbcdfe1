"""Limits on what an input file may cost to read (读入文件的资源上限), checked before parsing.

Registry exports and survey returns come from many hands. A file that breaks one of these limits
is refused with a ``RequestError`` (exit 2) naming the file, the limit and what to do, before the
parser sees it: a 1 MB zip bomb, a shared-string table declaring billions of strings, two cells at
A1 and XFD1048576 or a CSV header of 100,000 columns would otherwise take gigabytes of memory or
minutes, or abort the process in native code. Every limit is far above any real export: a
county's registry is some 20,000 rows of 30 columns.
"""

from __future__ import annotations

from collections.abc import Sequence

#: bytes of a CSV/text file (a county's registry export is about 10 MB)
MAX_TEXT_BYTES = 100 * 2**20
#: bytes of an XLSX file on disk, and the sum of its parts uncompressed
MAX_XLSX_BYTES = 200 * 2**20
#: uncompressed : compressed size of one part of an XLSX (real sheets compress 5–20 times)
MAX_COMPRESSION_RATIO = 100
#: the ratio is only judged for parts larger than this uncompressed (small parts are harmless)
RATIO_FLOOR_BYTES = 10 * 2**20
#: parts in an XLSX archive (a workbook has a few dozen)
MAX_XLSX_PARTS = 10_000
#: strings in an XLSX shared-string table, counted or declared (uniqueCount)
MAX_SHARED_STRINGS = 2_000_000
#: columns of a table (the widest contract has 26)
MAX_COLUMNS = 500
#: cells of the grid a sheet spans, from A1 to its last row and column (190,000 rows of 26
#: columns cost calamine and pandas about 7 s and 400 MB)
MAX_CELLS = 5_000_000
#: characters of one cell: Excel itself holds at most 32,767 in a cell
MAX_CELL_CHARS = 32_767
#: characters of one of the lines searched for the header row
MAX_LINE_CHARS = 2**20


def megabytes(size: int) -> str:
    """A byte count for a message: ``"82 KB"`` below a megabyte, else ``"1.5 MB"``."""
    return f"{size / 2**10:,.0f} KB" if size < 2**20 else f"{size / 2**20:,.1f} MB"


def some(names: Sequence[object], limit: int = 10, total: int | None = None) -> str:
    """The first ``limit`` names, then how many more: ``"a, b, c … and 99,997 more"``
    (``total``: how many there are when ``names`` holds only the first ones)."""
    total = len(names) if total is None else total
    shown = ", ".join(str(n) for n in names[:limit])
    return shown + (f" … and {total - limit:,} more" if total > limit else "")


def column_letters(number: int) -> str:
    """Excel's name of a 1-based column number: 1 → ``A``, 27 → ``AA``, 16384 → ``XFD``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    """The 1-based number of an Excel column name: ``A`` → 1, ``XFD`` → 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
