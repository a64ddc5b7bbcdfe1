"""Benchmark (not a test): frame building plus a stratified and a two-stage draw on a synthetic
province-scale frame of 3,000,000 exited households (target ≤ 10 s and ≤ 3 GB peak memory).

Run: ``/work/venv/bin/python benchmarks/bench_sampling.py [--households 3000000]``.
Prints the time of each step and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from sampling.frame import build_frame
from sampling.stratified import stratified_sample
from sampling.two_stage import two_stage_sample


def synthetic_tables(households: int, villages: int, seed: int = 1):
    """Households, villages and poverty lines of one province-scale 'township' frame."""
    rng = np.random.default_rng(seed)
    vid = np.char.add("V", np.arange(villages).astype(str))
    village_of = rng.integers(0, villages, households)
    ids = np.char.add("H", np.arange(households).astype(str))
    table = pd.DataFrame(
        {
            "household_id": pd.array(ids, dtype="str"),
            "township": pd.array(np.full(households, "全省"), dtype="str"),
            "village_id": pd.array(vid[village_of], dtype="str"),
            "village": pd.array(vid[village_of], dtype="str"),
            "head_name": pd.array(np.full(households, "张三"), dtype="str"),
            "head_id_number": pd.array(np.full(households, "371302199001011234"), dtype="str"),
            "phone": pd.array(np.full(households, "13800000000"), dtype="str"),
            "household_size": rng.integers(1, 7, households),
            "income_per_capita": rng.uniform(2500, 9000, households),
            "exit_year": rng.choice([2016, 2017, 2018], households),
        }
    )
    village_table = pd.DataFrame(
        {"village_id": vid, "township": "全省", "village": vid}, dtype="str"
    )
    lines = pd.DataFrame(
        {"year": [2016, 2017, 2018], "line": [2952.0, 3041.0, 3129.0], "kind": "national"}
    )
    return table, village_table, lines


def main() -> None:
    """Time each step and report peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=3_000_000)
    parser.add_argument("--villages", type=int, default=6_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tables = synthetic_tables(args.households, args.villages)
    t1 = time.perf_counter()
    frame = build_frame(*tables, "全省")
    t2 = time.perf_counter()
    strat = stratified_sample(frame, 20_000, seed=1, strata="risk", reserves=50)
    t3 = time.perf_counter()
    two = two_stage_sample(frame, 300, 20, seed=1, reserves=5)
    t4 = time.perf_counter()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # ru_maxrss in KiB
    print(f"synthetic data ({args.households:,} households): {t1 - t0:6.2f} s (not counted)")
    print(f"frame building:            {t2 - t1:6.2f} s  {frame!r}")
    print(f"stratified (risk) draw:    {t3 - t2:6.2f} s  {strat!r}")
    print(f"two-stage draw:            {t4 - t3:6.2f} s  {two!r}")
    print(f"total (frame + draws):     {t4 - t1:6.2f} s")
    print(f"peak resident memory:      {peak_gb:6.2f} GB")


if __name__ == "__main__":
    main()
