"""Shared, session-scoped executed reports: kernel starts are slow, so each runs once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from data_contracts import load
from data_contracts.columns import spec
from data_contracts.demo.files import csv_bytes
from workbench.commands.assess import assess
from workbench.pipeline import DemoResult, run_demo
from workbench.runner import run_notebook

FIXTURES = Path(__file__).parent / "fixtures"
TOWNSHIP = "松林乡"  # planted: short public notices (procedure compliance)
# planted: 白马镇 inflated incomes (wrong exits), 龙泉乡 a key village above 2% incidence
DEMO_TOWNSHIPS = ("白马镇", TOWNSHIP, "龙泉乡")


@pytest.fixture(scope="session")
def tiny_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture notebook rendered in Chinese and English, both run at the same time.

    Running them concurrently also exercises the kernel start-up path that papermill users hit
    with port clashes.
    """
    base = tmp_path_factory.mktemp("tiny")
    jobs = {
        "zh": ({"title": "脱贫退出评估测试"}, "zh"),
        "en": ({"title": "Exit assessment test", "count": 3}, "en"),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            key: pool.submit(
                run_notebook,
                "tiny_report",
                params,
                base / key,
                "report.html",
                lang,
                notebook_dir=FIXTURES,
            )
            for key, (params, lang) in jobs.items()
        }
        return {key: fut.result() for key, fut in futures.items()}


def write_survey(survey: pd.DataFrame, path: Path) -> Path:
    """Survey returns as the field teams hand them in (CSV, Chinese headers)."""
    path.write_bytes(csv_bytes(survey, spec("survey")))
    return path


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The demo pipeline on the three townships with planted problems, two at a time."""
    return run_demo(tmp_path_factory.mktemp("demo") / "out", 2, n=50, townships=DEMO_TOWNSHIPS)


@pytest.fixture(scope="session")
def assessed_run(demo: DemoResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo run assessed again (v002) after edits and one lost return.

    Records v001's file bytes first, to prove v002 leaves it intact.
    """
    base = tmp_path_factory.mktemp("assess")
    run = next(t.run_dir for t in demo.townships if t.township == TOWNSHIP)
    v001 = run / "assessments" / "v001"
    before = {p: p.read_bytes() for p in v001.rglob("*") if p.is_file()}
    first = run.parent.parent / "survey" / f"{TOWNSHIP}.csv"
    survey = load("survey", first).frame
    completed = survey.index[survey["visit_status"].eq("completed")]
    edited = survey.copy()
    edited.loc[completed[:3], "verified_housing_secure"] = False  # three more wrong exits
    edited = edited.drop(index=completed[-1])  # one return lost: needs --accept-warnings
    second = write_survey(edited, base / "survey_v2.csv")
    assess(run, second, accept_warnings=True, lang="zh")
    return {"run": run, "v001_bytes": before, "survey_v1": first, "survey_v2": second}
