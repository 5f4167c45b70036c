"""Seed inputs per fuzz target: the shared samples (cut to fuzz-sized pieces) and generated seeds.

The samples are read from the shared data folder at run time and never copied into the repository
(some are GPL, LGPL or CC BY-NC); `fuzz/build_corpus.py` writes them into the git-ignored
`fuzz/corpus/<target>/`. Generated seeds come from Corridor's own writers and demo generators.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_SEED_BYTES = 6 * 1024


def shared_data_dir() -> Path:
    return Path(os.environ.get("CORRIDOR_SHARED_DATA", str(ROOT.parent / "shared" / "data")))


def _head_lines(path: Path, limit: int = MAX_SEED_BYTES) -> bytes:
    """The first whole lines of a text sample, at most `limit` bytes."""
    with path.open("rb") as fh:
        data = fh.read(limit)
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut > 0 else data


def _un_head(path: Path) -> bytes:
    """The UN list cut after its second INDIVIDUAL and closed again, so it stays well-formed."""
    text = path.read_bytes()[:200_000].decode("utf-8", "replace")
    ends = [m.end() for m in re.finditer(r"</INDIVIDUAL>", text)][:2]
    head = text[: ends[-1]] if ends else text[:4000]
    return (head + "\n    </INDIVIDUALS>\n    <ENTITIES/>\n</CONSOLIDATED_LIST>\n").encode("utf-8")


# (target, folder below the shared data, file glob, how to cut)
_SAMPLES: list[tuple[str, str, str, str]] = [
    ("cuscar", "messages/edifact", "*.edi", "whole"),
    ("wco", "messages/wco_dms_hmrc", "*.xml", "whole"),
    ("cargo_xml", "messages/iata_cargo_xml", "*.xml", "whole"),
    ("kcs", "customs-declarations", "df_syn_test_eng.csv", "lines"),
    ("kcs", "customs-declarations/v2022-06-03_hs10", "df_syn_test_eng.csv", "lines"),
    ("nmea", "ais", "pyais_*", "lines"),
    ("ais_csv", "ais", "movingpandas_boat-positions_evergiven_2021.csv", "lines"),
    ("ofac", "sanctions", "ofac_sdn_*.csv", "lines"),
    ("un", "sanctions", "un_sc_consolidated_list_*.xml", "un"),
    ("ftm", "sanctions", "*.ftm.jsonl", "lines"),
]
# Targets that read any of several formats get the seeds of those formats too.
_ALSO = {
    "detect": ("csv", "excel", "json", "kcs", "cuscar", "wco", "cargo_xml"),
    "list_detect": ("ofac", "un", "ftm", "list_csv"),
}


def sample_seeds(target: str, shared: Path | None = None) -> Iterator[tuple[str, bytes]]:
    shared = shared or shared_data_dir()
    for name, folder, pattern, cut in _SAMPLES:
        if name != target:
            continue
        for path in sorted((shared / folder).glob(pattern)):
            if not path.is_file():
                continue
            if cut == "lines":
                data = _head_lines(path)
            elif cut == "un":
                data = _un_head(path)
            else:
                data = path.read_bytes()
            yield f"sample-{path.name}", data


_CSV = (
    "document_number,mode,conveyance_name,imo,eta,loading_locode,discharge_locode,consignor_name,"
    "consignor_country,consignee_name,consignee_country,equipment,hs_code,description,packages,gross_kg,"
    "value,currency\n"
    "MSCU1234567,sea,CASPIAN STAR,9074729,2024-05-01T08:00:00Z,KZAKT,AZBAK,Aktau Trade LLP,KZ,"
    "Baku Import LLC,AZ,MSCU1234565:22G1:SEAL1,870323,passenger cars,2,3000,25000,USD\n"
    "MSCU1234567,sea,,,,,,,,,,,,spare parts,10,200.5,1000,USD\n"
    "TIR-77,road,VOLVO FH,,2024-05-02,,AZAST,\"Tabriz \"\"Carpet\"\" Co\",IR,ООО Каспий,AZ,,570110,carpets,5,"
    "400,9000,EUR\n"
)
_LIST_CSV = (
    "id,name,type,aliases,country,birth_date,imo,mmsi,call_sign,tax_id,registration,program,remarks\n"
    "N-1,Ivan PETROV,person,Ivan Petrov;И. Петров,RU,1970-01-02,,,,,,NAT,\n"
    "N-2,CASPIAN SHADOW,vessel,,PA,,9074729,353136000,3EXX4,,,NAT,dark fleet\n"
)


def generated_seeds(target: str) -> Iterator[tuple[str, bytes]]:
    """Seeds made by Corridor's own writers and demo generators (no licence attached)."""
    if target in ("csv",):
        yield "gen-manifest.csv", _CSV.encode("utf-8")
        yield "gen-manifest-semicolon-cp1251.csv", _CSV.replace(",", ";").encode("cp1251", "replace")
    elif target == "excel":
        yield "gen-manifest.xlsx", _xlsx_of(_CSV)
    elif target == "json":
        docs = _consignments(3)
        yield "gen-array.json", json.dumps(docs).encode()
        yield "gen-wrapped.json", json.dumps({"consignments": docs}).encode()
        yield "gen-lines.jsonl", "\n".join(json.dumps(d) for d in docs).encode()
        yield "gen-one.json", json.dumps(docs[0]).encode()
    elif target == "cuscar":
        yield "gen-cuscar.edi", _cuscar()
    elif target == "list_csv":
        yield "gen-list.csv", _LIST_CSV.encode("utf-8")
    elif target.startswith("seizures_"):
        fmt = target.split("_", 1)[1]
        data = _seizures(fmt)
        yield f"gen-seizures.{fmt}", _fixed_zip(data) if fmt == "xlsx" else data
    elif target == "envelope":
        yield "gen-envelope.json", _envelope()
    for other in _ALSO.get(target, ()):
        yield from generated_seeds(other)


