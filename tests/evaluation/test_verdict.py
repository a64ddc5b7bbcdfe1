"""Every verdict branch, the official rule, Holm's step-down and the combined verdict."""

from __future__ import annotations

from dataclasses import replace

import pytest
from scipy import stats

from data_contracts.errors import ExitcheckError
from evaluation.advice import AdviceBasis
from evaluation.verdict import Thresholds, combine, failure_p_value, holm, judge


def below(est, low, high, n=200):
    basis = AdviceBasis(n, round(est * n), 2000, float(n), 1.0, 1.0, 0.02)
    return judge(
        "wrong_exit_rate", est, 0.01, (low, high), (low, high), 0.02, "below", n, advice=basis
    )


def at_least(est, low, high, n=200):
    return judge("approval_rate", est, 0.02, (low, high), (low, high), 0.90, "at_least", n)


@pytest.mark.parametrize(
    ("ind", "verdict", "official"),
    [
        (below(0.005, 0.001, 0.015), "credible", True),
        (below(0.010, 0.004, 0.030), "inconclusive", True),
        (below(0.030, 0.015, 0.050), "inconclusive", False),
        (below(0.060, 0.030, 0.090), "not_credible", False),
        (below(0.020, 0.020, 0.020), "not_credible", False),  # on the threshold fails "< 2%"
        (at_least(0.95, 0.91, 0.98), "credible", True),
        (at_least(0.92, 0.88, 0.95), "inconclusive", True),
        (at_least(0.80, 0.75, 0.85), "not_credible", False),
        (at_least(0.90, 0.90, 0.90), "credible", True),  # "≥ 90%" passes on the threshold
    ],
)
def test_branches(ind, verdict, official):
    assert ind.verdict == verdict
    assert ind.official_pass is official
    # a wrong-exit rate that is not certified carries the advice (kept for Holm's downgrade);
    # approval here has no advice basis
    advised = verdict != "credible" and ind.kind == "wrong_exit_rate"
    assert (ind.additional_n is not None) == advised


def test_failure_p_value_is_the_exact_binomial_tail():
    # Clopper–Pearson duality: the lower bound Beta⁻¹(1 − L; x, n − x + 1) reaches t exactly when
    # P(X ≥ x | n, t) ≤ 1 − L, so the p-value of "rate < t" is the binomial tail (closed form)
    n, x, t = 200, 9, 0.02
    p = failure_p_value(lambda lv: stats.beta.ppf(1 - lv, x, n - x + 1), t, "below")
    assert p == pytest.approx(stats.binom.sf(x - 1, n, t), abs=2e-7)
    assert failure_p_value(lambda lv: 0.01 - (lv - 0.5) / 100, t, "below") == 1.0
    # a rate that must reach 90%: the upper bound below 90% is the failing side
    q = failure_p_value(lambda lv: stats.beta.ppf(lv, 171, 30), 0.90, "at_least")
    assert q == pytest.approx(stats.binom.cdf(170, 200, 0.90), abs=2e-7)


def test_holm_step_down_closed_form():
    # Holm (1979) at α = 0.05 over m = 3: p = (0.01, 0.03, 0.04) rejects 0.01 ≤ 0.05/3 and stops
    # at 0.03 > 0.05/2; p = (0.01, 0.02, 0.04) rejects all three (0.0167, 0.025, 0.05)
    bad = below(0.06, 0.03, 0.09)
    first = [replace(bad, p_fail=p, village_id=str(p)) for p in (0.04, 0.01, 0.03)]
    out = holm(first, 0.05)
    assert [i.verdict for i in out] == ["inconclusive", "not_credible", "inconclusive"]
    assert out[0].additional_n is not None  # the downgraded one keeps its advice
    assert out[1].additional_n is None  # a failing one needs no "survey more"
    second = [replace(bad, p_fail=p, village_id=str(p)) for p in (0.04, 0.01, 0.02)]
    assert [i.verdict for i in holm(second, 0.05)] == ["not_credible"] * 3
    # a census indicator (no p-value) that fails is certain: p = 0, always rejected
    census = replace(bad, p_fail=None, kind="procedure_compliance")
    assert holm([census, *first], 0.05)[0].verdict == "not_credible"
    # a not-assessable indicator is no test and keeps the township from being credible
    unknown = replace(below(0.005, 0.001, 0.015), verdict="not_assessable")
    v = combine(holm([below(0.005, 0.001, 0.015), unknown], 0.05))
    assert v.statistical == "inconclusive" and v.not_assessable == (("wrong_exit_rate", None),)


def test_combine():
    good, open_, bad = below(0.005, 0.001, 0.015), below(0.01, 0.004, 0.03), below(0.06, 0.03, 0.09)
    assert combine([good, good]).statistical == "credible"
    v = combine([good, open_])
    assert v.statistical == "inconclusive" and v.inconclusive == (("wrong_exit_rate", None),)
    assert v.additional_n == open_.additional_n and not v.capped
    v = combine([good, open_, bad])
    assert v.statistical == "not_credible" and not v.official_pass
    assert v.official_failing == (("wrong_exit_rate", None),)
    assert v.to_dict()["failing"] == [["wrong_exit_rate", None]]
    with pytest.raises(ExitcheckError):
        combine([])


def test_thresholds_validated():
    assert Thresholds().wrong_exit == 0.02 and Thresholds().approval == 0.90
    with pytest.raises(ExitcheckError, match="wrong_exit"):
        Thresholds(wrong_exit=2)
    with pytest.raises(ExitcheckError, match="level"):
        Thresholds(level=0.3)


def test_to_dict_json_ready():
    d = below(0.005, 0.001, 0.015).to_dict()
    assert d["verdict"] == "credible" and d["threshold"] == 0.02
    assert "credible" in repr(below(0.005, 0.001, 0.015))


def village(low, high, assessable, village_id="V1"):
    return judge(
        "village_incidence", (low + high) / 2, 0.01, (low, high), (low, high), 0.02, "below", 12,
        village_id=village_id, assessable=assessable,
    )  # fmt: skip


def test_not_assessable_is_never_credible_nor_failing():
    # the bound rule alone would say credible / inconclusive: without evidence, not checked
    assert village(0.001, 0.015, assessable=False).verdict == "not_assessable"
    unchecked = village(0.004, 0.030, assessable=False)
    assert unchecked.verdict == "not_assessable" and unchecked.additional_n is None
    # the data show it failing (lower bound on the failing side): not credible all the same
    assert village(0.025, 0.06, assessable=False).verdict == "not_credible"
    assert village(0.001, 0.015, assessable=True).verdict == "credible"


def test_combine_treats_not_assessable_as_open():
    good, bad = below(0.005, 0.001, 0.015), below(0.06, 0.03, 0.09)
    unchecked = village(0.001, 0.015, assessable=False)
    v = combine([good, unchecked])
    assert v.statistical == "inconclusive" and v.failing == () and v.inconclusive == ()
    assert v.not_assessable == (("village_incidence", "V1"),)
    assert v.to_dict()["not_assessable"] == [["village_incidence", "V1"]]
    v = combine([good, unchecked, bad])
    assert v.statistical == "not_credible" and v.failing == (("wrong_exit_rate", None),)
    assert combine([good, good]).not_assessable == ()
