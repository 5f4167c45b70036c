"""Regenerate the generated parts of the docs (the CSV layout table and the JSON Schema)."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.api.schemas import consignment_json_schema
from corridor.ingest.tabular import COLUMNS, HEADER_ONLY

ROOT = Path(__file__).resolve().parents[1]

INTRO = """# CSV and Excel: the default column layout

`corridor ingest FILE.csv` (or `.xlsx`) reads this layout. The first row is the header; column
names are matched case-insensitively, with spaces or dashes read as underscores, and columns in
any order. Unknown columns are ignored. Delimiter (`,` `;` tab `|`) and encoding (UTF-8, with or
without BOM, else Windows-1251) are detected; decimal commas (`1 250,5`) are read.

**One row is one goods item.** Consecutive rows with the same `document_number` form one
consignment: the *header* columns are read from its first row, the *item* columns from every row.

A file in another layout is read with a column mapping, a JSON object from your column names to
these names: `corridor ingest manifest.csv --mapping mapping.json` with
`{"B/L No": "document_number", "Vessel": "conveyance_name", "HS": "hs_code"}`.

Rejections name the row (or rows) and field: `row 4: gross_kg — not a number: 'ten'`. Warnings
(unknown UN/LOCODE or HS code, failed container check digit, repeated seal ...) are kept on the
record. Re-ingesting a file is a no-op; changed content for a known document is an amendment.

| column | level | meaning |
|---|---|---|
"""


def main() -> None:
    rows = [f"| `{name}` | {'header' if name in HEADER_ONLY else 'item'} | {meaning} |" for name, meaning in COLUMNS]
    (ROOT / "docs" / "formats" / "csv.md").write_text(INTRO + "\n".join(rows) + "\n", encoding="utf-8")
    schema_path = ROOT / "docs" / "schemas" / "consignment.schema.json"
    schema_path.parent.mkdir(parents=True, exist_ok=True)
    schema_path.write_text(json.dumps(consignment_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
