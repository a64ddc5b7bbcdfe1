"""Rendered HTML: code hidden, self-contained, Chinese lang, print CSS, written once."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from data_contracts.errors import ExitcheckError
from workbench.render import notebook_to_html, render_html

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def zh_html(tiny_reports: dict[str, Path]) -> str:
    return tiny_reports["zh"].read_text(encoding="utf-8")


def test_lang_and_title(zh_html: str, tiny_reports: dict[str, Path]) -> None:
    assert '<html lang="zh-CN">' in zh_html
    assert "<title>脱贫退出评估测试</title>" in zh_html
    en = tiny_reports["en"].read_text(encoding="utf-8")
    assert '<html lang="en">' in en
    assert "<title>Exit assessment test</title>" in en


def test_no_code_no_prompts_no_stderr(zh_html: str) -> None:
    assert "use_report_style" not in zh_html
    assert "import pandas" not in zh_html
    assert "input_area" not in zh_html and "jp-InputArea" not in zh_html
    assert not re.search(r"(In|Out)\s*\[\d+\]", zh_html)
    assert "warning text" not in zh_html


def test_self_contained_with_embedded_figure(zh_html: str) -> None:
    assert not re.search(r"""(src|href)=["']https?://""", zh_html)
    assert "<script" not in zh_html
    assert "data:image/svg+xml;base64," in zh_html
    assert "兰山镇" in zh_html  # table content


def test_print_stylesheet_and_cjk_fonts(zh_html: str) -> None:
    assert "@page { size: A4" in zh_html
    assert "h2 { break-before: page; }" in zh_html
    assert '"Noto Sans CJK SC"' in zh_html


def test_render_refuses_to_overwrite(tiny_reports: dict[str, Path], tmp_path: Path) -> None:
    executed = tiny_reports["zh"].parent / "tiny_report.ipynb"
    out = render_html(executed, tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(ExitcheckError, match="refusing to overwrite"):
        render_html(executed, out)


def test_title_falls_back_without_heading() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("正文 <b>x</b>")])
    page = notebook_to_html(nb, lang="zh", title="备用标题")
    assert "<title>备用标题</title>" in page
