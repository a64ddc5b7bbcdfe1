"""``exitcheck plan`` prints the plan; ``--json`` gives one object with n, d and achieved risks."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main


def test_plan_json_keys_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "plan",
        "--threshold",
        "0.02",
        "--good-rate",
        "0.005",
        "--alpha",
        "0.1",
        "--beta",
        "0.05",
    ]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["n"], out["d"]) == (456, 4)
    assert out["alpha_achieved"] == pytest.approx(0.0809, abs=1e-4)
    assert out["beta_achieved"] == pytest.approx(0.0494, abs=1e-4)
    assert out["threshold"] == 0.02 and out["good_rate"] == 0.005 and out["population"] is None


def test_plan_zero_failure_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--max-errors", "0", "--confidence", "0.95", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["n"], out["d"], out["confidence"], out["max_errors"]) == (149, 0, 0.95, 0)


def test_plan_text_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--good-rate", "0.005", "--deff", "2"]) == 0
    text = capsys.readouterr().out
    assert "n = 912" in text and "d = 8" in text
    assert main(["plan", "--good-rate", "0.05"]) == 2
    assert "below the threshold" in capsys.readouterr().err


def test_plan_for_persons_with_the_size_factor(capsys: pytest.CaptureFixture[str]) -> None:
    # the person rate's zero-error bound counts n·s equivalent households of N·s
    # (evaluation.bounds); brute force over n with the hypergeometric P(none | ⌈0.02·N·s⌉)
    from scipy import stats

    argv = ["plan", "--max-errors", "0", "--population", "1151", "--size-factor", "0.83"]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    pop = 1151 * 0.83

    def none_found(n: int) -> float:
        big, sample = round(pop), int(n * 0.83)
        return stats.hypergeom.pmf(0, big, -(-2 * big // 100), sample)

    assert out["n"] == 160
    assert none_found(160) <= 0.05 < none_found(159)
    assert out["beta_achieved"] == pytest.approx(0.0495, abs=2e-3)
    assert main(["plan", "--good-rate", "0.005", "--size-factor", "0.8"]) == 2
    assert "zero-error plan" in capsys.readouterr().err
