"""Regenerate the shipped demo inputs in ``data_contracts/demo_data/`` from the generator.

Run after changing the demo generator: ``python scripts/make_demo_data.py``. The test
``tests/demo/test_files.py`` fails until the shipped files match a fresh generation.
"""

from __future__ import annotations

from data_contracts.demo import DEFAULT_SEED, demo_input_paths, write_demo_inputs


def main() -> None:
    """Overwrite the shipped copies with a fresh generation from the default seed."""
    folder = next(iter(demo_input_paths().values())).parent
    written = write_demo_inputs(folder, seed=DEFAULT_SEED, regenerate=True, overwrite=True)
    for kind, path in written.items():
        print(f"{kind:14} {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
