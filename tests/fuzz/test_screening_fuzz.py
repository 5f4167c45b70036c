"""Sanctions and watch-list readers: entries, or problems with their position; a refused file says where."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.screening.sources import CSV_COLUMNS
from fuzz.targets import TARGETS
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import UN_NAMES, VALUE, csv_file, mutated, xml_document

FUZZ = fuzz_settings()

LISTS = ["ofac", "un", "ftm", "list_csv", "list_detect"]


@pytest.mark.parametrize("target", LISTS)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(target: str, data: bytes) -> None:
    TARGETS[target].run(data)


@pytest.mark.parametrize("target", LISTS)
@FUZZ
@given(data=st.data())
def test_mutated_samples(target: str, data: st.DataObject) -> None:
    TARGETS[target].run(data.draw(mutated(target)))


@FUZZ
@given(data=xml_document("CONSOLIDATED_LIST", UN_NAMES, ""))
def test_un_random_trees(data: bytes) -> None:
    TARGETS["un"].run(data.replace(b' xmlns=""', b"").replace(b' xmlns:ns=""', b' xmlns:ns="urn:ns"'))


@FUZZ
@given(data=csv_file(list(CSV_COLUMNS)))
def test_national_list_odd_rows(data: bytes) -> None:
    TARGETS["list_csv"].run(data)


@FUZZ
@given(rows=st.lists(st.lists(VALUE, min_size=10, max_size=14), max_size=8))
def test_ofac_rows_of_random_cells(rows: list[list[str]]) -> None:
    lines = []
    for number, row in enumerate(rows, start=1):
        cells = [str(number), *row]
        lines.append(",".join('"' + c.replace('"', '""') + '"' if c else "-0-" for c in cells))
    TARGETS["ofac"].run("\r\n".join(lines).encode("latin-1", "replace"))
