"""Fuzz targets: one function per parser that feeds it bytes and checks its error contract.

A target returns normally when the parser either produced results or refused the input in the
documented way: a reader's `Rejection` (with a location and a reason), a `CorridorError` with a
`where`, a screening `EntryProblem`, a seizure rejection with its row. Anything else escapes from the
target as an exception, which Hypothesis and atheris report as a crash. `ContractViolation` is raised
when the parser returned something that breaks its contract (a rejection without a location).

The same targets serve the Hypothesis property tests (tests/fuzz) and the atheris harnesses (fuzz/),
so a crash found by one is reproduced by the other from the same bytes.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


class ContractViolation(AssertionError):
    """The parser returned, but what it returned breaks the documented contract."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ContractViolation(message)


_SCRATCH: Path | None = None


def scratch_file(data: bytes, suffix: str) -> Path:
    """The input written to a per-process scratch file (readers take paths, not bytes)."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = Path(tempfile.mkdtemp(prefix=f"corridor-fuzz-{os.getpid()}-"))
    path = _SCRATCH / f"input{suffix}"
    path.write_bytes(data)
    return path


def _documented(error: Exception) -> bool:
    """A CorridorError that says where the problem is: the documented way to refuse input."""
    from corridor.domain.errors import CorridorError

    return isinstance(error, CorridorError) and bool(error.where) and bool(error.detail)


# --------------------------------------------------------------------------- ingest readers


def _consume_reader(fmt: str, data: bytes, suffix: str) -> None:
    from corridor.ingest.base import Parsed, ReadOptions, Rejection
    from corridor.ingest.detect import reader_for
    from corridor.ingest.validate import validate

    path = scratch_file(data, suffix)
    for options in (ReadOptions(), ReadOptions(lenient=True)) if fmt in ("cuscar", "wco", "cargo_xml") else (
        ReadOptions(),
    ):
        for item in reader_for(fmt).read(path, "fuzz" + suffix, options):
            if isinstance(item, Rejection):
                _check(bool(item.location), f"rejection without a location: {item}")
                _check(bool(item.reason), f"rejection without a reason: {item}")
                _check(bool(item.code), f"rejection without a code: {item}")
                # The XML readers' catch-all: it keeps a batch alive, but it firing means an exception
                # the mapping did not expect, which is a bug to fix, not a rejection to show a user.
                _check(item.code != "reader_error", f"unexpected exception in the mapping: {item.reason}")
            else:
                _check(isinstance(item, Parsed), f"reader yielded {type(item).__name__}")
                _check(bool(item.location), "parsed record without a location")
                # What ingest does next with every accepted record: it must not fail either.
                validate(item.consignment)
                item.consignment.model_dump_json()


def _reader_target(fmt: str, suffix: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        _consume_reader(fmt, data, suffix)

    run.__name__ = f"fuzz_{fmt}"
    return run


def fuzz_detect(data: bytes) -> None:
    """Content sniffing, then the reader it picks, as `corridor ingest FILE` does."""
    from corridor.ingest.detect import detect, sniff

    sniff(data[:8192])
    path = scratch_file(data, ".bin")
    try:
        fmt = detect(path)
    except Exception as error:
        if _documented(error):
            return
        raise
    _consume_reader(fmt, data, ".bin")


# --------------------------------------------------------------------------- maritime


def _report_ok(report: Any) -> None:
    for error in report.errors:
        _check(error.line >= 0 and bool(error.reason), f"line error without a place or reason: {error}")


def fuzz_nmea(data: bytes) -> None:
    from corridor.maritime.nmea import decode_lines
    from corridor.maritime.readers import decoder_frames

    decoder = decode_lines(io.BytesIO(data), "fuzz.nmea", datetime(2024, 1, 1, tzinfo=UTC))
    _report_ok(decoder.report)
    decoder_frames(decoder.positions, decoder.statics)


def fuzz_ais_csv(data: bytes) -> None:
    from corridor.maritime.readers import read_ais_csv, read_radar_csv, sniff_format

    path = scratch_file(data, ".csv")
    for read in (sniff_format, read_ais_csv, read_radar_csv):
        try:
            result = read(path)
        except Exception as error:
            if _documented(error):
                continue
            raise
        if isinstance(result, tuple):
            _report_ok(result[-1])


# --------------------------------------------------------------------------- screening lists


def _list_target(fmt: str | None, suffix: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from corridor.screening.sources import read_list

        path = scratch_file(data, suffix)
        try:
            parsed = read_list(path, fmt)
        except Exception as error:
            if _documented(error):
                return
            raise
        for problem in parsed.problems:
            _check(bool(problem.position) and bool(problem.reason), f"problem without a place: {problem}")
        for entry in parsed.entries:
            _check(bool(entry.key) and bool(entry.names), f"entry without a key or a name: {entry}")

    run.__name__ = f"fuzz_list_{fmt or 'detect'}"
    return run


# --------------------------------------------------------------------------- seizures template


def _seizure_target(fmt: str, name: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        from corridor.seizures.template import read

        try:
            good, bad = read(data, name, fmt)
        except Exception as error:
            if _documented(error):
                return
            raise
        for rejection in bad:
            _check(rejection.row is not None and bool(rejection.reason), f"rejection without a row: {rejection}")
        for number, _item in good:
            _check(number >= 1, f"record without a row number: {number}")

    run.__name__ = f"fuzz_seizures_{fmt}"
    return run


# --------------------------------------------------------------------------- exchange envelopes


def fuzz_keys() -> Any:
    """A fixed node key pair, so that a seed envelope signed with it passes the signature check and
    the fuzzer reaches decryption."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from corridor.exchange.crypto import KeyPair

    return KeyPair(Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
                   X25519PrivateKey.from_private_bytes(bytes(range(32, 64))))


