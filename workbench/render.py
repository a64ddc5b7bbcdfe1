"""Render an executed report notebook as one self-contained, printable Chinese HTML page.

nbconvert's ``basic`` template gives the cell bodies with input code and prompts hidden; we wrap
them in our own page (``<html lang="zh-CN">``, the stylesheet from ``reports/assets/report.css``
with CJK fonts and an A4 print layout) so the file needs no network: figures are inline SVG or
data-URI images and there are no external scripts or stylesheets.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from data_contracts.errors import RequestError
from data_contracts.fileio import atomic_write_text
from reports.page import page_html


def _drop_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove warning/log streams (stderr) so readers see only the report content."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
    return nb


@cache
def _exporter() -> HTMLExporter:
    """One exporter per process: its Jinja templates are compiled once, not per report."""
    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def notebook_to_html(nb: nbformat.NotebookNode, lang: str = "zh", title: str = "") -> str:
    """The report page for an executed notebook: code hidden, CSS inlined, ``lang`` set."""
    body, _ = _exporter().from_notebook_node(_drop_stderr(nb))
    return page_html(body, lang, title or "report")


def render_html(
    executed: str | os.PathLike[str], html_path: str | os.PathLike[str], lang: str = "zh"
) -> Path:
    """Render the executed notebook to ``html_path`` atomically; never overwrites."""
    target = Path(html_path)
    if target.exists():
        raise RequestError(f"{target} already exists; refusing to overwrite it.")
    nb = nbformat.read(str(executed), as_version=4)
    return atomic_write_text(target, notebook_to_html(nb, lang=lang, title=target.stem))
