"""District allocation (issue 12, "District allocation"): interviews over townships that
(a) certify the district below 2% with power 0.8 at 0.5% and (b) find a 5% township not
credible with probability ≥ 0.9 — checked against scipy's hypergeometric distribution, the
verdict's own lower bound (evaluation.bounds.count_bounds) and the acceptance plan.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy import stats

from data_contracts.demo import demo_input_paths
from evaluation.bounds import count_bounds
from sampling.district_plan import (
    DistrictGoals,
    allocate_district,
    detect_sizes,
    effective_size,
)
from sampling.plans import acceptance_plan
from workbench.cli import main

POPULATIONS = np.array([120, 510, 1151, 2021])


@pytest.fixture(scope="module")
def detected() -> tuple[np.ndarray, np.ndarray]:
    return detect_sizes(POPULATIONS, DistrictGoals())


def test_detect_size_is_the_smallest_with_the_power(detected) -> None:
    """At n: P(X ≥ c | ⌊5%·N⌋) ≥ 0.9 with c the smallest count whose P(X ≥ c | ⌈2%·N⌉) ≤ 5%
    (scipy.stats.hypergeom, recomputed here); at n − 1 the power falls short."""
    sizes, crit = detected
    assert sizes.tolist() == [96, 216, 272, 275]  # values of this exact search (pinned)
    for pop, n, c in zip(POPULATIONS, sizes, crit, strict=True):
        d0, d1 = int(np.ceil(0.02 * pop - 1e-9)), int(np.floor(0.05 * pop))
        assert stats.hypergeom.sf(c - 1, pop, d0, n) <= 0.05 < stats.hypergeom.sf(c - 2, pop, d0, n)
        assert stats.hypergeom.sf(c - 1, pop, d1, n) >= 0.9
        c_before = stats.hypergeom.isf(0.05, pop, d0, n - 1) + 1
        assert stats.hypergeom.sf(c_before - 1, pop, d1, n - 1) < 0.9


def test_the_verdicts_lower_bound_fails_the_township_exactly_at_the_critical_count(
    detected,
) -> None:
    """An SRS of n with c wrong exits has the verdict's one-sided 95% lower bound above 2%, and
    with c − 1 below: the planned detection power is the verdict's (evaluation.bounds)."""
    for pop, n, c in zip(POPULATIONS, *detected, strict=True):
        lows = []
        for x in (c - 1, c):
            p, f = x / n, n / pop
            se = np.sqrt(p * (1 - p) / (n - 1) * (1 - f))
            low, _ = count_bounds(p, se, n - 1, n, f, x, n - 1, 0.95)
            lows.append(float(low))
        assert lows[0] < 0.02 < lows[1], (pop, n, c, lows)


def test_allocation_meets_both_goals_on_the_demo_district() -> None:
    from data_contracts.demo import DEFAULT_SEED, generate_district

    sizes = generate_district(DEFAULT_SEED).households.groupby("township").size()
    plan = allocate_district(sizes)
    t = plan.to_frame()
    shares = t["households"] / t["households"].sum()
    assert (t["allocated"] >= t["detect_n"]).all() and (t["allocated"] <= t["households"]).all()
    assert effective_size(shares.to_numpy(), t["allocated"].to_numpy()) >= plan.district_effective
    # the district's own need is the acceptance plan on its 12,581 households
    assert plan.district_effective == acceptance_plan(0.02, 0.005, 0.2, 0.05, population=12581).n
    own = [acceptance_plan(0.02, 0.005, 0.2, 0.05, population=int(n)).n for n in t["households"]]
    assert t["own"].tolist() == own
    assert (t["allocated_draws"] == np.ceil(t["allocated"] / 0.9 - 1e-9)).all()
    assert plan.total == 3008 and plan.total_own == 3082  # pinned: this search on the demo
    assert "3008 interviews" in repr(plan)


def test_when_the_district_goal_binds_the_allocation_is_proportional_and_minimal() -> None:
    """With a lax detection goal the district's need decides: n_t = ⌈λ·W_t⌉ with λ ≤ n_D, so
    the total is at most n_D plus one per township (rounding), and the effective size ≥ n_D."""
    pops = pd.Series([4000, 3000, 2000, 1000, 500], index=list("ABCDE"))
    goals = DistrictGoals(detect_rate=0.5, detect_power=0.5)
    plan = allocate_district(pops, goals)
    t = plan.to_frame()
    assert (t["allocated"] > t["detect_n"]).any()
    assert plan.achieved_effective >= plan.district_effective
    assert plan.total <= plan.district_effective + len(pops)
    ratios = t["allocated"] / t["households"]
    assert ratios.max() - ratios.min() < 0.01  # proportional up to rounding


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"power": 1.5}, "power"),
        ({"good_rate": 0.03}, "good rate"),
        ({"response_rate": 0}, "response rate"),
    ],
)
def test_bad_goals_are_refused(kwargs, word) -> None:
    from data_contracts.errors import RequestError

    with pytest.raises(RequestError, match=word):
        DistrictGoals(**kwargs)


def test_allocate_command_writes_json_and_xlsx_once(tmp_path, capsys) -> None:
    households = str(demo_input_paths()["households"])
    out = tmp_path / "alloc"
    assert main(["allocate", "--households", households, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "3,008" in printed and "白马镇" in printed
    record = json.loads((out / "allocation.json").read_text(encoding="utf-8"))
    assert record["total"] == 3008 and len(record["townships"]) == 12
    sheet = load_workbook(out / "allocation.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "乡镇（街道）" and len(rows) == 13
    assert sum(r[4] for r in rows[1:]) == 3008
    before = (out / "allocation.json").read_bytes()
    assert main(["allocate", "--households", households, "--out", str(out)]) == 2
    assert (out / "allocation.json").read_bytes() == before
    assert "exist already" in capsys.readouterr().err


def test_sample_takes_its_n_from_the_district_plan(tmp_path, capsys) -> None:
    """`exitcheck sample --district-plan allocation.json` draws the township's allocated n
    (216 for 东城街道, pinned above) and records the file's SHA-256 in design.json."""
    import hashlib

    paths = {k: str(v) for k, v in demo_input_paths().items()}
    out = tmp_path / "alloc"
    assert main(["allocate", "--households", paths["households"], "--out", str(out)]) == 0
    plan = out / "allocation.json"
    base = ["sample", "--households", paths["households"], "--villages", paths["villages"],
            "--design", "stratified", "--seed", "7", "--district-plan", str(plan)]  # fmt: skip
    assert main([*base, "--township", "东城街道", "--out", str(tmp_path / "run")]) == 0
    design = json.loads((tmp_path / "run" / "design.json").read_text(encoding="utf-8"))
    assert design["parameters"]["n"] == 216
    assert (
        design["parameters"]["district_plan_sha256"]
        == hashlib.sha256(plan.read_bytes()).hexdigest()
    )
    capsys.readouterr()
    assert main([*base, "--township", "无此镇", "--out", str(tmp_path / "r2")]) == 1
    assert "无此镇" in capsys.readouterr().err and not (tmp_path / "r2").exists()
    assert main([*base, "--township", "东城街道", "--n", "5", "--out", str(tmp_path / "r3")]) == 2
    assert "leave out --n" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    bad = [
        *base[:-1],
        str(tmp_path / "bad.json"),
        "--township",
        "东城街道",
        "--out",
        str(tmp_path / "r4"),
    ]
    assert main(bad) == 1
    assert "not an allocation.json" in capsys.readouterr().err
