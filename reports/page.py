"""The report page (报告页面): blocks assembled into one self-contained, printable HTML file.

Every report is a sequence of :class:`~reports.blocks.HtmlBlock` built from records. The same
blocks are what the report notebook displays cell by cell (the Jupyter path) and what
:func:`page` joins into a file in-process (the command-line path), so both show the same report.
The page needs no network: the stylesheet (``reports/assets/report.css``, CJK fonts, A4 print
layout) is inlined and figures are inline SVG with their text kept as text.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from matplotlib.figure import Figure

from data_contracts.messages import check_lang
from reports.blocks import HtmlBlock

HTML_LANG = {"zh": "zh-CN", "en": "en"}


@cache
def asset(name: str) -> str:
    """A text file shipped in ``reports/assets`` (package data, also in a wheel)."""
    return resources.files("reports").joinpath(f"assets/{name}").read_text(encoding="utf-8")


def figure(fig: Figure) -> HtmlBlock:
    """A matplotlib figure as an inline SVG block (labels stay text: the page's CJK fonts draw
    them); the figure is closed."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and doctype
    fig.clf()
    return HtmlBlock(f'<figure class="chart">{svg}</figure>')


def page_title(body: str, fallback: str) -> str:
    """The text of the first ``<h1>`` in ``body``, else ``fallback``."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.S)
    if not match:
        return fallback
    text = re.sub(r"<[^>]+>", "", match.group(1)).replace("¶", "").strip()
    return html.unescape(text) or fallback


def page_html(body: str, lang: str, fallback_title: str = "") -> str:
    """A complete HTML document around ``body`` (already-escaped report HTML)."""
    check_lang(lang)
    title = page_title(body, fallback_title)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{HTML_LANG[lang]}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{asset('report.css')}</style>\n</head>\n"
        f'<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )


def page(blocks: Iterable[str], lang: str, fallback_title: str = "") -> str:
    """The report page of ``blocks`` (each an escaped HTML block)."""
    return page_html("\n".join(str(b) for b in blocks if b), lang, fallback_title)
