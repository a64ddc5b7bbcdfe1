"""Shared, session-scoped executed reports: kernel starts are slow, so each runs once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from workbench.runner import run_notebook

FIXTURES = Path(__file__).parent / "fixtures"


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
