"""Response-aware plan (应答率): households to draw = ceil(n / R)."""

from __future__ import annotations

import json

import pytest

from data_contracts.errors import RequestError
from sampling.plans import households_to_draw, zero_failure_plan


def test_zero_failure_plan_draws_166() -> None:
    """Issue 12 acceptance example: 2% threshold, d = 0, 95%: n = 149; 149/0.9 = 165.6 -> 166."""
    plan = zero_failure_plan(threshold=0.02, confidence=0.95, max_errors=0)
    assert plan.n == 149
    assert households_to_draw(plan.n, 0.9) == 166
    assert households_to_draw(90, 0.9) == 100  # exact quotient is not rounded up by float noise
    assert households_to_draw(149, 1.0) == 149


@pytest.mark.parametrize("rate", [0.0, 1.5, -0.1])
def test_bad_response_rate(rate: float) -> None:
    """R must lie in (0, 1]."""
    with pytest.raises(RequestError, match="response-rate"):
        households_to_draw(149, rate)


def test_cli_reports_draws_and_rejects_bad_rate(capsys: pytest.CaptureFixture[str]) -> None:
    """`plan --json` carries the draws; --response-rate 0 / 1.5 exit non-zero, no traceback."""
    from workbench.cli import main

    assert main(["plan", "--max-errors", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["n"], out["households_to_draw"], out["response_rate"]) == (149, 166, 0.9)
    for bad in ("0", "1.5"):
        code = main(["plan", "--max-errors", "0", "--response-rate", bad])
        err = capsys.readouterr().err
        assert code != 0 and "response-rate" in err and "Traceback" not in err
