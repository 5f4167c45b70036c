"""Seizure template imports and exchange envelopes: rows rejected with their place, envelopes refused with a code."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.targets import TARGETS
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import csv_file, json_values, mutated, seed_inputs

FUZZ = fuzz_settings()

SEIZURES = ["seizures_csv", "seizures_xlsx", "seizures_geojson", "seizures_parquet"]


@pytest.mark.parametrize("target", [*SEIZURES, "envelope"])
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(target: str, data: bytes) -> None:
    TARGETS[target].run(data)


@pytest.mark.parametrize("target", [*SEIZURES, "envelope"])
@FUZZ
@given(data=st.data())
def test_mutated_samples(target: str, data: st.DataObject) -> None:
    TARGETS[target].run(data.draw(mutated(target)))


@FUZZ
@given(data=st.data())
def test_seizure_csv_odd_rows(data: st.DataObject) -> None:
    header = seed_inputs("seizures_csv")[0].split(b"\n", 1)[0].decode().strip().split(",")
    TARGETS["seizures_csv"].run(data.draw(csv_file(header)))


@FUZZ
@given(data=st.data())
def test_seizure_geojson_random_properties(data: st.DataObject) -> None:
    doc = json.loads(seed_inputs("seizures_geojson")[0])
    for feature in doc["features"]:
        for key in data.draw(st.lists(st.sampled_from(sorted(feature["properties"])), max_size=3)):
            feature["properties"][key] = data.draw(json_values())
        if data.draw(st.booleans()):
            feature["geometry"] = data.draw(json_values())
    TARGETS["seizures_geojson"].run(json.dumps(doc).encode())


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@FUZZ
@given(data=st.data())
def test_envelope_with_random_values(data: st.DataObject) -> None:
    """A valid signed envelope with values swapped for random JSON at random places."""
    doc = json.loads(seed_inputs("envelope")[0])
    for path in data.draw(st.lists(st.sampled_from(_paths(doc)[1:]), min_size=1, max_size=3)):
        parent: object = doc
        try:
            for step in path[:-1]:
                parent = parent[step]  # type: ignore[index]
            parent[path[-1]] = data.draw(json_values())  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier swap removed this place
    TARGETS["envelope"].run(json.dumps(doc).encode())
