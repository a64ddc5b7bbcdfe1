"""Write the two-stage case of test_rates_reference.py as units.csv for make_reference.R.

Run from the repository root: ``python tests/evaluation/reference_rates/make_units.py``, then
``Rscript tests/evaluation/reference_rates/make_reference.R``. The analysis columns written here
(wrong, approves, incomes, person weights) come from the workbench; R recomputes every estimate.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assessment_fixtures import two_stage_case  # noqa: E402

from evaluation.classify import classify_exits, resolve_units  # noqa: E402
from evaluation.rates import Designs  # noqa: E402

if __name__ == "__main__":
    sample, survey, info = two_stage_case()
    units = classify_exits(resolve_units(sample, survey))
    data = Designs.build(units, info).households.data
    cols = [
        "stratum",
        "psu",
        "household_id",
        "village_id",
        "weight",
        "fpc_stage1",
        "fpc_stage2",
        "responded",
        "size_for_weight",
        "wrong",
        "wrong_worst_case",
        "approves",
        "income_difference",
        "surveyed_total",
        "reported_total",
    ]
    data[cols].to_csv(HERE / "units.csv", index=False)
