"""Write the JSON Schema of every output record to docs/schemas/ (run after changing a record).

``tests/records/test_records.py`` fails when a committed schema differs from the generated one.
"""

from __future__ import annotations

import json
from pathlib import Path

from data_contracts.records import json_schemas

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def schema_text(schema: dict) -> str:
    """The committed form of a schema: sorted keys, two-space indent, Chinese kept readable."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    """(Re)write docs/schemas/<file>.schema.json for every record."""
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        target = SCHEMA_DIR / f"{name.removesuffix('.json')}.schema.json"
        target.write_text(schema_text(schema), encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main()
