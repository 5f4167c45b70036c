"""The atheris harnesses run: every target executes its seed corpus and some mutations under libFuzzer.

This proves the harnesses (fuzz/harness.py) and the corpus builder work, in CI, in a few seconds; the
long runs that look for crashes are `python scripts/fuzz.py --seconds N` (docs/fuzzing.md).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.build_corpus import build
from fuzz.targets import TARGETS

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "fuzz" / "harness.py"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("atheris") is None,
    reason="atheris is not installed (it has wheels for Linux x86_64 only; `pip install -e '.[dev]'`)",
)


def _fuzz(args: list[str], tmp_path: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(HARNESS), *args, "-seed=1", f"-artifact_prefix={tmp_path}/", "-rss_limit_mb=2048"],
        capture_output=True,
        text=True,
        errors="replace",
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not list(tmp_path.glob("crash-*")), proc.stderr[-3000:]
    return proc.stderr


def test_every_target_runs_its_seeds_and_mutations_under_libfuzzer(tmp_path: Path, shared_data: Path) -> None:
    counts = build(tmp_path / "corpus", shared_data, ["all"])
    out = _fuzz(["all", "-runs=600", str(tmp_path / "corpus" / "all")], tmp_path)
    assert "Done 600 runs" in out
    # libFuzzer read every seed file (each target's seeds behind its selector byte).
    assert f"{counts['all']} files found" in out
    assert counts["all"] >= len(TARGETS)


def test_one_target_harness(tmp_path: Path, shared_data: Path) -> None:
    build(tmp_path / "corpus", shared_data, ["cuscar"])
    out = _fuzz(["cuscar", "-runs=200", str(tmp_path / "corpus" / "cuscar")], tmp_path)
    assert "Done 200 runs" in out
