"""Screening throughput: names screened per second on one core against every imported list.

    .venv/bin/python benchmarks/screening_throughput.py [--queries 4000] [--synthetic 10000]

Imports into a fresh SQLite file: OFAC SDN (14,965 entries), the UN consolidated list (875), both
OpenSanctions fixtures (23), and a synthetic national list (default 10,000 Azerbaijani-style
persons and companies) so that the index holds more than 25,000 entries. Then screens a mix of
names (party names of generated Caspian consignments, which mostly match nothing, and the queries
of the evaluation set, which mostly match something) through ScreeningIndex.screen, pinned to one
CPU. CPU time of the process is reported next to wall time because the machine may be shared.
Baseline named in the same table: yente documents about 4-30 match requests per second per vCPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from corridor.db.engine import make_engine
from corridor.db.migrate import upgrade
from corridor.screening.matcher import Query
from corridor.screening.service import get_index, import_list

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORRIDOR_SHARED_DATA", str(ROOT.parent / "shared" / "data"))) / "sanctions"
EVAL = ROOT / "benchmarks" / "data" / "screening_eval.jsonl"

FIRST = [
    "Rza",
    "Elçin",
    "Vüqar",
    "Fərid",
    "Rəşad",
    "Orxan",
    "Cavid",
    "Xəyal",
    "Şahin",
    "Qasım",
    "Cəmil",
    "Hüseyn",
    "Leyla",
    "Aysel",
    "Nigar",
    "Günel",
    "Səbinə",
    "Ülviyyə",
]
LAST = [
    "Hüseynov",
    "Məmmədov",
    "Əliyev",
    "Həsənov",
    "Quliyev",
    "Cəfərov",
    "Xəlilov",
    "İsmayılov",
    "Abbasov",
    "Qasımov",
    "Rəhimov",
    "Şirinov",
    "Nəsirov",
]
WORDS = [
    "Xəzər",
    "Logistika",
    "Neft",
    "Qaz",
    "Ticarət",
    "Tikinti",
    "Dəniz",
    "Abşeron",
    "Şirvan",
    "Gəncə",
    "Qafqaz",
    "Sənaye",
    "Nəqliyyat",
    "Aqro",
    "Ulduz",
    "Araz",
]


def synthetic_list(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,program,remarks\n")
        for i in range(count):
            if i % 3:
                name = f"{rng.choice(FIRST)} {rng.choice(FIRST)} oğlu {rng.choice(LAST)}{i:05d}"
                fh.write(f"N-{i},{name},person,,AZ,{rng.randint(1950, 2000)},,,,,national,\n")
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i:05d} MMC"
                fh.write(f"N-{i},{name},organization,,AZ,,,,,{1400000000 + i},national,\n")


def queries(count: int, rng: random.Random) -> list[str]:
    from corridor.demo.generator import generate

    parties: list[str] = []
    for consignment in generate(count // 2, 3):
        parties += [p.name for p in consignment.parties if p.name]
    evaluated = [json.loads(line)["query"]["name"] for line in EVAL.read_text(encoding="utf-8").splitlines()]
    rng.shuffle(parties)
    rng.shuffle(evaluated)
    mix = parties[: count // 2] + evaluated[: count - count // 2]
    rng.shuffle(mix)
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--synthetic", type=int, default=10000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        upgrade(engine)
        national = Path(tmp) / "national.csv"
        synthetic_list(national, args.synthetic, rng)
        files = [
            ("ofac-sdn", SHARED / "ofac_sdn_2024-05-03.csv"),
            ("un-sc", SHARED / "un_sc_consolidated_list_2024-09-26.xml"),
            ("os-t1", SHARED / "opensanctions_yente_fixture_t1.ftm.jsonl"),
            ("os-zala", SHARED / "opensanctions_yente_fixture_zala.ftm.jsonl"),
            ("national", national),
        ]
        start = time.perf_counter()
        for code, path in files:
            import_list(engine, path, code=code)
        imported = time.perf_counter() - start
        start = time.perf_counter()
        index = get_index(engine)
        built = time.perf_counter() - start
        names = queries(args.queries, rng)
        for name in names[:200]:  # warm the caches as a running server would be
            index.screen(Query(name))
        latencies: list[float] = []
        candidates: list[int] = []
        passed = 0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for name in names:
            t0 = time.perf_counter()
            result = index.screen(Query(name))
            latencies.append(time.perf_counter() - t0)
            candidates.append(result.stats.candidates_scored)
            passed += any(r.passed for r in result.results)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        engine.dispose()
    latencies.sort()
    print(
        f"index: {len(index):,} entries, {index.name_count:,} names (import {imported:.1f} s, index build {built:.1f} s)"
    )
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| names screened | {len(names):,} ({passed:,} with a match at the threshold) |")
    print(f"| names/s, CPU time of one core | {len(names) / cpu:,.0f} |")
    print(f"| names/s, wall clock | {len(names) / wall:,.0f} |")
    print(
        f"| latency p50 / p99 (wall) | {latencies[len(latencies) // 2] * 1e3:.2f} ms / {latencies[int(len(latencies) * 0.99)] * 1e3:.2f} ms |"
    )
    print(
        f"| entries scored per name: mean / max | {statistics.mean(candidates):.1f} / {max(candidates)} of {len(index):,} |"
    )
    print("| baseline: yente (documented) | about 4-30 requests/s per vCPU |")


if __name__ == "__main__":
    main()
