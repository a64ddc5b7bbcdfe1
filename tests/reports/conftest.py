"""Shared, session-scoped executed reports: kernel starts are slow, so each runs once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.columns import spec
from data_contracts.demo import generate_district, simulate_survey
from data_contracts.demo.files import csv_bytes
from sampling.frame import build_frame
from sampling.stratified import stratified_sample
from workbench.commands.assess import assess
from workbench.runner import run_notebook

FIXTURES = Path(__file__).parent / "fixtures"
TOWNSHIP = "城关街道"


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


def make_township_run(folder: Path, township: str, n: int, seed: int) -> tuple[Path, pd.DataFrame]:
    """A township run folder as `exitcheck sample` leaves it, built from the demo district.

    The registry copies hold only this township's rows (CSV), which keeps the notebook's input
    loading fast. Returns the folder and the demo district's simulated survey returns.
    """
    district = generate_district()
    households = district.households.loc[district.households["township"] == township]
    villages = district.villages.loc[district.villages["township"] == township]
    frame = build_frame(households, villages, district.poverty_lines, township)
    sample = stratified_sample(frame, n, seed=seed, reserves=2)
    (folder / "inputs").mkdir(parents=True)
    sample.units.to_parquet(folder / "sample.parquet")
    design = {**sample.design, "created": "2020-05-30T08:00:00+00:00"}
    (folder / "design.json").write_text(json.dumps(design, ensure_ascii=False), encoding="utf-8")
    (folder / "inputs" / "households.csv").write_bytes(csv_bytes(households, spec("households")))
    (folder / "inputs" / "villages.csv").write_bytes(csv_bytes(villages, spec("villages")))
    return folder, simulate_survey(sample.units, district, seed=seed)


def write_survey(survey: pd.DataFrame, path: Path) -> Path:
    """Survey returns as the field teams hand them in (CSV, Chinese headers)."""
    path.write_bytes(csv_bytes(survey, spec("survey")))
    return path


@pytest.fixture(scope="session")
def assessed_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run assessed twice: v001 from the full returns, v002 after edits and one lost return.

    Records v001's file bytes right after it was written, to prove v002 leaves it intact.
    """
    base = tmp_path_factory.mktemp("assess")
    run, survey = make_township_run(base / "run", TOWNSHIP, n=30, seed=11)
    first = write_survey(survey, base / "survey_v1.csv")
    assess(run, first)
    v001 = run / "assessments" / "v001"
    before = {p: p.read_bytes() for p in v001.rglob("*") if p.is_file()}
    completed = survey.index[survey["visit_status"].eq("completed")]
    edited = survey.copy()
    edited.loc[completed[:3], "verified_housing_secure"] = False  # three more wrong exits
    edited = edited.drop(index=completed[-1])  # one return lost: needs --accept-warnings
    second = write_survey(edited, base / "survey_v2.csv")
    assess(run, second, accept_warnings=True, lang="zh")
    return {"run": run, "v001_bytes": before, "survey_v1": first, "survey_v2": second}
