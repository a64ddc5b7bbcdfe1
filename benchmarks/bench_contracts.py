"""Benchmark: load and validate the demo households export (XLSX) and a 200,000-row GB18030 CSV.

Run: ``python benchmarks/bench_contracts.py``. Prints wall time per load (not a test).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from data_contracts import load
from data_contracts.columns import spec
from data_contracts.demo import demo_input_paths, generate_district


def _timed(label: str, kind: str, path: Path) -> None:
    start = time.perf_counter()
    table = load(kind, path)
    print(f"{label:<40} {len(table.frame):>8} rows  {time.perf_counter() - start:6.2f} s")


def main() -> None:
    """Time the shipped XLSX and a large synthetic CSV built from the demo generator."""
    _timed("demo households.xlsx (calamine)", "households", demo_input_paths()["households"])
    households = generate_district().households
    big = pd.concat([households] * 16, ignore_index=True)
    big["household_id"] = [f"B{i:08d}" for i in range(len(big))]
    headers = {c.name: c.header for c in spec("households")}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "households.csv"
        path.write_bytes(big.rename(columns=headers).to_csv(index=False).encode("gb18030"))
        _timed(f"{len(big):,}-row GB18030 CSV", "households", path)


if __name__ == "__main__":
    main()
