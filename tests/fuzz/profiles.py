"""Hypothesis settings for the fuzz tests.

`fuzz` (the default) runs a bounded, derandomized number of examples so `make test` stays short and
gives the same result on every run; `long` is for fuzzing sessions:
`CORRIDOR_FUZZ_PROFILE=long pytest tests/fuzz` (or `pytest tests/fuzz --hypothesis-profile=long`).
The chosen profile is applied to these tests only (`FUZZ` decorates each of them), never loaded
globally, so other Hypothesis users in the same session (the API contract tests) keep their settings;
Hypothesis' own `ci` profile (chosen automatically when CI is set) does not override it either.
There is no deadline: tests never depend on wall-clock time; hangs are caught by the atheris runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.large_base_example]  # fmt: skip

settings.register_profile(
    "fuzz", max_examples=int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "25")), derandomize=True,
    deadline=None, database=None, suppress_health_check=_QUIET, print_blob=True,
)  # fmt: skip
settings.register_profile(
    "long", max_examples=int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "2000")), derandomize=False,
    deadline=None, database=None, suppress_health_check=_QUIET, print_blob=True,
)  # fmt: skip


def fuzz_settings() -> settings:
    """The settings for every @given test in tests/fuzz. Call it when a test module is imported, after
    pytest has applied --hypothesis-profile (this module is imported earlier, by the conftest)."""
    chosen = os.environ.get("CORRIDOR_FUZZ_PROFILE")
    if chosen:
        return settings.get_profile(chosen)
    current = settings.get_current_profile_name()
    # A profile named with --hypothesis-profile wins; the automatic ones do not.
    return settings.get_profile(current if current not in ("default", "ci") else "fuzz")
