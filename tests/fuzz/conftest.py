"""Registers the fuzz tests' Hypothesis profiles early, so `--hypothesis-profile=long` can name them."""

from tests.fuzz import profiles  # noqa: F401
