"""Run the atheris harness of every parser for a time or a number of runs and print what happened.

    python scripts/fuzz.py --seconds 60                 # every target, 60 s each
    python scripts/fuzz.py --runs 5000 cuscar wco       # two targets, 5000 inputs each
    python scripts/fuzz.py --seconds 30 --json          # one JSON document instead of the table

The corpus of each target is seeded from the shared samples first (fuzz/build_corpus.py) and grows
in fuzz/corpus/<target>/ from run to run. A crash, a hang (over --timeout seconds for one input) or an
input that exhausts memory (over --rss-mb) is written to fuzz/crashes/<target>/; the target is then
restarted for the time left (at most --restarts times), so one crash does not hide the next.
Prints per target: runs, coverage (libFuzzer's `cov` edges and `ft` features), corpus size, crashes.
Exit status 1 when any target crashed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fuzz.build_corpus import build  # noqa: E402
from fuzz.seeds import shared_data_dir  # noqa: E402
from fuzz.targets import TARGETS  # noqa: E402

HARNESS = ROOT / "fuzz" / "harness.py"
_STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/")
_DONE = re.compile(r"^Done (\d+) runs in (\d+) second")
_KINDS = ("crash-", "timeout-", "oom-", "leak-", "slow-unit-")


@dataclass
class Result:
    target: str
    runs: int = 0
    seconds: float = 0.0
    cov: int = 0
    ft: int = 0
    corpus: int = 0
    crashes: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


def _artifacts(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(_KINDS)} if folder.is_dir() else set()


def run_target(name: str, args: argparse.Namespace) -> Result:
    result = Result(name)
    corpus = args.corpus / name
    crashes = args.crashes / name
    crashes.mkdir(parents=True, exist_ok=True)
    before = _artifacts(crashes)
    started = time.monotonic()
    for _attempt in range(args.restarts + 1):
        options = [
            f"-artifact_prefix={crashes}/",
            f"-timeout={args.timeout}",
            f"-rss_limit_mb={args.rss_mb}",
            f"-max_len={args.max_len}",
            "-print_final_stats=1",
        ]
        if args.runs:
            options.append(f"-runs={args.runs - result.runs}")
        else:
            left = int(args.seconds - (time.monotonic() - started))
            if left < 1:
                break
            options.append(f"-max_total_time={left}")
        proc = subprocess.run(
            [sys.executable, str(HARNESS), name, *options, str(corpus)],
            capture_output=True,
            text=True,
            errors="replace",
            cwd=ROOT,
        )
        output = proc.stdout + "\n" + proc.stderr  # atheris prints the Python traceback on stdout
        runs = 0
        for line in proc.stderr.splitlines():
            if status := _STATUS.match(line):
                runs = int(status.group(1))
                result.cov, result.ft, result.corpus = (int(g) for g in status.group(2, 3, 4))
            elif done := _DONE.match(line):
                runs = int(done.group(1))
        result.runs += runs
        if proc.returncode == 0:
            break
        exception = _exception(output) or f"exit status {proc.returncode}"
        result.exceptions.append(exception)
        if args.runs and result.runs >= args.runs:
            break
    result.seconds = round(time.monotonic() - started, 1)
    result.crashes = sorted(_artifacts(crashes) - before)
    return result


def _exception(output: str) -> str | None:
    """The last exception line of a Python traceback, or libFuzzer's own error line."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if "Uncaught Python exception" in line:
            tail = [ln for ln in lines[index + 1 :] if ln.strip() and not ln.startswith((" ", "Traceback", "==="))]
            return tail[0][:200] if tail else "uncaught Python exception"
    for line in lines:
        if "ERROR: libFuzzer:" in line:
            return line.split("ERROR: ", 1)[1][:200]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"targets (default: all): {', '.join(sorted(TARGETS))}")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=int, default=60, help="time per target (default 60)")
    budget.add_argument("--runs", type=int, help="inputs per target instead of a time")
    parser.add_argument("--timeout", type=int, default=20, help="seconds for one input before it is a hang")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory limit of a harness process")
    parser.add_argument("--max-len", type=int, default=65536, help="largest input libFuzzer generates")
    parser.add_argument("--restarts", type=int, default=5, help="restarts of a target after a crash")
    parser.add_argument("--corpus", type=Path, default=ROOT / "fuzz" / "corpus")
    parser.add_argument("--crashes", type=Path, default=ROOT / "fuzz" / "crashes")
    parser.add_argument("--shared-data", type=Path, default=shared_data_dir())
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    args = parser.parse_args()
    names = args.targets or sorted(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}")
    build(args.corpus, args.shared_data, names)
    results = []
    for name in names:
        results.append(run_target(name, args))
        if not args.json:
            print(f"  {name}: {results[-1].runs} runs", file=sys.stderr)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(f"{'target':18} {'runs':>9} {'seconds':>8} {'cov':>6} {'ft':>7} {'corpus':>7} {'crashes':>8}")
        for r in results:
            print(f"{r.target:18} {r.runs:9} {r.seconds:8} {r.cov:6} {r.ft:7} {r.corpus:7} {len(r.crashes):8}")
        print(f"{'total':18} {sum(r.runs for r in results):9}")
        for r in results:
            for crash, why in zip(r.crashes, r.exceptions, strict=False):
                print(f"{r.target}: fuzz/crashes/{r.target}/{crash}: {why}")
    sys.exit(1 if any(r.crashes or r.exceptions for r in results) else 0)


if __name__ == "__main__":
    main()
