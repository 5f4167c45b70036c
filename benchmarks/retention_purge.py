"""Retention purge throughput on SQLite and PostgreSQL, against ingesting the same records.

    python benchmarks/retention_purge.py [--count 2000]

`--count` road consignments, each with a natural-person consignee (name, address, passport) and a
driver attribute, arrive six years ago and are ingested into a fresh database (the baseline: the
same records, written once). Then a dry run, the purge itself, and a second (incremental) run are
timed. The table gives consignments per second for each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dbs import postgres_available, postgres_database  # noqa: E402

from corridor.db.engine import make_engine  # noqa: E402
from corridor.db.migrate import upgrade  # noqa: E402
from corridor.ingest.service import ingest_documents  # noqa: E402
from corridor.ops.retention import purge  # noqa: E402

NOW = datetime(2026, 11, 22, tzinfo=UTC)
SECRET = "benchmark-secret-key-0123456789abcdef"


def documents(count: int) -> list[dict[str, Any]]:
    arrival = (NOW - timedelta(days=6 * 365)).isoformat()
    return [
        {
            "document_type": "CMR",
            "document_number": f"CMR-RET-{i:07d}",
            "mode": "road",
            "arrival_at": arrival,
            "place_of_loading": {"locode": "IRTBZ"},
            "place_of_discharge": {"locode": "AZAST"},
            "parties": [
                {"role": "consignor", "name": "Tabriz Fresh Fruit Co.", "country": "IR"},
                {
                    "role": "consignee",
                    "name": f"Rashid Mammadov {i}",
                    "address": f"Nizami {i}",
                    "city": "Baku",
                    "identifiers": [{"scheme": "PASSPORT", "value": f"C{i:08d}"}],
                },
            ],
            "goods": [{"sequence": 1, "hs_code": "080810", "description": "fresh apples", "gross_kg": 900}],
            "attributes": {"driver_name": f"Driver {i}"},
        }
        for i in range(count)
    ]


@contextmanager
def fresh(kind: str, folder: Path) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'retention.sqlite3'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    with postgres_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def timed(step: Callable[[], Any]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    docs = documents(args.count)
    kinds = ["sqlite"] + (["postgres"] if postgres_available() is None else [])
    print(f"{args.count} old consignments, each with one person; consignments per second")
    print(f"{'database':<10} {'ingest (baseline)':>18} {'dry run':>10} {'purge':>10} {'second run':>11}")
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, fresh(kind, Path(tmp)) as engine:
            ingest = timed(lambda e=engine: ingest_documents(e, docs))
            dry = timed(lambda e=engine: purge(e, 5, secret=SECRET, dry_run=True, now=NOW))
            real = timed(lambda e=engine: purge(e, 5, secret=SECRET, now=NOW))
            again = timed(lambda e=engine: purge(e, 5, secret=SECRET, now=NOW))
            rates = [args.count / t for t in (ingest, dry, real)]
            print(
                f"{kind:<10} {rates[0]:>18,.0f} {rates[1]:>10,.0f} {rates[2]:>10,.0f} {again * 1000:>9.0f}ms"
            )


if __name__ == "__main__":
    main()
