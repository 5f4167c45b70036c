"""AIS NMEA and AIS/radar CSV readers: every line is decoded, counted as ignored or rejected with its line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.targets import TARGETS
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import VALUE, csv_file, mutated

FUZZ = fuzz_settings()


def _checksum(body: str) -> str:
    value = 0
    for char in body:
        value ^= ord(char)
    return f"{value:02X}"


_PAYLOAD = st.text(alphabet="0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw", max_size=90)


@st.composite
def nmea_line(draw: st.DrawFn) -> str:
    """An AIVDM/AIVDO sentence with random fields, a right or wrong checksum, maybe a tag block or time."""
    talker = draw(st.sampled_from(["AIVDM", "AIVDO", "BSVDM", "ABVDM", "GPGGA", "PGHP"]))
    count = draw(st.integers(0, 10))
    number = draw(st.integers(0, 10))
    seq = draw(st.sampled_from(["", "1", "9", "x"]))
    channel = draw(st.sampled_from(["A", "B", "", "1", "2", "Z"]))
    fill = draw(st.sampled_from(["0", "2", "5", "", "x"]))
    body = f"{talker},{count},{number},{seq},{channel},{draw(_PAYLOAD)},{fill}"
    checksum = _checksum(body) if draw(st.booleans()) else draw(st.sampled_from(["00", "ZZ", "", "7"]))
    line = f"!{body}*{checksum}"
    prefix = draw(st.integers(0, 3))
    if prefix == 1:
        tag = f"c:{draw(st.integers(-(2**40), 2**40))}"
        line = f"\\{tag}*{_checksum(tag)}\\{line}"
    elif prefix == 2:
        line = f"{draw(st.sampled_from(['2021-03-23 10:00:00', '1616493600', '99999999999999', 'x']))} {line}"
    return line


@FUZZ
@given(data=st.binary(max_size=2048))
def test_nmea_random_bytes(data: bytes) -> None:
    TARGETS["nmea"].run(data)


@FUZZ
@given(data=st.data())
def test_nmea_mutated_samples(data: st.DataObject) -> None:
    TARGETS["nmea"].run(data.draw(mutated("nmea")))


@FUZZ
@given(lines=st.lists(nmea_line(), max_size=20))
def test_nmea_sentences_with_random_fields(lines: list[str]) -> None:
    TARGETS["nmea"].run("\n".join(lines).encode())


@pytest.mark.parametrize("kind", ["random", "mutated", "structured"])
@FUZZ
@given(data=st.data())
def test_ais_and_radar_csv(kind: str, data: st.DataObject) -> None:
    if kind == "random":
        raw = data.draw(st.binary(max_size=2048))
    elif kind == "mutated":
        raw = data.draw(mutated("ais_csv"))
    else:
        columns = ["mmsi", "vessel", "ID", "track", "track_id", "ts", "timestamp", "ais_pos_timestamp", "lat",
                   "latitude", "lon", "longitude", "sog", "speed", "cog", "course", "heading", "name", "imo"]  # fmt: skip
        raw = data.draw(csv_file(columns))
    _ = VALUE
    TARGETS["ais_csv"].run(raw)
