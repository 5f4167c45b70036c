"""Regenerate the configuration table of docs/operations.md from the Settings classes."""

from __future__ import annotations

from pathlib import Path

from corridor.ops.settings_doc import replace_table

PAGE = Path(__file__).resolve().parents[1] / "docs" / "operations.md"

if __name__ == "__main__":
    PAGE.write_text(replace_table(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {PAGE}")
