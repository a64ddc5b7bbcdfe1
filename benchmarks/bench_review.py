"""Benchmark: replications per second of draw + estimate on a 1,500-household township.

Three ways to get the design-based wrong-exit rate (错退率, persons) and its SE per replication:
1. the review's vectorised engine (all replications at once; ``evaluation.review``);
2. ``evaluation.SurveyDesign`` on each replication's sample table (one Python call per replication);
3. ``svy`` (Rust-backed survey library), only if importable — it is a benchmark extra, never a
   dependency: ``pip install svy`` in a separate environment or ``--svy-path DIR`` (a ``pip install
   --target DIR svy`` folder).

Run from the repository root: ``python benchmarks/bench_review.py [--reps 1000] [--loop-reps 50]``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from evaluation import design_from_sample
from evaluation.review.designs import draw_cluster, draw_stratified, draw_two_stage
from evaluation.review.estimator import ratio_estimates
from evaluation.review.township import synthetic_township

DESIGNS = {
    "stratified n=150": lambda t, r, g: draw_stratified(t, 150, r, g),
    "cluster m=6": lambda t, r, g: draw_cluster(t, 6, r, g),
    "two-stage m=10×k=15": lambda t, r, g: draw_two_stage(t, 10, 15, r, g),
}
RATE = 4  # the 2 % township


def vectorised(township, name: str, reps: int, repeat: int = 3) -> float:
    """Best replications/second of draw + estimate for all ``reps`` at once."""
    y = township.wrong_persons()[:, RATE].astype(float)
    x = township.size.astype(float)
    best = np.inf
    for i in range(repeat):
        start = time.perf_counter()
        d = DESIGNS[name](township, reps, np.random.default_rng(i))
        ratio_estimates(d.weights, y, x, d.layout)
        best = min(best, time.perf_counter() - start)
    return reps / best


def per_replication_samples(township, name: str, reps: int):
    """Sample tables of ``reps`` replications (drawing is not timed for the loop methods)."""
    d = DESIGNS[name](township, reps, np.random.default_rng(0))
    frames = []
    for rep in range(reps):
        f = d.sample_frame(township, rep)
        f["y"] = township.wrong_persons()[f["household_id"], RATE].astype(float)
        frames.append(f)
    return d.design, frames


def surveydesign_loop(design: str, frames) -> float:
    """Replications/second of SurveyDesign ratio estimation, one replication per call."""
    start = time.perf_counter()
    for f in frames:
        design_from_sample(f, {"design": design}).ratio("y", "household_size")
    return len(frames) / (time.perf_counter() - start)


def svy_loop(design: str, frames) -> tuple[float, float] | None:
    """Replications/second with ``svy`` and its largest SE difference from SurveyDesign
    (None when svy is not installed). πps strata (NaN fpc) are declared with replacement."""
    try:
        import polars as pl
        import svy
    except ImportError:
        return None
    finite = all(f["fpc_stage1"].notna().all() for f in frames)
    start = time.perf_counter()
    ses = []
    for f in frames:
        data = pl.from_pandas(f[["stratum", "psu", "weight", "fpc_stage1", "y", "household_size"]])
        spec = {"pop_size": "fpc_stage1"} if finite else {"wr": True}
        sample = svy.Sample(data, svy.Design(stratum="stratum", psu="psu", wgt="weight", **spec))
        est = sample.estimation.ratio(y="y", x="household_size")
        ses.append(est.to_dicts()[0]["se"])
    rate = len(frames) / (time.perf_counter() - start)
    ours = [
        design_from_sample(f, {"design": design}).ratio("y", "household_size").se for f in frames
    ]
    return rate, float(np.max(np.abs(np.subtract(ses, ours))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reps", type=int, default=1000, help="replications for the vectorised engine"
    )
    parser.add_argument("--loop-reps", type=int, default=50, help="replications for per-call loops")
    parser.add_argument("--svy-path", default=None, help="folder with svy installed (pip --target)")
    args = parser.parse_args(argv)
    if args.svy_path:
        sys.path.append(args.svy_path)
    township = synthetic_township()
    print(f"township: {township.n_households} households, {township.size.sum()} persons")
    print(
        f"{'design':<22}{'vectorised':>14}{'SurveyDesign':>14}{'svy':>14}"
        "   (replications per second)"
    )
    for name in DESIGNS:
        fast = vectorised(township, name, args.reps)
        design, frames = per_replication_samples(township, name, args.loop_reps)
        loop = surveydesign_loop(design, frames)
        other = svy_loop(design, frames)
        svy_text = "not installed" if other is None else f"{other[0]:,.0f}"
        note = "" if other is None else f"   max |SE svy − SurveyDesign| = {other[1]:.1e}"
        print(f"{name:<22}{fast:>14,.0f}{loop:>14,.0f}{svy_text:>14}{note}")


if __name__ == "__main__":
    main()
