"""Benchmark (not a test): ``exitcheck allocate``'s computation for the demo district (issue 12:
≤ 2 s), as a ratio against a floor measured in the same run: one exact hypergeometric
acceptance plan on the district's 12,581 households (``sampling.plans.acceptance_plan``), the
smallest search the allocation cannot avoid.

Run: ``/work/venv/bin/python benchmarks/bench_allocate.py [--runs 3]``. Prints the median times
and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from data_contracts.demo import DEFAULT_SEED, generate_district
from sampling.district_plan import allocate_district
from sampling.plans import acceptance_plan


def _median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = generate_district(DEFAULT_SEED).households.groupby("township").size()
    floor = _median_seconds(
        lambda: acceptance_plan(0.02, 0.005, 0.2, 0.05, population=int(sizes.sum())), args.runs
    )
    allocate = _median_seconds(lambda: allocate_district(sizes), args.runs)
    print(f"floor (one district acceptance plan): {floor:.3f} s")
    ratio = allocate / floor
    print(f"allocate ({len(sizes)} townships): {allocate:.3f} s = {ratio:.1f}× floor")


if __name__ == "__main__":
    main()
