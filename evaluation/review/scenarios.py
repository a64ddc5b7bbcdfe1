"""Scenarios of the review and the rule studies simulated in each (情景与判定规则模拟).

A *scenario* is a variant of the configured township that changes only how the wrong exits are
planted, so the designs' draws of the base township serve every scenario (common random
numbers: the same households are sampled in every scenario). Today: ``base`` (the configured
township) and ``large_households`` (错退集中在大户: wrong-exit propensity × m^γ for each γ of
``ReviewConfig.size_risk_scenarios``).

A *rule study* simulates one verdict rule in a scenario: a function (scenario, replications,
config) → rows of the table named by its key in :data:`RULE_STUDIES`. ``verdict_oc`` is the
township wrong-exit verdict (错退率, by persons) of the default interval method; a family-wise
or a village rule is added as one more entry, and its table then lands in ``review.json``.
Rule studies take their estimates from :class:`Replications`, which computes each (township,
measure) once per design and size and shares it with the main evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from evaluation.review.designs import Draws
from evaluation.review.estimator import RatioEstimates, ratio_estimates
from evaluation.review.rules import mc_se, review_verdicts
from evaluation.review.township import Township, synthetic_township
from evaluation.verdict import VERDICTS

SCENARIOS = ("base", "large_households")
"""Scenario codes (worded by the catalogue's ``review.scenario.*``)."""

MEASURES = ("persons", "households")
"""错退率 by persons (wrong-exit persons ÷ exited persons, the official rate) and by households."""


@dataclass(frozen=True)
class Scenario:
    """One scenario: its code and its township (same villages, bands and sizes as the base)."""

    code: str
    township: Township

    @property
    def size_risk(self) -> float:
        """γ of the scenario's township (wrong-exit propensity × m^γ)."""
        return float(self.township.spec.size_risk)


def scenarios(base: Township, config) -> list[Scenario]:
    """The base township, then one ``large_households`` township per γ of the configuration,
    planted at the same true rates with the same seed (γ draws no random numbers)."""
    out = [Scenario("base", base)]
    for gamma in config.size_risk_scenarios:
        spec = replace(base.spec, size_risk=float(gamma))
        out.append(Scenario("large_households", synthetic_township(spec, base.rates, base.seed)))
    return out


def outcome(township: Township, measure: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(y (K × N), x (N,), true rates (K,), size factor) of a wrong-exit rate by ``measure``."""
    if measure == "persons":
        y, x = township.wrong_persons().T, township.size
        return y.astype(float), x.astype(float), township.true_rate, township.size_factor
    ones = np.ones(township.n_households)
    return township.wrong.T.astype(float), ones, township.true_rate_households, 1.0


@dataclass(frozen=True)
class Replications:
    """One design and size's R drawn samples and their estimates in any scenario township
    (computed once per township and measure, then shared)."""

    draws: Draws
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def estimates(self, township: Township, measure: str) -> RatioEstimates:
        """The (R × K) estimates of the wrong-exit rate by ``measure`` at every true rate."""
        key = (township.spec, township.seed, measure)
        if key not in self._cache:
            y, x, _truth, factor = outcome(township, measure)
            self._cache[key] = ratio_estimates(self.draws.weights, y, x, self.draws.layout, factor)
        return self._cache[key]


def verdict_oc(scenario: Scenario, reps: Replications, config) -> list[dict]:
    """P(credible / inconclusive / not credible) of the persons rate by the default method for
    every true rate, with the Monte Carlo SE of each and the mean wrong households found."""
    town, d = scenario.township, reps.draws
    est = reps.estimates(town, "persons")
    method, t = config.default_method, config.thresholds
    codes = review_verdicts(method, est, t.level, t.wrong_exit)
    rows = []
    for k, rate in enumerate(town.rates):
        probs = np.bincount(codes[:, k], minlength=len(VERDICTS)) / d.replications
        rows.append(
            {
                "scenario": scenario.code,
                "size_risk": scenario.size_risk,
                "design": d.design,
                "size": d.size_label,
                "design_size": f"{d.design} {d.size_label}",
                "method": method,
                "rate": float(rate),
                "true_rate": float(town.true_rate[k]),
                "true_rate_households": float(town.true_rate_households[k]),
                "mean_wrong_households": float(est.events[:, k].mean()),
            }
            | {f"p_{v}": float(p) for v, p in zip(VERDICTS, probs, strict=True)}
            | {
                f"mc_se_{v}": float(mc_se(p, d.replications))
                for v, p in zip(VERDICTS, probs, strict=True)
            }
        )
    return rows


RuleStudy = Callable[[Scenario, Replications, object], list[dict]]

RULE_STUDIES: dict[str, RuleStudy] = {"verdict_oc": verdict_oc}
"""Rule studies run in every scenario for every design and size: table name → study."""