def fuzz_envelope(data: bytes) -> None:
    """Check an inbound envelope the way `inbox.receive` does, short of the database: size, JSON,
    schema, recipient, signature, times, decryption."""
    from corridor.exchange import envelope
    from corridor.exchange.errors import Refused

    keys = fuzz_keys()
    try:
        env, doc = envelope.parse(data, 1 << 20)
        envelope.check_recipient(env.header, "node-b")
        envelope.check_signature(doc, keys.signing_public)
        envelope.check_times(env.header, datetime(2024, 5, 1, 0, 30, tzinfo=UTC), timedelta(seconds=300))
        envelope.open_payload(env, doc, "node-b", {keys.kid: keys})
    except Refused as error:
        _check(bool(error.where) and bool(error.detail), f"refusal without a place: {error!r}")


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    doc: str


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("csv", _reader_target("csv", ".csv"), "manifest CSV (ingest.csv_reader)"),
        Target("excel", _reader_target("excel", ".xlsx"), "manifest Excel .xlsx (ingest.excel_reader)"),
        Target("json", _reader_target("json", ".json"), "Corridor JSON / JSON Lines (ingest.json_reader)"),
        Target("kcs", _reader_target("kcs", ".csv"), "KCS declarations CSV (ingest.kcs_reader)"),
        Target("cuscar", _reader_target("cuscar", ".edi"), "UN/EDIFACT CUSCAR (ingest.edifact + cuscar)"),
        Target("wco", _reader_target("wco", ".xml"), "WCO Data Model XML (ingest.wco_xml)"),
        Target("cargo_xml", _reader_target("cargo_xml", ".xml"), "IATA Cargo-XML (ingest.cargo_xml)"),
        Target("detect", fuzz_detect, "format detection and the reader it picks (ingest.detect)"),
        Target("nmea", fuzz_nmea, "AIS NMEA 0183 (maritime.nmea)"),
        Target("ais_csv", fuzz_ais_csv, "AIS and radar CSV (maritime.readers)"),
        Target("ofac", _list_target("ofac-sdn", ".csv"), "OFAC SDN CSV (screening.ofac)"),
        Target("un", _list_target("un-sc", ".xml"), "UN SC consolidated list XML (screening.un)"),
        Target("ftm", _list_target("ftm", ".jsonl"), "FollowTheMoney JSON lines (screening.sources)"),
        Target("list_csv", _list_target("csv", ".csv"), "national watch-list CSV (screening.sources)"),
        Target("list_detect", _list_target(None, ".dat"), "watch-list format detection (screening.sources)"),
        Target("seizures_csv", _seizure_target("csv", "s.csv"), "seizure template CSV (seizures.template)"),
        Target("seizures_xlsx", _seizure_target("xlsx", "s.xlsx"), "seizure template .xlsx"),
        Target("seizures_geojson", _seizure_target("geojson", "s.geojson"), "seizure GeoJSON"),
        Target("seizures_parquet", _seizure_target("parquet", "s.parquet"), "seizure Parquet"),
        Target("envelope", fuzz_envelope, "exchange envelope (exchange.envelope parse and checks)"),
    )
}


def run_all(data: bytes, names: Iterable[str]) -> None:
    for name in names:
        TARGETS[name].run(data)
