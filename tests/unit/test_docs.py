"""The generated docs match the code (run `python scripts/build_docs.py` after changing either)."""

from __future__ import annotations

import json
from pathlib import Path

from corridor.api.schemas import consignment_json_schema
from corridor.ingest.tabular import COLUMN_NAMES

ROOT = Path(__file__).resolve().parents[2]


def test_published_json_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "schemas" / "consignment.schema.json").read_text(encoding="utf-8"))
    assert published == consignment_json_schema()


def test_csv_layout_doc_lists_every_column() -> None:
    text = (ROOT / "docs" / "formats" / "csv.md").read_text(encoding="utf-8")
    missing = [name for name in COLUMN_NAMES if f"`{name}`" not in text]
    assert missing == []