def seeds(target: str, shared: Path | None = None) -> list[tuple[str, bytes]]:
    out = list(generated_seeds(target)) + list(sample_seeds(target, shared))
    for other in _ALSO.get(target, ()):
        out += list(sample_seeds(other, shared))
    return out


# --------------------------------------------------------------------------- generators


def _consignments(count: int) -> list[dict[str, object]]:
    from corridor.demo.generator import generate

    return [c.model_dump(mode="json") for c in generate(count, seed=7, start=date(2024, 5, 1))]


def _cuscar() -> bytes:
    from corridor.demo.generator import generate
    from corridor.ingest.cuscar_writer import write_cuscar

    consignments = [c for c in generate(6, seed=7, start=date(2024, 5, 1)) if c.mode.value == "sea"][:2]
    parts = write_cuscar(
        consignments, sender="KZAKTPCU", recipient="AZBAKPCU", interchange_ref="FUZZ1",
        prepared=datetime(2024, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    return "".join(parts).encode("utf-8")


def _xlsx_of(text: str) -> bytes:
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(text)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The archive with fixed timestamps (zip entries and document properties), so that a seed, and
    every input Hypothesis derives from it, is the same on every run."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2024-05-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 5, 1, 0, 0, 0)), content,
                            compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


def _seizures(fmt: str) -> bytes:
    from corridor.seizures.demo import generate
    from corridor.seizures.template import to_bytes

    return to_bytes(generate(3, end=date(2024, 5, 1), count=3), fmt)


ENVELOPE_SEED = Path(__file__).with_name("seed_envelope.json")


def _envelope() -> bytes:
    """A sealed envelope; sealing draws fresh nonces and ephemeral keys, so the one made by
    `make_envelope()` is kept in fuzz/seed_envelope.json to give the same seed on every run."""
    return ENVELOPE_SEED.read_bytes()


def make_envelope() -> bytes:
    from datetime import timedelta

    from corridor.exchange.envelope import Recipient, seal
    from fuzz.targets import fuzz_keys

    keys = fuzz_keys()
    sealed = seal(
        message_id="msg-00000001", message_type="alert", version=1, payload={"alerts": [{"ref": "A-1"}]},
        sender="node-a", keys=keys, recipients=[Recipient("node-b", keys.kid, keys.encryption_public)],
        sequence=1, created=datetime(2024, 5, 1, tzinfo=UTC), ttl=timedelta(hours=1),
    )  # fmt: skip
    return json.dumps(sealed).encode()
