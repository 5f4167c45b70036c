"""Write the seed corpus of every fuzz target to fuzz/corpus/<target>/ (git-ignored).

    python fuzz/build_corpus.py [--shared-data DIR] [--out fuzz/corpus] [TARGET ...]

Seeds are the shared samples (read at run time from CORRIDOR_SHARED_DATA or ../shared/data, cut to
fuzz-sized pieces; several are GPL, LGPL or CC BY-NC and must not be committed) and inputs generated
by Corridor's own writers. Each seed file is named after its content hash, as libFuzzer names its own.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.seeds import seeds, shared_data_dir  # noqa: E402
from fuzz.targets import TARGETS  # noqa: E402

HERE = Path(__file__).resolve().parent


def all_seeds(shared: Path) -> list[tuple[str, bytes]]:
    """Seeds of the `all` harness: each target's seeds behind the byte that selects the target."""
    names = sorted(TARGETS)
    return [(f"{name}-{label}", bytes([index]) + data) for index, name in enumerate(names)
            for label, data in seeds(name, shared)]  # fmt: skip


def build(out: Path, shared: Path, names: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        found = all_seeds(shared) if name == "all" else seeds(name, shared)
        for _label, data in found:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        counts[name] = len(found)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to seed (default: all)")
    parser.add_argument("--shared-data", type=Path, default=shared_data_dir())
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    names = args.targets or sorted(TARGETS)
    unknown = [n for n in names if n not in TARGETS and n != "all"]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(sorted(TARGETS))}")
    for name, count in build(args.out, args.shared_data, names).items():
        print(f"{name:18} {count:4} seeds -> {args.out / name}")


if __name__ == "__main__":
    main()
