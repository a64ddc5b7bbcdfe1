"""Headless Chromium draws the report's Chinese text as real glyphs, not tofu boxes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]

TITLE = "松林乡脱贫退出第三方评估报告（v001）"  # the demo township report's <h1>
TOFU = "\ue000" * len(TITLE)  # private-use code points: drawn as missing-glyph boxes


def _screenshot(html: Path, png: Path) -> np.ndarray:
    """Render ``html`` headless at 1000x400 and return the grey image (0 = black, 1 = white)."""
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            f"--screenshot={png}",
            "--window-size=1000,400",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return imread(png)[..., :3].mean(axis=2)


def test_chinese_title_is_drawn_with_real_glyphs(assessed_run: dict, tmp_path: Path) -> None:
    report = assessed_run["run"] / "assessments" / "v001" / "report.html"
    page = report.read_text(encoding="utf-8")
    assert f"<h1>{TITLE}</h1>" in page
    tofu_page = tmp_path / "tofu.html"
    tofu_page.write_text(page.replace(f">{TITLE}<", f">{TOFU}<"), encoding="utf-8")
    real = _screenshot(report, tmp_path / "real.png")
    tofu = _screenshot(tofu_page, tmp_path / "tofu.png")
    title_band = slice(20, 110)  # the <h1> sits at the top of the page
    ink_real = (real[title_band] < 0.5).mean()
    assert ink_real > 0.005, "the page rendered no title text at all"
    # Tofu boxes and CJK glyphs differ clearly in shape; identical pixels would mean the
    # browser had no CJK font and drew the Chinese as missing-glyph boxes too.
    differing = (np.abs(real[title_band] - tofu[title_band]) > 0.3).mean()
    assert differing > 0.01
    assert (real[150:] < 0.5).mean() > 0.001, "the body below the title is blank"
