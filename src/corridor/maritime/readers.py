"""CSV readers for AIS positions and radar tracks, into Polars frames with a rejection report.

Column names are matched case-insensitively against common spellings (MarineCadastre's
`BaseDateTime`/`LAT`/`LON`, movingpandas' `ais_pos_timestamp`, plain `timestamp`/`lat`/`lon`), so
exports from usual tools load without a mapping file. A row with a bad value is rejected with its
row number, the column and the reason; the other rows go in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from corridor.domain.errors import InvalidInput
from corridor.maritime.nmea import ReadReport, decode_lines

UTC_US = pl.Datetime("us", "UTC")
POSITION_SCHEMA = pl.Schema(
    {
        "vessel": pl.String(),
        "ts": UTC_US,
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "sog": pl.Float64(),
        "cog": pl.Float64(),
        "heading": pl.Float64(),
    }
)
RADAR_SCHEMA = pl.Schema(
    {
        "track": pl.String(),
        "ts": UTC_US,
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "speed": pl.Float64(),
        "course": pl.Float64(),
    }
)
STATIC_COLUMNS = ("name", "imo", "call_sign", "ship_type")

_ALIASES: dict[str, tuple[str, ...]] = {
    "vessel": ("mmsi", "vessel", "vessel_id", "id", "ship_id"),
    "track": ("track", "track_id", "trackid", "target", "target_id", "id"),
    "ts": ("timestamp", "ts", "time", "datetime", "basedatetime", "ais_pos_timestamp", "date_time", "t"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
    "sog": ("sog", "speed", "speed_knots", "speed_kn"),
    "speed": ("speed", "sog", "speed_knots", "speed_kn"),
    "cog": ("cog", "course", "course_deg"),
    "course": ("course", "cog", "course_deg", "heading"),
    "heading": ("heading", "true_heading", "hdg"),
    "name": ("name", "vesselname", "vessel_name", "shipname", "ship_name"),
    "imo": ("imo", "imo_number"),
    "call_sign": ("call_sign", "callsign", "call"),
    "ship_type": ("ship_type", "vesseltype", "vessel_type", "shiptype", "type"),
}
# Formats tried in order on text timestamps; ISO 8601 first because that is what we write.
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def empty_positions() -> pl.DataFrame:
    return pl.DataFrame(schema=POSITION_SCHEMA)


def empty_radar() -> pl.DataFrame:
    return pl.DataFrame(schema=RADAR_SCHEMA)


def _pick(columns: Sequence[str], target: str) -> str | None:
    lowered = {c.strip().lower().lstrip("\ufeff"): c for c in columns}
    return next((lowered[a] for a in _ALIASES[target] if a in lowered), None)


def _parse_time(column: pl.Expr) -> pl.Expr:
    text = column.str.strip_chars()
    attempts = [
        text.str.to_datetime(f, strict=False, time_zone="UTC", time_unit="us") for f in _TIME_FORMATS[:1]
    ]
    attempts += [
        text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        for f in _TIME_FORMATS[1:]
    ]
    # Bare numbers are UNIX seconds (with a fraction, possibly).
    epoch = text.cast(pl.Float64, strict=False)
    attempts.append(
        pl.when(epoch.is_between(6.3e8, 4.1e9))
        .then((epoch * 1e6).cast(pl.Int64).cast(UTC_US))
        .otherwise(None)
    )
    return pl.coalesce(attempts)


def _read_text_csv(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    except pl.exceptions.NoDataError:
        return pl.DataFrame()
    except (Exception, pl.exceptions.PanicException) as error:
        # PanicException (a BaseException) is polars' Rust code giving up on a damaged file.
        raise InvalidInput(f"cannot read the CSV file: {error}", where=str(path)) from None


def _validated(
    raw: pl.DataFrame, key: str, speed: str, course: str, source: str, fmt: str, extra: Sequence[str] = ()
) -> tuple[pl.DataFrame, ReadReport]:
    report = ReadReport(source=source, format=fmt)
    report.lines = raw.height
    mapping = {
        target: _pick(raw.columns, target) for target in (key, "ts", "lat", "lon", speed, course, *extra)
    }
    missing = [t for t in (key, "ts", "lat", "lon") if mapping[t] is None]
    if missing:
        wanted = "; ".join(f"{t}: one of {', '.join(_ALIASES[t])}" for t in missing)
        raise InvalidInput(f"the CSV header lacks required columns ({wanted})", where=f"{source}: header")
    key_column, ts_column = mapping[key], mapping["ts"]
    assert key_column is not None and ts_column is not None  # checked just above
    exprs = [pl.col(key_column).str.strip_chars().alias(key), _parse_time(pl.col(ts_column)).alias("ts")]
    for target in ("lat", "lon", speed, course, *extra):
        name = mapping[target]
        if target in ("name", "call_sign", "imo", "ship_type"):
            exprs.append((pl.col(name).str.strip_chars() if name else pl.lit(None, pl.Utf8)).alias(target))
        else:
            expr = (
                pl.col(name).str.strip_chars().cast(pl.Float64, strict=False)
                if name
                else pl.lit(None, pl.Float64)
            )
            exprs.append(expr.alias(target))
    frame = raw.with_row_index("_row", offset=2).select(pl.col("_row"), *exprs)
    problems = [
        (pl.col(key).is_null() | (pl.col(key) == ""), key, "the identifier is empty"),
        (pl.col("ts").is_null(), "ts", "not a timestamp (ISO 8601, dd/mm/yyyy HH:MM or UNIX seconds)"),
        (
            ~pl.col("lat").is_between(-90, 90) | pl.col("lat").is_null(),
            "lat",
            "latitude missing or outside -90..90",
        ),
        (
            ~pl.col("lon").is_between(-180, 180) | pl.col("lon").is_null(),
            "lon",
            "longitude missing or outside -180..180",
        ),
    ]
    flagged = frame.with_columns(
        pl.coalesce([pl.when(cond).then(pl.lit(f"{field}: {why}")) for cond, field, why in problems]).alias(
            "_why"
        )
    )
    bad = flagged.filter(pl.col("_why").is_not_null())
    for row in bad.head(200).iter_rows(named=True):
        field, _, why = row["_why"].partition(": ")
        report.errors.append(
            _error(int(row["_row"]), f"invalid_{field}", why, {k: row[k] for k in (key, "ts", "lat", "lon")})
        )
    if bad.height:
        report.rejected.update(
            {
                f"invalid_{k.partition(':')[0]}": v
                for k, v in bad.group_by("_why").len().iter_rows()
                for _ in [0]
            }
        )
    good = flagged.filter(pl.col("_why").is_null()).drop("_row", "_why")
    return good, report


def _error(row: int, reason: str, why: str, values: dict[str, Any]) -> Any:
    from corridor.maritime.nmea import LineError

    return LineError(row, reason, why, ",".join("" if v is None else str(v) for v in values.values()))


def read_ais_csv(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, ReadReport]:
    """(positions, static data, report) from an AIS CSV file."""
    raw = _read_text_csv(path)
    if raw.is_empty():
        return empty_positions(), pl.DataFrame(), ReadReport(source=str(path), format="ais-csv")
    frame, report = _validated(
        raw, "vessel", "sog", "cog", str(path), "ais-csv", ("heading", *STATIC_COLUMNS)
    )
    frame = frame.with_columns(
        # MMSIs are 9 digits; spreadsheets drop the leading zeros of coast and group MMSIs (00x, 0x).
        pl.when(pl.col("vessel").str.contains(r"^\d{7,8}$"))
        .then(pl.col("vessel").str.zfill(9))
        .otherwise(pl.col("vessel"))
        .alias("vessel"),
        pl.when(pl.col("sog") >= 102.3).then(None).otherwise(pl.col("sog")).alias("sog"),
        pl.when(pl.col("cog") >= 360).then(None).otherwise(pl.col("cog")).alias("cog"),
        pl.when(pl.col("heading") >= 360).then(None).otherwise(pl.col("heading")).alias("heading"),
    )
    positions = frame.select(list(POSITION_SCHEMA)).cast(POSITION_SCHEMA)
    statics = (
        frame.filter(pl.any_horizontal(pl.col(c).is_not_null() & (pl.col(c) != "") for c in STATIC_COLUMNS))
        .sort("ts")
        .group_by("vessel")
        .agg(pl.col("ts").last(), *(pl.col(c).drop_nulls().last() for c in STATIC_COLUMNS))
    )
    report.positions = positions.height
    report.static = statics.height
    return positions, statics, report


def read_radar_csv(path: Path) -> tuple[pl.DataFrame, ReadReport]:
    """(radar plots, report) from a radar tracks CSV: time, track id, lat, lon, speed (kn), course (deg)."""
    raw = _read_text_csv(path)
    if raw.is_empty():
        return empty_radar(), ReadReport(source=str(path), format="radar-csv")
    frame, report = _validated(raw, "track", "speed", "course", str(path), "radar-csv")
    radar = frame.select(list(RADAR_SCHEMA)).cast(RADAR_SCHEMA)
    report.positions = radar.height
    return radar, report


def read_nmea(
    path: Path, received_at: datetime | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, ReadReport]:
    with path.open("rb") as fh:
        decoder = decode_lines(fh, str(path), received_at or datetime.now(UTC))
    return decoder_frames(decoder.positions, decoder.statics) + (decoder.report,)


def decoder_frames(positions: Sequence[Any], statics: Sequence[Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Frames from decoded NMEA records (positions, statics)."""
    pos = (
        pl.DataFrame(
            {
                "vessel": [p.mmsi for p in positions],
                "ts": [p.ts for p in positions],
                "lat": [p.lat for p in positions],
                "lon": [p.lon for p in positions],
                "sog": [p.sog for p in positions],
                "cog": [p.cog for p in positions],
                "heading": [p.heading for p in positions],
            },
            schema=POSITION_SCHEMA,
        )
        if positions
        else empty_positions()
    )
    sta = pl.DataFrame(
        {
            "vessel": [s.mmsi for s in statics],
            "ts": [s.ts for s in statics],
            "name": [s.name for s in statics],
            "imo": [s.imo for s in statics],
            "call_sign": [s.call_sign for s in statics],
            "ship_type": [str(s.ship_type) if s.ship_type is not None else None for s in statics],
        },
        schema={"vessel": pl.Utf8, "ts": UTC_US, **dict.fromkeys(STATIC_COLUMNS, pl.Utf8)},
    )
    return pos, sta


def sniff_format(path: Path) -> str:
    """nmea, ais-csv or radar-csv from the first lines of a file."""
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    if any(marker in head for marker in ("!AIVDM", "!AIVDO", "VDM,", "VDO,")):
        return "nmea"
    text = head.lstrip("\ufeff")  # a file of nothing but a BOM has no first line
    first = text.splitlines()[0].lower() if text.strip() else ""
    columns = [c.strip() for c in first.split(",")]
    if _pick(columns, "vessel") and _pick(columns, "vessel") != _pick(columns, "track"):
        return "ais-csv"
    if any(c in columns for c in ("track", "track_id", "trackid", "target", "target_id")):
        return "radar-csv"
    if _pick(columns, "vessel"):
        return "ais-csv"
    raise InvalidInput(
        "cannot tell the format: not NMEA (!AIVDM) and no CSV header with an mmsi or track column",
        where=str(path),
    )
