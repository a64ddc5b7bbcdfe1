"""Names carrying markup stay inert in every report a browser opens (issue 17, done-when 1).

Village names in the registry export are replaced by HTML and Markdown payloads that, if a
browser ran them, would mark the page (``<body data-pwned="…">``) or add an element. The
township is sampled, assessed and summarised with the real commands; headless Chromium loads
each report (sampling, township, district; Chinese and English) and its DOM after load must
show no mark, no injected element and no ``javascript:`` link.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import TOWNSHIP, sample_argv, write_table

from data_contracts.demo import simulate_survey
from workbench.cli import main
from workbench.township_run import TownshipRun

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]
PAYLOADS = (
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">村",
    "<script>document.body.setAttribute('data-pwned','script')</script>村",
    "[点此核对](javascript:document.body.setAttribute('data-pwned','md'))",
    "<svg onload=\"document.body.setAttribute('data-pwned','svg')\"></svg>村",
    "<b id=injected>粗体村</b>",
)


def _dom(html: Path) -> str:
    """The page's DOM after load, as headless Chromium serialises it."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         "--virtual-time-budget=2000", html.as_uri()],
        capture_output=True, text=True, timeout=90, check=True,
    )  # fmt: skip
    return done.stdout


def test_markup_in_names_executes_nothing(district, tmp_path: Path) -> None:
    villages = district.villages.copy()
    ids = villages.index[villages["township"].eq(TOWNSHIP)][: len(PAYLOADS)]
    villages.loc[ids, "village"] = list(PAYLOADS)
    names = villages.set_index("village_id")["village"]
    households = district.households.copy()
    households["village"] = households["village_id"].map(names).fillna(households["village"])
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = {
        "households": write_table("households", households, folder / "households.csv"),
        "villages": write_table("villages", villages, folder / "villages.csv"),
        "poverty-lines": write_table("poverty-lines", district.poverty_lines,
                                     folder / "poverty-lines.csv"),
    }  # fmt: skip
    run = tmp_path / "run"
    assert main(sample_argv(inputs, run)) == 0
    drawn = TownshipRun.open(run).design_info["created"][:10]
    returns = simulate_survey(TownshipRun.open(run).sample, district, seed=3, sample_date=drawn)
    survey = write_table("survey", returns, tmp_path / "survey.csv")
    assert main(["assess", str(run), "--survey", str(survey), "--accept-warnings"]) == 0
    assert main(["district", str(run), "--out", str(tmp_path / "district")]) == 0
    version = run / "assessments" / "v001"
    for folder in (run, version, tmp_path / "district"):
        assert main(["report", str(folder), "--lang", "en"]) == 0
    pages = [*run.glob("sampling_report*.html"), *version.glob("report*.html"),
             *(tmp_path / "district").glob("district_report*.html")]  # fmt: skip
    assert len(pages) == 6
    shown = 0
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "<script" not in source and not re.search(r"href=[\"']?javascript:", source), page
        dom = _dom(page)
        assert "data-pwned=" not in dom.split("<body", 1)[1].split(">", 1)[0], page
        assert 'id="injected"' not in dom and '<img src="x"' not in dom, page
        shown += "&lt;b id=injected&gt;粗体村&lt;/b&gt;" in dom  # shown as text, inert
    assert shown >= 3  # the sampled villages appear by name in several reports
