"""Ingest readers under random, mutated and structured input: a result or a located rejection, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.ingest.kcs_reader import REQUIRED
from corridor.ingest.tabular import COLUMN_NAMES
from fuzz.targets import TARGETS
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import (
    IATA_NAMES,
    WCO_NAMES,
    csv_file,
    cuscar_interchange,
    json_document,
    mutated,
    xml_document,
)

FUZZ = fuzz_settings()

READERS = ["csv", "excel", "json", "kcs", "cuscar", "wco", "cargo_xml", "detect"]
KCS_COLUMNS = [*REQUIRED, "HS6 Code", "HS10 Code", "Mode of Transport", "Item Price", "Fraud", "Critical Fraud",
               "Importer ID", "Country of Origin", "Net Mass", "Tax Rate"]  # fmt: skip


@pytest.mark.parametrize("target", READERS)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(target: str, data: bytes) -> None:
    TARGETS[target].run(data)


@pytest.mark.parametrize("target", READERS)
@FUZZ
@given(data=st.data())
def test_mutated_samples(target: str, data: st.DataObject) -> None:
    TARGETS[target].run(data.draw(mutated(target)))


@FUZZ
@given(data=cuscar_interchange())
def test_cuscar_segments_with_random_elements(data: bytes) -> None:
    TARGETS["cuscar"].run(data)
    TARGETS["detect"].run(data)


@FUZZ
@given(data=xml_document("Declaration", WCO_NAMES, "urn:wco:datamodel:WCO:DEC-DMS:2"))
def test_wco_random_trees(data: bytes) -> None:
    TARGETS["wco"].run(data)


@FUZZ
@given(data=xml_document("Waybill", IATA_NAMES, "iata:waybill:1"))
def test_cargo_xml_random_trees(data: bytes) -> None:
    TARGETS["cargo_xml"].run(data)
    TARGETS["detect"].run(data)


@FUZZ
@given(data=csv_file(COLUMN_NAMES))
def test_manifest_csv_odd_rows(data: bytes) -> None:
    TARGETS["csv"].run(data)


@FUZZ
@given(data=csv_file(KCS_COLUMNS))
def test_kcs_odd_rows(data: bytes) -> None:
    TARGETS["kcs"].run(data)


@FUZZ
@given(data=json_document())
def test_json_consignments_with_random_fields(data: bytes) -> None:
    TARGETS["json"].run(data)
