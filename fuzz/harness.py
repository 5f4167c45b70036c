"""Coverage-guided fuzzing of one Corridor parser with atheris (libFuzzer for Python).

    python fuzz/harness.py TARGET [libFuzzer options] [CORPUS_DIR ...]
    python fuzz/harness.py cuscar -max_total_time=60 fuzz/corpus/cuscar
    python fuzz/harness.py all -runs=2000        # every target, chosen by the input's first byte

TARGET is one of fuzz/targets.py's TARGETS or `all`. The parser modules (and the libraries they
drive: pyais, defusedxml, openpyxl, the csv and json stdlib wrappers) are imported under atheris'
instrumentation, so libFuzzer sees which branches an input reaches. A crash is an exception that
escapes the target: libFuzzer writes the input to `crash-<sha1>` (see -artifact_prefix).
`fuzz/build_corpus.py` seeds the corpus directories from the shared samples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

INSTRUMENTED = ["corridor", "fuzz", "pyais", "defusedxml", "openpyxl", "csv", "json"]


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1].startswith("-"):
        raise SystemExit(__doc__)
    name = argv[1]
    with atheris.instrument_imports(include=INSTRUMENTED):
        from fuzz.seeds import seeds
        from fuzz.targets import TARGETS

        names = sorted(TARGETS) if name == "all" else [name]
        if any(n not in TARGETS for n in names):
            raise SystemExit(f"unknown target {name!r}; targets: all, {', '.join(sorted(TARGETS))}")
        # Run every seed once inside the block, so the modules the targets import lazily are
        # imported (and instrumented) now.
        for target in names:
            for _seed_name, data in seeds(target)[:3]:
                TARGETS[target].run(data)

    runs = [TARGETS[n].run for n in names]
    if len(runs) == 1:
        one = runs[0]

        def test_one(data: bytes) -> None:
            one(data)

        entry = test_one
    else:

        def test_any(data: bytes) -> None:
            if data:
                runs[data[0] % len(runs)](data[1:])

        entry = test_any
    atheris.Setup([argv[0], *argv[2:]], entry)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
