"""Ingest throughput into SQLite and PostgreSQL for CSV and CUSCAR, against a naive ORM baseline.

    python benchmarks/ingest_throughput.py [--count 100000] [--repeat 3] [--baseline-count 5000]

For each database and format the same generated file (demo generator, fixed seed) is ingested
into a fresh database `--repeat` times; the table gives the median. The baseline parses the same
CSV with the same reader, then writes one ORM object per row with a flush per consignment (the
way a straightforward application would), committing every 1,000; it runs on a prefix of the file.
Peak memory is measured in child processes ingesting a quarter of the file and the whole file.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.dbs import postgres_available, postgres_database  # noqa: E402

from corridor.consignments.models import (  # noqa: E402
    ConsignmentRow,
    ConsignmentVersionRow,
    EquipmentRow,
    GoodsItemRow,
    PartyRow,
)
from corridor.consignments.repository import document_and_hash  # noqa: E402
from corridor.db.engine import make_engine  # noqa: E402
from corridor.db.migrate import upgrade  # noqa: E402
from corridor.demo.generator import generate  # noqa: E402
from corridor.demo.writers import write_file  # noqa: E402
from corridor.ingest.base import Parsed, ReadOptions  # noqa: E402
from corridor.ingest.csv_reader import CsvReader  # noqa: E402
from corridor.ingest.service import ingest_paths  # noqa: E402
from corridor.ingest.validate import validate  # noqa: E402


def fresh_engine(kind: str, workdir: Path, tag: str) -> tuple[Engine, object]:
    if kind == "sqlite":
        path = workdir / f"{tag}-{time.monotonic_ns()}.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        return engine, None
    ctx = postgres_database()
    url = ctx.__enter__()
    engine = make_engine(url)
    upgrade(engine)
    return engine, ctx


def close(engine: Engine, ctx: object) -> None:
    engine.dispose()
    if ctx is not None:
        ctx.__exit__(None, None, None)  # type: ignore[attr-defined]


def naive_insert(engine: Engine, path: Path, limit: int) -> tuple[int, float]:
    items = islice(CsvReader().read(path, path.name, ReadOptions()), limit)
    start = time.perf_counter()
    count = 0
    now = datetime.now(UTC)
    with Session(engine) as session:
        for item in items:
            if not isinstance(item, Parsed):
                continue
            c = validate(item.consignment)
            data, digest = document_and_hash(c)
            row = ConsignmentRow(
                key=c.key,
                document_type=c.document_type.value,
                document_number=c.document_number,
                status="active",
                version=1,
                content_hash=digest,
                mode=c.mode.value,
                office=c.office,
                eta=c.eta,
                goods_count=len(c.goods),
                warning_count=len(c.warnings),
                source_format="csv",
                data=data,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(
                ConsignmentVersionRow(
                    consignment_id=row.id,
                    version=1,
                    content_hash=digest,
                    function=c.function.value,
                    source_format="csv",
                    data=data,
                    received_at=now,
                )
            )
            for p in c.parties:
                session.add(
                    PartyRow(
                        consignment_id=row.id,
                        role=p.role.value,
                        party_key=p.key()[:200],
                        name=p.name,
                        country=p.country,
                    )
                )
            for g in c.goods:
                session.add(
                    GoodsItemRow(
                        consignment_id=row.id,
                        sequence=g.sequence,
                        hs_code=g.hs_code,
                        hs6=g.hs6,
                        description=g.description,
                        gross_kg=g.gross_kg,
                        net_kg=g.net_kg,
                    )
                )
            for e in c.equipment:
                session.add(
                    EquipmentRow(
                        consignment_id=row.id, number=e.number, size_type=e.size_type, seals=" ".join(e.seals)
                    )
                )
            session.flush()
            count += 1
            if count % 1000 == 0:
                session.commit()
        session.commit()
    return count, time.perf_counter() - start


def peak_rss_mb(path: Path) -> float:
    """Peak resident memory of a child process that ingests `path` into a fresh database."""
    code = (
        "import sys, tempfile; from pathlib import Path;"
        "from corridor.db.engine import make_engine; from corridor.db.migrate import upgrade;"
        "from corridor.ingest.service import ingest_paths;"
        "d = tempfile.mkdtemp(); e = make_engine(f'sqlite:///{d}/m.sqlite3'); upgrade(e);"
        "ingest_paths(e, [Path(sys.argv[1])]);"
        "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, cwd=ROOT, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1]) / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-count", type=int, default=5_000)
    parser.add_argument("--formats", default="csv,cuscar")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()

    databases = args.databases.split(",")
    if "postgres" in databases and (reason := postgres_available()):
        print(f"# PostgreSQL skipped: {reason}")
        databases.remove("postgres")
    workdir = Path(tempfile.mkdtemp(prefix="corridor-bench-"))
    files: dict[str, Path] = {}
    for fmt in args.formats.split(","):
        path = workdir / f"demo-{args.count}.{'edi' if fmt == 'cuscar' else fmt}"
        t = time.perf_counter()
        write_file(generate(args.count, seed=11, planted=True), path, fmt)
        files[fmt] = path
        print(
            f"# generated {args.count:,} consignments as {fmt} in {time.perf_counter() - t:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )

    rows: list[tuple[str, ...]] = []
    baselines: dict[str, float] = {}
    for db in databases:
        engine, ctx = fresh_engine(db, workdir, "naive")
        try:
            n, seconds = naive_insert(
                engine, files.get("csv") or next(iter(files.values())), args.baseline_count
            )
        finally:
            close(engine, ctx)
        baselines[db] = n / seconds
        rows.append(
            (db, "csv (naive ORM, per-row flush)", f"{n:,}", f"{seconds:.2f}", f"{n / seconds:,.0f}", "1.0×")
        )
        for fmt, path in files.items():
            times = []
            for _ in range(args.repeat):
                engine, ctx = fresh_engine(db, workdir, fmt)
                try:
                    t = time.perf_counter()
                    report = ingest_paths(engine, [path])
                    times.append(time.perf_counter() - t)
                    accepted = report.total("accepted")
                finally:
                    close(engine, ctx)
            median = statistics.median(times)
            rate = accepted / median
            rows.append(
                (
                    db,
                    f"{fmt} (corridor ingest)",
                    f"{accepted:,}",
                    f"{median:.2f}",
                    f"{rate:,.0f}",
                    f"{rate / baselines[db]:.1f}×",
                )
            )

    print()
    header = ("database", "path", "consignments", "median s", "consignments/s", "vs naive")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))

    if "csv" in files:
        quarter = workdir / "quarter.csv"
        write_file(generate(max(1, args.count // 4), seed=11), quarter, "csv")
        small = peak_rss_mb(quarter)
        large = peak_rss_mb(files["csv"])
        print()
        print(
            f"peak memory (SQLite, CSV): {args.count // 4:,} consignments {small:.0f} MB; "
            f"{args.count:,} consignments {large:.0f} MB"
        )


if __name__ == "__main__":
    main()
