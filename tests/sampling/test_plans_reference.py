"""Plans against the base-R brute-force reference in tests/sampling/reference/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sampling.plans import acceptance_plan, cochran_sample_size, zero_failure_plan

REFERENCE = pd.read_csv(Path(__file__).parent / "reference" / "plans_reference.csv")

CASES = {
    "wrong_exit_default": lambda: acceptance_plan(0.02, 0.005, 0.10, 0.05),
    "wrong_exit_N2000": lambda: acceptance_plan(0.02, 0.005, 0.10, 0.05, population=2000),
    "wrong_exit_N800": lambda: acceptance_plan(0.02, 0.005, 0.10, 0.05, population=800),
    "lqas_80_50": lambda: acceptance_plan(0.5, 0.2, 0.10, 0.10),
    "coverage_strict": lambda: acceptance_plan(0.05, 0.01, 0.05, 0.05),
    "zero_failure_2pct_95": lambda: zero_failure_plan(0.02, 0.95),
    "one_failure_2pct_95": lambda: zero_failure_plan(0.02, 0.95, max_errors=1),
    "zero_failure_2pct_95_N1000": lambda: zero_failure_plan(0.02, 0.95, population=1000),
    "cochran_5pct": lambda: cochran_sample_size(0.05, 0.95, 0.5),
    "cochran_5pct_N1000": lambda: cochran_sample_size(0.05, 0.95, 0.5, population=1000),
    "cochran_3pct_deff2_N5000": lambda: cochran_sample_size(0.03, 0.90, 0.3, 5000, deff=2),
}


@pytest.mark.parametrize("case", REFERENCE["case"].tolist())
def test_plan_matches_r_reference(case: str) -> None:
    ref = REFERENCE.set_index("case").loc[case]
    plan = CASES[case]()
    assert plan.n == ref["n"]
    if pd.notna(ref["d"]):
        assert plan.d == ref["d"]
        assert plan.beta_achieved == pytest.approx(ref["beta"], rel=1e-9)
    if pd.notna(ref["alpha"]):
        assert plan.alpha_achieved == pytest.approx(ref["alpha"], rel=1e-9)
