"""Every verdict branch, the official rule, the combined verdict and the suggested sample size."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from data_contracts.errors import ExitcheckError
from evaluation.verdict import Thresholds, additional_sample_size, combine, judge


def below(est, low, high, n=200):
    return judge("wrong_exit_rate", est, 0.01, (low, high), (low, high), 0.02, "below", n)


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
    assert (ind.additional_n is not None) == (verdict == "inconclusive")


def test_additional_sample_closed_form():
    # SRS (deff = 1): n_total = (z_.95 sqrt(t(1-t)) + z_.8 sqrt(p(1-p)))^2 / (p-t)^2
    p, t, n = 0.01, 0.02, 100
    se = math.sqrt(p * (1 - p) / n)
    za, zb = stats.norm.ppf(0.95), stats.norm.ppf(0.8)
    total = (za * math.sqrt(t * (1 - t)) + zb * math.sqrt(p * (1 - p))) ** 2 / (p - t) ** 2
    assert additional_sample_size(p, se, n, t) == math.ceil(total - n)
    # a design effect of 2 doubles the total
    assert additional_sample_size(p, se * math.sqrt(2), n, t) == math.ceil(2 * total - n)
    assert additional_sample_size(t, se, n, t) is None
    # zero observed events: deff 1, still a finite answer
    assert additional_sample_size(0.0, 0.0, 50, t) == math.ceil(
        (za * math.sqrt(t * (1 - t))) ** 2 / t**2 - 50
    )


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
