"""The Monte Carlo methodology review (方法评审): designs × sizes × true rates × CI methods.

For each design and sample size, R replications are drawn once (random keys, all at once) and
reused for every true rate of the grid (common random numbers: the wrong-exit sets are nested, so
OC curves are smooth) and for every scenario (``scenarios``: the same households are sampled).
Each replication is estimated in closed form (``estimator``), given an interval by every method
the assessment offers, bounded exactly as the assessment bounds a wrong-exit rate (``rules``:
the household count rule of ``evaluation.bounds``) and judged by the rule of
``evaluation.verdict`` (one-sided bounds at the verdict level against the threshold). The rule
studies of ``scenarios.RULE_STUDIES`` run in every scenario.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from data_contracts.errors import RequestError
from data_contracts.records import Finding, ReviewRecord
from evaluation.review.designs import Draws, draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.estimator import RatioEstimates
from evaluation.review.rules import CI_METHODS, mc_se, review_interval, review_verdicts
from evaluation.review.scenarios import MEASURES, RULE_STUDIES, Replications, outcome, scenarios
from evaluation.review.sensitivity import (
    measurement_error,
    nonresponse,
    sample_size_needed,
    size_needed,
)
from evaluation.review.summary import findings, to_record
from evaluation.review.township import DEFAULT_RATES, Township, TownshipSpec, synthetic_township
from evaluation.verdict import VERDICTS, Thresholds


@dataclass(frozen=True)
class ReviewConfig:
    """Everything the review depends on; recorded in review.json.

    ``size_risk_scenarios`` are the γ of the 错退集中在大户 scenarios run beside the configured
    township (``scenarios``: same households sampled, wrong exits planted with propensity ×
    m^γ); ``()`` runs the base township only.
    """

    reps: int = 1000
    seed: int = 20161
    rates: tuple[float, ...] = DEFAULT_RATES
    township: TownshipSpec = field(default_factory=TownshipSpec)
    size_risk_scenarios: tuple[float, ...] = (1.0, 2.0)
    stratified_sizes: tuple[int, ...] = (100, 150, 300)
    cluster_villages: tuple[int, ...] = (4, 6, 10)
    two_stage_sizes: tuple[tuple[int, int], ...] = ((10, 10), (10, 15), (15, 20))
    assumed_deff: tuple[tuple[str, float], ...] = (
        ("stratified", 1.0),
        ("cluster", 2.0),
        ("two-stage", 1.5),
    )
    default_design: tuple[str, str] = ("stratified", "n=150")
    default_method: str = "beta"
    good_rate: float = 0.005
    target_power: float = 0.80
    thresholds: Thresholds = field(default_factory=Thresholds)
    measurement_sd: tuple[float, ...] = (0.0, 0.05, 0.10, 0.20)
    response_rates: tuple[tuple[float, float], ...] = (
        (0.9, 0.9),
        (0.9, 0.8),
        (0.9, 0.7),
        (0.9, 0.5),
    )

    def check(self) -> None:
        """Refuse a configuration the review cannot run, naming the parameter."""
        if self.reps < 20:
            raise RequestError(
                "--reps must be at least 20 (Monte Carlo error is too large below); "
                f"got {self.reps}"
            )
        if self.default_method not in CI_METHODS:
            raise RequestError(
                f"default CI method must be one of {CI_METHODS}; got {self.default_method!r}"
            )
        if self.good_rate not in self.rates or self.thresholds.wrong_exit not in self.rates:
            raise RequestError(
                f"the true-rate grid must contain the good rate {self.good_rate} and the "
                f"threshold {self.thresholds.wrong_exit}; got {list(self.rates)}"
            )
        self.township.check()
        for gamma in self.size_risk_scenarios:
            replace(self.township, size_risk=float(gamma)).check()


def draw_all(township: Township, config: ReviewConfig, rng: np.random.Generator) -> Iterator[Draws]:
    """Every design × size of the configuration, R replications each, one at a time (memory)."""
    for n in config.stratified_sizes:
        yield draw_stratified(township, n, config.reps, rng)
    for m in config.cluster_villages:
        yield draw_cluster(township, m, config.reps, rng)
    for m, k in config.two_stage_sizes:
        yield draw_two_stage(township, m, k, config.reps, rng)


def evaluate(
    est: RatioEstimates, truth: np.ndarray, config: ReviewConfig, labels: dict
) -> tuple[list[dict], list[dict]]:
    """Coverage rows and OC rows for one (R × K) set of estimates against the K true values."""
    reps = est.estimate.shape[0]
    level, threshold = config.thresholds.level, config.thresholds.wrong_exit
    coverage, oc = [], []
    official = (est.estimate < threshold).mean(axis=0)
    for method in CI_METHODS:
        lo, hi = review_interval(method, est, level)
        below, above = (hi < truth).mean(axis=0), (lo > truth).mean(axis=0)
        cov = 1 - below - above
        codes = review_verdicts(method, est, level, threshold)
        for k, rate in enumerate(config.rates):
            base = {**labels, "rate": float(rate), "true_rate": float(truth[k]), "method": method}
            coverage.append(
                base
                | {
                    "coverage": float(cov[k]),
                    "mc_se": float(mc_se(cov[k], reps)),
                    "interval_below_truth": float(below[k]),  # the rate is understated
                    "interval_above_truth": float(above[k]),
                    "mean_width": float(np.nanmean(hi[:, k] - lo[:, k])),
                }
            )
            probs = np.bincount(codes[:, k], minlength=3) / reps
            oc.append(
                base
                | {f"p_{v}": float(p) for v, p in zip(VERDICTS, probs, strict=True)}
                | {
                    "p_official_pass": float(official[k]),
                    "mc_se_credible": float(mc_se(probs[0], reps)),
                    "mc_se_official": float(mc_se(official[k], reps)),
                }
            )
    return coverage, oc


def accuracy(
    est: RatioEstimates,
    truth: np.ndarray,
    srs_var: Callable[[float], np.ndarray],
    labels: dict,
    rates: tuple[float, ...],
) -> list[dict]:
    """Bias, RMSE, SE calibration and realised design effect per true rate."""
    reps = est.estimate.shape[0]
    err = est.estimate - truth
    sd = est.estimate.std(axis=0, ddof=1)
    mean_n = est.n.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        deff = sd**2 / srs_var(mean_n)
        se_ratio = np.sqrt((est.se**2).mean(axis=0)) / sd
    return [
        {
            **labels,
            "rate": float(rate),
            "true_rate": float(truth[k]),
            "mean_n": float(mean_n),
            "bias": float(err[:, k].mean()),
            "bias_mc_se": float(sd[k] / np.sqrt(reps)),
            "rmse": float(np.sqrt((err[:, k] ** 2).mean())),
            "empirical_se": float(sd[k]),
            "se_ratio": _num(se_ratio[k]),
            "deff": _num(deff[k]),
        }
        for k, rate in enumerate(rates)
    ]


def _num(value: float) -> float | None:
    """JSON-safe float (NaN → None)."""
    return None if not np.isfinite(value) else float(value)


def srs_variance(township: Township, persons: bool) -> Callable[[float], np.ndarray]:
    """Variance of the rate under SRS of n households (closed form, finite population), per rate."""
    y = (township.wrong_persons() if persons else township.wrong).astype(float)
    x = township.size.astype(float) if persons else np.ones(township.n_households)
    big_n = township.n_households
    z = (y - (y.sum(0) / x.sum()) * x[:, None]) / x.mean()
    s2 = z.var(axis=0, ddof=1)
    return lambda n: (1 - n / big_n) * s2 / n


@dataclass(frozen=True, repr=False)
class ReviewResult:
    """Tables of the review (each a DataFrame) plus the configuration and timings."""

    config: ReviewConfig
    township: Township
    tables: dict[str, pd.DataFrame]
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        """The coverage table (design, size, rate, method → coverage with MC error)."""
        return self.tables["coverage"]

    def findings(self) -> list[Finding]:
        """Coded findings for the report: where a method under-covers, and the risks."""
        return findings(self)

    def to_record(self) -> ReviewRecord:
        """review.json: parameters, truth, every table as a list of rows, coded findings."""
        return to_record(self)

    def __repr__(self) -> str:
        cov = self.tables["coverage"]
        return (
            f"ReviewResult({self.config.reps} reps × {cov['design_size'].nunique()} designs × "
            f"{len(self.config.rates)} rates, {self.seconds:.1f} s; "
            f"{len(self.findings())} findings)"
        )


def run_review(
    config: ReviewConfig | None = None, progress: Callable[[str], None] | None = None
) -> ReviewResult:
    """Run the whole simulation study; ``progress`` receives one line per step."""
    config = config or ReviewConfig()
    config.check()
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    township = synthetic_township(config.township, config.rates, config.seed)
    rng = np.random.default_rng(config.seed)
    srs = {m: srs_variance(township, m == "persons") for m in MEASURES}
    worlds = scenarios(township, config)
    coverage, oc, acc = [], [], []
    studied: dict[str, list[dict]] = {name: [] for name in RULE_STUDIES}
    default = None
    for d in draw_all(township, config, rng):
        say(f"{d.design} {d.size_label}: {d.replications} replications")
        reps = Replications(d)
        for measure in MEASURES:
            est = reps.estimates(township, measure)
            truth = outcome(township, measure)[2]
            labels = {
                "design": d.design,
                "size": d.size_label,
                "design_size": f"{d.design} {d.size_label}",
                "measure": measure,
            }
            c, o = evaluate(est, truth, config, labels)
            coverage += c
            oc += o
            acc += accuracy(est, truth, srs[measure], labels, config.rates)
        for name, study in RULE_STUDIES.items():
            for world in worlds:
                studied[name] += study(world, reps, config)
        if (d.design, d.size_label) == config.default_design:
            default = d
    if default is None:
        raise RequestError(
            f"default design {config.default_design} is not among the simulated designs"
        )
    tables = {
        "coverage": pd.DataFrame(coverage),
        "oc": pd.DataFrame(oc),
        "accuracy": pd.DataFrame(acc),
    } | {name: pd.DataFrame(rows) for name, rows in studied.items()}
    say("sensitivity: measurement error and non-response")
    tables["measurement_error"] = measurement_error(township, default, config, rng)
    tables["nonresponse"] = nonresponse(township, default, config, rng)
    say("sample size needed by the verdict rule")
    tables["size_needed"] = size_needed(worlds, config)
    tables["sample_size"] = sample_size_needed(tables, config)
    return ReviewResult(config, township, tables, time.perf_counter() - started)
