"""Report building blocks (报告组件): headings, paragraphs, boxes, tables; every value escaped.

Each block is an :class:`HtmlBlock` (a ``str`` that Jupyter displays as HTML), so a notebook cell
that evaluates to one shows it. Text from the catalogue is escaped like data: nothing from a
record or a table can become live markup in a report. Tables are rendered through
:func:`table`, the one place a DataFrame becomes HTML (no index column, missing values as a
dash, every cell escaped, text left-aligned and numbers right-aligned).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

from data_contracts.messages import text
from reports.formatting import DASH, level_pct, missing


class HtmlBlock(str):
    """A piece of HTML that Jupyter displays as HTML (and prints as its source elsewhere)."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(value: Any) -> str:
    """``value`` as inert HTML text (``<``, ``>``, ``&`` and quotes escaped; missing → dash)."""
    return html.escape(DASH if missing(value) else str(value), quote=True)


def column_header(topic: str, key: str, lang: str, level: float | None = None) -> str:
    """A table header ``<topic>.col.<key>``; one that names the level says it (0.99 → 99%)."""
    if level is None:
        return text(f"{topic}.col.{key}", lang)
    return text(f"{topic}.col.{key}", lang, level=level_pct(level))


def title(key: str, lang: str, /, **params: Any) -> HtmlBlock:
    """The report's ``<h1>`` from catalogue entry ``key``."""
    return HtmlBlock(f"<h1>{esc(text(key, lang, **params))}</h1>")


def heading(key: str, lang: str, /, **params: Any) -> HtmlBlock:
    """A section heading (``<h2>``) from catalogue entry ``key``."""
    return HtmlBlock(f"<h2>{esc(text(key, lang, **params))}</h2>")


def subheading(key: str, lang: str, /, **params: Any) -> HtmlBlock:
    """A sub-heading (``<h3>``) above a table or figure."""
    return HtmlBlock(f"<h3>{esc(text(key, lang, **params))}</h3>")


def paragraph(key: str, lang: str, /, **params: Any) -> HtmlBlock:
    """A paragraph from catalogue entry ``key`` (parameters escaped with the text)."""
    return HtmlBlock(f"<p>{esc(text(key, lang, **params))}</p>")


def paragraphs(texts: Iterable[str]) -> HtmlBlock:
    """Several already-worded paragraphs (escaped)."""
    return HtmlBlock("".join(f"<p>{esc(t)}</p>" for t in texts))


def bullets(texts: Iterable[str]) -> HtmlBlock:
    """A bulleted list of already-worded items (escaped)."""
    items = "".join(f"<li>{esc(t)}</li>" for t in texts)
    return HtmlBlock(f"<ul>{items}</ul>")


def box(inner: str, css_class: str = "verdict") -> HtmlBlock:
    """A boxed block around already-built (escaped) HTML."""
    return HtmlBlock(f'<div class="{esc(css_class)}">{inner}</div>')


def table(frame: pd.DataFrame, numeric: Iterable[str] = ()) -> HtmlBlock:
    """A DataFrame as an HTML table: header and every cell escaped, no index, missing as a dash.

    Columns named in ``numeric`` are right-aligned; all others (text) left-aligned. Cells should
    already be formatted for readers (:mod:`reports.formatting`).
    """
    right = set(numeric)
    head = "".join(
        f'<th class="{"num" if c in right else "txt"}">{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    # one iteration per row of a report table (tens of rows), never per household
    for values in frame.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{"num" if c in right else "txt"}">{esc(v)}</td>'
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    body = "".join(rows)
    head_row = f"<thead><tr>{head}</tr></thead>"
    return HtmlBlock(f'<table class="report">{head_row}<tbody>{body}</tbody></table>')
