"""NMEA parsing on the shared pyais samples: malformed lines, multipart messages, tag blocks, times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corridor.domain.errors import InvalidInput
from corridor.maritime.nmea import decode_lines
from corridor.maritime.readers import read_ais_csv, read_nmea, read_radar_csv, sniff_format

RECEIVED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ais_dir(shared_data: Path) -> Path:
    return shared_data / "ais"


def test_mixed_file_counts_bad_checksum_and_assembles_multipart(ais_dir: Path) -> None:
    positions, statics, report = read_nmea(ais_dir / "pyais_mixed.txt", RECEIVED)
    assert report.rejected == {"bad_checksum": 1}
    bad = report.errors[0]
    assert bad.line == 23 and "checksum" in bad.detail and bad.excerpt.startswith("\\g:1-2-73874")
    # The two multipart type 5 messages (one inside tag blocks) are assembled into static reports.
    assert set(statics["name"].to_list()) == {"EVER DIADEM", "MARE ISLAND"}
    assert statics.filter(statics["name"] == "EVER DIADEM")["imo"][0] == "9134270"
    # GPS, wind and proprietary sentences, comments and garbage are ignored, not rejected.
    assert report.ignored == 20 and positions.height == 10


def test_tag_block_receiver_time_is_used(ais_dir: Path) -> None:
    _, statics, _ = read_nmea(ais_dir / "pyais_mixed.txt", RECEIVED)
    stamped = statics.filter(statics["name"] == "MARE ISLAND")["ts"][0]
    assert stamped == datetime.fromtimestamp(1428621738, tz=UTC)


def test_gatehouse_wrapper_stamps_the_following_sentence(ais_dir: Path) -> None:
    positions, _, report = read_nmea(ais_dir / "pyais_gatehouse.nmea", RECEIVED)
    assert report.rejected_total == 0 and report.positions == 4
    assert positions["ts"].min().year == 2008  # type: ignore[union-attr]


def test_broken_sample_never_raises_and_every_line_is_accounted_for(ais_dir: Path) -> None:
    _, _, report = read_nmea(ais_dir / "pyais_nmea_data_sample.txt", RECEIVED)
    assert report.lines == 898
    # 20 first parts whose second part is missing; empty payloads; reports with no position.
    assert report.rejected["incomplete_multipart"] == 20
    assert report.rejected["undecodable"] == 100 and report.rejected["no_position"] == 4
    assert report.positions == 758
    assert report.messages + report.rejected["incomplete_multipart"] + report.rejected["undecodable"] == 898


@pytest.mark.parametrize("name", ["pyais_sample.ais", "pyais_messages.ais", "pyais_timestamped.ais"])
def test_other_samples_decode(ais_dir: Path, name: str) -> None:
    positions, _, report = read_nmea(ais_dir / name, RECEIVED)
    assert positions.height == report.positions > 0
    assert report.rejected_total <= 1


def test_orphans_out_of_order_and_garbage() -> None:
    part1 = "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C"
    part2 = "!AIVDM,2,2,1,A,88888888880,2*25"
    decoder = decode_lines(
        [part2, part1, "!AIVDM,1,1,,A,garbage,0*00", "!AIVDM,x", "\xff\xfe!AIVDM"], received_at=RECEIVED
    )
    report = decoder.report
    assert report.rejected["orphan_fragment"] == 1  # part 2 before part 1
    assert report.rejected["incomplete_multipart"] == 1  # part 1 whose part 2 came before it
    assert report.rejected["bad_checksum"] == 1
    assert report.rejected["invalid_sentence"] == 2
    in_order = decode_lines([part1, part2], received_at=RECEIVED)
    assert in_order.report.static == 1 and in_order.report.rejected_total == 0


def test_leading_timestamp_on_the_line() -> None:
    line = "2026-03-01T08:30:00Z !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"
    decoder = decode_lines([line, "1772353800 !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23"])
    assert [p.ts for p in decoder.positions] == [datetime(2026, 3, 1, 8, 30, tzinfo=UTC)] * 2


def test_csv_readers_reject_bad_rows_with_row_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "ais.csv"
    path.write_text(
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName,IMO\n"
        "423000001,2026-03-01T00:00:00Z,40.1,51.2,10.5,90,KHAZAR,9000013\n"
        "423000001,not a time,40.1,51.2,10.5,90,KHAZAR,9000013\n"
        "23000002,01/03/2026 00:05,95.0,51.2,,,,\n"
    )
    positions, statics, report = read_ais_csv(path)
    assert positions.height == 1 and statics["name"].to_list() == ["KHAZAR"]
    assert report.rejected == {"invalid_ts": 1, "invalid_lat": 1}
    assert {(e.line, e.reason) for e in report.errors} == {(3, "invalid_ts"), (4, "invalid_lat")}
    radar = tmp_path / "radar.csv"
    radar.write_text("time,track_id,lat,lon,speed,course\n1772323200,R1,40.0,51.0,12,45\n")
    frame, rreport = read_radar_csv(radar)
    assert frame["ts"][0] == datetime(2026, 3, 1, tzinfo=UTC) and rreport.rejected_total == 0
    assert sniff_format(radar) == "radar-csv" and sniff_format(path) == "ais-csv"


def test_missing_columns_and_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,when\nA,B\n")
    with pytest.raises(InvalidInput, match="lacks required columns") as caught:
        read_ais_csv(path)
    assert caught.value.where == f"{path}: header"
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        sniff_format(path)


def test_ever_given_csv(ais_dir: Path) -> None:
    positions, _, report = read_ais_csv(ais_dir / "movingpandas_boat-positions_evergiven_2021.csv")
    assert positions.height == report.lines == 22287 and report.rejected_total == 0
    assert positions["vessel"][0] == "1"  # a source id, not an MMSI: kept as it is
