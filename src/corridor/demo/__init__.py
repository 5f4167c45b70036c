"""Synthetic pre-arrival cargo data for the Caspian corridors: demos, tests and model training.

`generate` streams realistic consignments (with a small set of planted high-risk ones whose ground
truth is known); `write_file` writes them in Corridor's CSV, JSON, JSON Lines or CUSCAR layouts.
See docs/demo-data.md for the world it models and the planted scenarios.
"""

from corridor.demo.generator import PLANTED_SCENARIOS, generate
from corridor.demo.writers import write_csv, write_file, write_json

__all__ = ["PLANTED_SCENARIOS", "generate", "write_csv", "write_file", "write_json"]
