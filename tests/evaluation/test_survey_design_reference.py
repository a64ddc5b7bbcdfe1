"""SurveyDesign against R's survey package (numbers from tests/reference/make_reference.R)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation import SurveyDesign

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
RTOL = 1e-6
QUANTITIES = ("estimate", "se", "ci_low", "ci_high", "df", "n", "deff")


def load_reference(path: Path = REFERENCE / "survey_reference.json") -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")


@cache
def design(name: str) -> SurveyDesign:
    spec = load_reference()["designs"][name]
    args = dict(spec["args"])
    if isinstance(args.get("fpc"), list):
        args["fpc"] = tuple(args["fpc"])
    return SurveyDesign(dataset(spec["data"]), lonely_psu=spec["lonely_psu"], **args)


def compute(record: dict) -> dict:
    """Our numbers for one reference record, as a dict of QUANTITIES."""
    d = design(record["design"])
    stat, var, method = record["statistic"], record["variable"], record["method"]
    if record["domain"] is None:
        if stat == "proportion":
            est = d.proportion(var, method=method)
        elif stat == "ratio":
            est = d.ratio(var, record["denominator"])
        else:
            est = getattr(d, stat)(var)
        frame = est.to_frame()
    else:
        by = d.by("township")
        if stat == "proportion":
            frame = by.proportion(var, method=method)
        elif stat == "ratio":
            frame = by.ratio(var, record["denominator"])
        else:
            frame = getattr(by, stat)(var)
        frame = frame[frame["township"] == record["domain"]]
        assert len(frame) == 1
    return {q: float(frame[q].iloc[0]) for q in QUANTITIES}


def record_id(record: dict) -> str:
    domain = record["domain"] or "all"
    parts = (record["design"], domain, record["statistic"], record["variable"], record["method"])
    return "-".join(parts)


RECORDS = load_reference()["records"]


@pytest.mark.parametrize("record", RECORDS, ids=[record_id(r) for r in RECORDS])
def test_matches_r(record: dict) -> None:
    ours = compute(record)
    expected = record["values"]
    edge = record["statistic"] == "proportion" and expected["estimate"] in (0.0, 1.0)
    for quantity in QUANTITIES:
        if edge and quantity in ("ci_low", "ci_high", "deff"):
            continue  # R gives NaN or a non-converged glm at 0/1 events; see test_intervals.py
        want = expected.get(quantity)
        if want is None:  # R's NA
            assert math.isnan(ours[quantity]), quantity
            continue
        want = clipped(record, quantity, want)
        assert ours[quantity] == pytest.approx(want, rel=RTOL, abs=1e-12), quantity


def clipped(record: dict, quantity: str, want: float) -> float:
    """R's "mean" and "asin" limits clipped to [0, 1] as ours are (see evaluation.intervals)."""
    method, values = record["method"], record["values"]
    if quantity not in ("ci_low", "ci_high") or method not in ("mean", "asin"):
        return want
    if method == "mean":
        return min(max(want, 0.0), 1.0)
    p, se = values["estimate"], values["se"]
    half = stats.t.ppf(0.975, values["df"]) * se / (2 * math.sqrt(p * (1 - p)))
    centre = math.asin(math.sqrt(p))
    if quantity == "ci_low" and centre - half < 0:
        return 0.0
    if quantity == "ci_high" and centre + half > math.pi / 2:
        return 1.0
    return want


def test_reference_covers_every_design_and_method() -> None:
    records = pd.DataFrame(RECORDS)
    assert set(records["design"]) == {
        "stratified",
        "stratified_weights",
        "cluster",
        "twostage",
        "wr_cluster",
        "lonely_certainty",
        "lonely_adjust",
        "twostage_lonely_certainty",
        "twostage_lonely_adjust",
        "mixed",
    }
    assert set(records["method"]) == {"t", "beta", "logit", "xlogit", "asin", "mean"}
    assert records["domain"].notna().sum() > 100
    zero_events = records[(records["variable"] == "zero") & (records["method"] == "beta")]
    assert len(zero_events) >= 8


def test_lonely_designs_differ() -> None:
    """certainty and adjust differ on the lonely data, so the reference tells them apart."""
    for prefix in ("lonely", "twostage_lonely"):
        certainty = design(f"{prefix}_certainty").mean("income").se
        adjust = design(f"{prefix}_adjust").mean("income").se
        assert adjust > certainty * (1 + 1e-5), prefix


@pytest.mark.r_reference
@pytest.mark.skipif(
    shutil.which("Rscript") is None or not os.environ.get("EXITCHECK_RUN_R"),
    reason="re-running R (~15-40 s) needs Rscript and EXITCHECK_RUN_R=1",
)
def test_r_script_reproduces_committed_numbers(tmp_path: Path) -> None:
    """Re-run the R script in a scratch copy and compare with the committed reference."""
    scratch = tmp_path / "tests" / "reference"
    scratch.mkdir(parents=True)
    shutil.copy(REFERENCE / "make_reference.R", scratch)
    check = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
        capture_output=True,
    )
    if check.returncode != 0:
        pytest.skip("R package survey is not installed")
    script = ["Rscript", "tests/reference/make_reference.R"]
    subprocess.run(script, cwd=tmp_path, check=True, capture_output=True)
    fresh, committed = load_reference(scratch / "survey_reference.json"), load_reference()
    assert len(fresh["records"]) == len(committed["records"])
    for a, b in zip(fresh["records"], committed["records"], strict=True):
        for key, value in b["values"].items():
            fresh_value = a["values"][key]
            same = fresh_value is value or np.isclose(fresh_value, value, rtol=1e-12)
            assert same, (record_id(b), key)
    for name in committed["designs"]:
        data = committed["designs"][name]["data"]
        pd.testing.assert_frame_equal(pd.read_csv(scratch / "data" / f"{data}.csv"), dataset(data))
