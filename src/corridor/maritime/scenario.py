"""A synthetic day at sea around the Absheron and ACG offshore fields, with planted events.

Background traffic crosses the middle Caspian at 9-14 knots on legs kept 3 km clear of every
installation, reporting AIS every couple of minutes. Into it we plant one or two vessels for each
behaviour the detectors look for, and near-misses that must *not* raise an event (a 4 h silence,
a silence after poor reception, 3 h of drifting, a fast crossing within 300 m, a pass 900 m from a
platform). The ground truth is returned with the data so tests can measure precision and recall.
Everything is drawn from one seeded generator: the same seed gives the same day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from corridor.maritime.detectors import haversine_np
from corridor.maritime.events import Event, iso
from corridor.maritime.geo import KNOT_MS, bearing_deg, destination, haversine_m, offset
from corridor.maritime.readers import POSITION_SCHEMA, RADAR_SCHEMA, UTC_US
from corridor.maritime.zones import Zone, platform, platforms

# Open water of the middle Caspian east of the Absheron peninsula (lon, lat box).
SEA = (50.70, 39.40, 52.40, 41.20)
CLEARANCE_M = 3000.0
FLAGS = ("423", "423", "423", "273", "436", "434", "422")  # AZ-heavy, as off Baku
NAMES = (
    "ABSHERON",
    "KHAZAR",
    "GARABAGH",
    "SHIRVAN",
    "GANJA",
    "LANKARAN",
    "NAKHCHIVAN",
    "SHUSHA",
    "GUBA",
    "ZANGEZUR",
    "VOLGA",
    "AKTAU",
    "TURKMENBASHI",
    "ANZALI",
    "ASTARA",
    "MANGYSHLAK",
    "CASPIAN",
    "ALYAT",
)
SUFFIXES = ("STAR", "PRIDE", "SPIRIT", "TRADER", "CARRIER", "1", "2", "WAY")
DEFAULT_START = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Truth:
    kind: str
    vessel: str
    start: datetime
    end: datetime
    other: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "vessel": self.vessel,
            "other": self.other,
            "start": iso(self.start),
            "end": iso(self.end),
            "note": self.note,
        }


@dataclass(slots=True)
class Scenario:
    start: datetime
    end: datetime
    positions: pl.DataFrame
    radar: pl.DataFrame
    statics: pl.DataFrame
    truth: list[Truth]
    user_zones: list[Zone]
    roles: dict[str, str] = field(default_factory=dict)  # planted role -> MMSI or radar track


@dataclass(slots=True)
class _Vessel:
    mmsi: str
    name: str
    imo: str
    call_sign: str
    ship_type: int
    keys: list[tuple[float, float, float]]  # (seconds from start, lat, lon)
    interval_s: float
    silences: list[tuple[float, float]] = field(default_factory=list)


def imo_number(body: int) -> str:
    """A 7-digit IMO number with its check digit (weights 7..2 on the first six digits)."""
    digits = f"{body:06d}"[:6]
    check = sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return digits + str(check)


class _Builder:
    def __init__(self, seed: int, start: datetime, hours: float, interval_s: float) -> None:
        self.rng = np.random.default_rng(seed)
        self.start = start
        self.duration = hours * 3600.0
        self.interval = interval_s
        self.vessels: list[_Vessel] = []
        self.radar_tracks: list[tuple[str, list[tuple[float, float, float]], float, float]] = []
        self.truth: list[Truth] = []
        self.roles: dict[str, str] = {}
        self._serial = 0

    def t(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def vessel(self, keys: list[tuple[float, float, float]], role: str | None = None, **kw: Any) -> _Vessel:
        self._serial += 1
        mid = FLAGS[int(self.rng.integers(len(FLAGS)))]
        mmsi = f"{mid}{self._serial:06d}"
        name = (
            f"{NAMES[int(self.rng.integers(len(NAMES)))]} {SUFFIXES[int(self.rng.integers(len(SUFFIXES)))]}"
        )
        v = _Vessel(
            mmsi=mmsi,
            name=f"{name} {self._serial}",
            imo=imo_number(900000 + self._serial),
            call_sign=f"4J{self._serial:04d}",
            ship_type=int(self.rng.choice([70, 80, 52, 60, 90])),
            keys=keys,
            interval_s=kw.get("interval_s", self.interval),
        )
        self.vessels.append(v)
        if role:
            self.roles[role] = mmsi
        return v

    def clear_of_platforms(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        # Checked every 500 m along the leg: a leg may be 200 km long and a zone is 1 km wide.
        steps = max(2, int(haversine_m(*a, *b) // 500) + 2)
        frac = np.linspace(0.0, 1.0, steps)
        lat = a[0] + (b[0] - a[0]) * frac
        lon = a[1] + (b[1] - a[1]) * frac
        for p in platforms():
            d = haversine_np(lat, lon, p.lat, p.lon)
            if float(d.min()) < CLEARANCE_M:
                return False
        return True

    def extend(self, keys: list[tuple[float, float, float]], speed_kn: float = 10.0) -> None:
        """Carry a planted vessel on through open water to the end of the day (no accidental gaps)."""
        t, lat, lon = keys[-1]
        here = (lat, lon)
        while t < self.duration:
            there = self.sea_point()
            if not self.clear_of_platforms(here, there):
                continue
            t += haversine_m(*here, *there) / (speed_kn * KNOT_MS)
            keys.append((t, there[0], there[1]))
            here = there

    def sea_point(self) -> tuple[float, float]:
        while True:
            lat = float(self.rng.uniform(SEA[1], SEA[3]))
            lon = float(self.rng.uniform(SEA[0], SEA[2]))
            if all(haversine_m(lat, lon, p.lat, p.lon) > CLEARANCE_M for p in platforms()):
                return lat, lon

    def cruise(
        self, speed_kn: float, start_at: float = 0.0, end_at: float | None = None
    ) -> list[tuple[float, float, float]]:
        """Keyframes of a vessel wandering between random sea points, clear of installations."""
        end_at = self.duration if end_at is None else end_at
        here = self.sea_point()
        keys = [(start_at, here[0], here[1])]
        t = start_at
        while t < end_at:
            there = self.sea_point()
            if not self.clear_of_platforms(here, there):
                continue
            t += haversine_m(*here, *there) / (speed_kn * KNOT_MS)
            keys.append((t, there[0], there[1]))
            here = there
        return keys


def _legs(
    start: tuple[float, float], t0: float, plan: list[tuple[str, float, float, float]]
) -> list[tuple[float, float, float]]:
    """Keyframes from a plan of ("go", bearing, distance_m, speed_kn) / ("stay", drift_bearing, drift_m, hours)."""
    keys = [(t0, start[0], start[1])]
    lat, lon, t = start[0], start[1], t0
    for kind, bearing, dist, value in plan:
        lat, lon = destination(lat, lon, bearing, dist)
        t += dist / (value * KNOT_MS) if kind == "go" else value * 3600
        keys.append((t, lat, lon))
    return keys


def _towards(
    a: tuple[float, float], b: tuple[float, float], speed_kn: float, t0: float
) -> list[tuple[float, float, float]]:
    return [(t0, a[0], a[1]), (t0 + haversine_m(*a, *b) / (speed_kn * KNOT_MS), b[0], b[1])]


def _sample(keys: list[tuple[float, float, float]], times: np.ndarray) -> tuple[np.ndarray, ...]:
    kt = np.array([k[0] for k in keys])
    klat = np.array([k[1] for k in keys])
    klon = np.array([k[2] for k in keys])
    times = times[(times >= kt[0]) & (times <= kt[-1])]
    lat = np.interp(times, kt, klat)
    lon = np.interp(times, kt, klon)
    seg = (
        np.clip(np.searchsorted(kt, times, side="right") - 1, 0, len(kt) - 2)
        if len(kt) > 1
        else np.zeros(len(times), int)
    )
    if len(kt) > 1:
        dur = np.maximum(np.diff(kt), 1e-9)
        dist = np.array([haversine_m(klat[i], klon[i], klat[i + 1], klon[i + 1]) for i in range(len(kt) - 1)])
        crs = np.array([bearing_deg(klat[i], klon[i], klat[i + 1], klon[i + 1]) for i in range(len(kt) - 1)])
        sog = (dist / dur / KNOT_MS)[seg]
        cog = crs[seg]
    else:
        sog = np.zeros(len(times))
        cog = np.zeros(len(times))
    return times, lat, lon, sog, cog


def generate(
    seed: int = 7,
    *,
    start: datetime = DEFAULT_START,
    background: int = 40,
    interval_s: float = 120.0,
    radar_interval_s: float = 30.0,
) -> Scenario:
    """A day of AIS and radar with planted events; `background` vessels of ordinary traffic."""
    b = _Builder(seed, start, 24.0, interval_s)
    h = 3600.0
    for _ in range(background):
        b.vessel(b.cruise(float(b.rng.uniform(9, 14))))

    nd = platform("neft-daslari")
    ca = platform("central-azeri")
    ch = platform("chirag-1")
    sd = platform("shah-deniz-alpha")
    assert nd and ca and ch and sd  # packaged table

    # AIS gaps: 7.5 h (alert) and open-ended from 09:00 (15 h, suspicious); decoys 4 h and poor reception.
    gap1 = b.vessel(_legs((40.70, 51.40), 0, [("go", 200, 24 * 1852 * 10.0, 10.0)]), "gap_alert")
    gap1.silences.append((6 * h, 13.5 * h))
    b.truth.append(Truth("ais_gap", gap1.mmsi, b.t(6 * h), b.t(13.5 * h), note="7.5 h silence"))
    gap2 = b.vessel(_legs((41.00, 51.90), 0, [("go", 225, 24 * 1852 * 9.0, 9.0)]), "gap_suspicious")
    gap2.silences.append((9 * h, 24 * h + 1))
    b.truth.append(Truth("ais_gap", gap2.mmsi, b.t(9 * h), b.t(24 * h), note="silent from 09:00 to the end"))
    decoy = b.vessel(_legs((40.90, 52.20), 0, [("go", 250, 24 * 1852 * 8.0, 8.0)]), "gap_decoy_short")
    decoy.silences.append((10 * h, 14 * h))
    weak = b.vessel(
        _legs((41.10, 51.20), 0, [("go", 160, 24 * 1852 * 7.0, 7.0)]),
        "gap_decoy_poor_reception",
        interval_s=2 * h,
    )
    weak.silences.append((8 * h, 16 * h))

    # A radar sees gap_alert during its silence: a dark target.
    b.radar_tracks.append(("R-GAP", gap1.keys, 8 * h, 10 * h))
    b.roles["dark_gap_vessel"] = "R-GAP"
    b.truth.append(Truth("dark_target", "R-GAP", b.t(8 * h), b.t(10 * h), note="gap_alert seen on radar"))

    # Loitering 5 h in open water; decoy drifts 3 h.
    p = (40.55, 52.10)
    lo = b.vessel(
        _legs(p, 0, [("go", 270, 40000, 11.0), ("stay", 45, 600, 5.0), ("go", 270, 120000, 11.0)]), "loiterer"
    )
    stop_t = lo.keys[1][0]
    b.truth.append(Truth("loitering", lo.mmsi, b.t(stop_t), b.t(stop_t + 5 * h), note="5 h below 1 kn"))
    b.vessel(
        _legs(
            (39.75, 52.20), 0, [("go", 300, 40000, 10.0), ("stay", 90, 500, 3.0), ("go", 300, 90000, 10.0)]
        ),
        "loiter_decoy",
    )

    # Encounter: two vessels meet at 41.0N 51.6E, 3 h side by side at under 1 kn.
    meet = (40.95, 51.60)
    a_from = offset(*meet, -30000, -30000)
    b_from = offset(*meet, 30000, 20000)
    t_meet = 5 * h
    ka = _towards(a_from, meet, 11.0, t_meet - haversine_m(*a_from, *meet) / (11 * KNOT_MS))
    kb_meet = offset(*meet, 150, 80)
    kb = _towards(b_from, kb_meet, 12.0, t_meet - haversine_m(*b_from, *kb_meet) / (12 * KNOT_MS))
    ka += _legs(meet, t_meet, [("stay", 90, 300, 3.0), ("go", 225, 60000, 11.0)])[1:]
    kb += _legs(kb_meet, t_meet, [("stay", 90, 300, 3.0), ("go", 30, 60000, 12.0)])[1:]
    ea = b.vessel(ka, "encounter_a")
    eb = b.vessel(kb, "encounter_b")
    pair = sorted([ea.mmsi, eb.mmsi])
    b.truth.append(
        Truth("encounter", pair[0], b.t(t_meet), b.t(t_meet + 3 * h), other=pair[1], note="3 h at 150 m")
    )
    # Decoys: a fast crossing within 300 m, and 1.5 h together.
    cross = (39.90, 51.90)
    b.vessel(_towards(offset(*cross, 0, -40000), offset(*cross, 0, 40000), 12.0, 10 * h), "pass_decoy_a")
    b.vessel(_towards(offset(*cross, -40000, 300), offset(*cross, 40000, 300), 12.0, 10 * h), "pass_decoy_b")
    short = (40.40, 52.25)
    b.vessel(
        _legs(
            offset(*short, -20000, 0),
            12 * h,
            [("go", 0, 20000, 10.0), ("stay", 0, 100, 1.5), ("go", 0, 30000, 10.0)],
        ),
        "short_meet_a",
    )
    b.vessel(
        _legs(
            offset(*short, 20000, 200),
            12 * h,
            [("go", 180, 20000, 10.0), ("stay", 0, 100, 1.5), ("go", 180, 30000, 10.0)],
        ),
        "short_meet_b",
    )

    # Geofences: through the Neft Daşları zone (200 m off), 40 min inside Central Azeri's, a user polygon.
    g1_a = offset(nd.lat, nd.lon, 200, -20000)
    g1_b = offset(nd.lat, nd.lon, 200, 20000)
    g1 = b.vessel(_towards(g1_a, g1_b, 8.0, 3 * h), "intruder_nd")
    t_in = 3 * h + (20000 - math.sqrt(500**2 - 200**2)) / (8 * KNOT_MS)
    t_out = 3 * h + (20000 + math.sqrt(500**2 - 200**2)) / (8 * KNOT_MS)
    b.truth.append(Truth("geofence", g1.mmsi, b.t(t_in), b.t(t_out), other="safety:neft-daslari"))
    ca_in = offset(ca.lat, ca.lon, 0, -300)
    g2_keys = _towards(offset(ca.lat, ca.lon, -25000, -300), ca_in, 9.0, 14 * h)
    g2_keys += _legs(ca_in, g2_keys[-1][0], [("stay", 0, 100, 40 / 60), ("go", 0, 25000, 9.0)])[1:]
    g2 = b.vessel(g2_keys, "intruder_ca")
    b.truth.append(
        Truth(
            "geofence",
            g2.mmsi,
            b.t(g2_keys[1][0] - 200 / (9 * KNOT_MS)),
            b.t(g2_keys[2][0] + 400 / (9 * KNOT_MS)),
            other="safety:central-azeri",
        )
    )
    b.vessel(
        _towards(offset(ch.lat, ch.lon, -900, -20000), offset(ch.lat, ch.lon, -900, 20000), 9.0, 16 * h),
        "zone_decoy",
    )
    box_c = (40.05, 50.55)  # west of the background traffic's sea box, so only the intruder crosses it
    zone = Zone(
        id="user:absheron-box",
        name="Absheron restricted box",
        kind="polygon",
        ring=tuple(
            (round(lon, 6), round(lat, 6))
            for lat, lon in (
                offset(*box_c, -3000, -3000),
                offset(*box_c, -3000, 3000),
                offset(*box_c, 3000, 3000),
                offset(*box_c, 3000, -3000),
                offset(*box_c, -3000, -3000),
            )
        ),
    )
    g3 = b.vessel(_towards(offset(*box_c, -30000, 0), offset(*box_c, 30000, 0), 10.0, 18 * h), "intruder_box")
    t3 = 18 * h + 27000 / (10 * KNOT_MS)
    b.truth.append(Truth("geofence", g3.mmsi, b.t(t3), b.t(t3 + 6000 / (10 * KNOT_MS)), other=zone.id))

    # Spoofing: one report 80 km off then back (11:00); and a teleport of 40 km that stays (15:00).
    sp1 = b.vessel(_legs((41.15, 50.90), 0, [("go", 120, 24 * 1852 * 9.0, 9.0)]), "spoof_blip")
    sp2 = b.vessel(_legs((39.60, 52.30), 0, [("go", 330, 24 * 1852 * 9.0, 9.0)]), "spoof_teleport")
    b.truth.append(
        Truth(
            "spoofing",
            sp1.mmsi,
            b.t(11 * h - interval_s * 1.5),
            b.t(11 * h + interval_s * 1.5),
            note="one report 80 km away",
        )
    )
    b.truth.append(
        Truth(
            "spoofing",
            sp2.mmsi,
            b.t(15 * h - interval_s * 1.5),
            b.t(15 * h + interval_s * 1.5),
            note="40 km teleport",
        )
    )

    # Dark targets: a fast boat crossing towards the coast; a boat idling 3 km from Shah Deniz Alpha.
    dark1 = _towards((40.45, 51.30), (40.05, 50.75), 20.0, 20 * h)
    b.radar_tracks.append(("R-0101", dark1, 20 * h, dark1[-1][0]))
    b.truth.append(Truth("dark_target", "R-0101", b.t(20 * h), b.t(dark1[-1][0])))
    sd_near = offset(sd.lat, sd.lon, 0, 3000)
    dark2 = _legs(sd_near, 2 * h, [("stay", 90, 400, 1.0)])
    b.radar_tracks.append(("R-0102", dark2, 2 * h, 3 * h))
    b.truth.append(Truth("dark_target", "R-0102", b.t(2 * h), b.t(3 * h)))
    b.roles.update({"dark_fast_boat": "R-0101", "dark_idle_boat": "R-0102"})
    # The radar also tracks AIS vessels: these are explained and must not be reported.
    for i, v in enumerate(b.vessels[: min(8, background)]):
        t0 = float(b.rng.uniform(0, 18 * h))
        b.radar_tracks.append((f"R-{1000 + i}", v.keys, t0, t0 + 2 * h))

    for v in b.vessels:
        b.extend(v.keys)
    positions = _ais_frame(b)
    positions = _plant_spoofs(positions, sp1.mmsi, sp2.mmsi, b.t(11 * h), b.t(15 * h))
    radar = _radar_frame(b, radar_interval_s)
    statics = pl.DataFrame(
        {
            "vessel": [v.mmsi for v in b.vessels],
            "name": [v.name for v in b.vessels],
            "imo": [v.imo for v in b.vessels],
            "call_sign": [v.call_sign for v in b.vessels],
            "ship_type": [str(v.ship_type) for v in b.vessels],
        }
    )
    return Scenario(
        start=start,
        end=start + timedelta(hours=24),
        positions=positions,
        radar=radar,
        statics=statics,
        truth=sorted(b.truth, key=lambda t: (t.kind, t.start)),
        user_zones=[zone],
        roles=b.roles,
    )


def _ais_frame(b: _Builder) -> pl.DataFrame:
    frames = []
    for v in b.vessels:
        n = int(b.duration // v.interval_s) + 1
        times = np.arange(n) * v.interval_s + b.rng.uniform(0, min(30.0, v.interval_s / 4), n)
        times, lat, lon, sog, cog = _sample(v.keys, times[times <= b.duration])
        keep = np.ones(len(times), bool)
        for s0, s1 in v.silences:
            keep &= ~((times > s0) & (times < s1))
        # ~10 m of GNSS noise and speed/course jitter as a receiver would see them.
        jitter = b.rng.normal(0, 0.0001, (2, len(times)))
        frames.append(
            pl.DataFrame(
                {
                    "vessel": v.mmsi,
                    "ts": [b.start + timedelta(seconds=float(s)) for s in times[keep]],
                    "lat": (lat + jitter[0])[keep],
                    "lon": (lon + jitter[1])[keep],
                    "sog": np.round(np.abs(sog + b.rng.normal(0, 0.1, len(times))), 1)[keep],
                    "cog": np.round(cog, 1)[keep],
                    "heading": np.round(cog)[keep],
                }
            )
        )
    return (
        pl.concat(frames).with_columns(pl.col("ts").cast(UTC_US)).cast(POSITION_SCHEMA).sort("vessel", "ts")
    )


def _plant_spoofs(
    frame: pl.DataFrame, blip: str, teleport: str, blip_at: datetime, teleport_at: datetime
) -> pl.DataFrame:
    # The report nearest blip_at moves 80 km north-east; reports of `teleport` from teleport_at on move 40 km west.
    dist = (pl.col("ts") - pl.lit(blip_at)).dt.total_seconds().abs()
    nearest = frame.filter(pl.col("vessel") == blip).with_columns(dist.alias("d")).sort("d")["ts"][0]
    north = 80000 / 111_195.0
    is_blip = (pl.col("vessel") == blip) & (pl.col("ts") == nearest)
    moved = (pl.col("vessel") == teleport) & (pl.col("ts") >= teleport_at)
    return frame.with_columns(
        pl.when(is_blip).then(pl.col("lat") + north * 0.7).otherwise(pl.col("lat")).alias("lat"),
        pl.when(is_blip)
        .then(pl.col("lon") + north * 0.7 / math.cos(math.radians(40.5)))
        .when(moved)
        .then(pl.col("lon") - 40000 / 84_560.0)
        .otherwise(pl.col("lon"))
        .alias("lon"),
    )


def _radar_frame(b: _Builder, interval_s: float) -> pl.DataFrame:
    frames = []
    for track, keys, t0, t1 in b.radar_tracks:
        times = np.arange(t0, t1, interval_s)
        times, lat, lon, sog, cog = _sample(keys, times)
        noise = b.rng.normal(0, 0.0008, (2, len(times)))  # radar plots scatter by ~100 m
        frames.append(
            pl.DataFrame(
                {
                    "track": track,
                    "ts": [b.start + timedelta(seconds=float(s)) for s in times],
                    "lat": lat + noise[0],
                    "lon": lon + noise[1],
                    "speed": np.round(sog, 1),
                    "course": np.round(cog, 1),
                }
            )
        )
    return pl.concat(frames).with_columns(pl.col("ts").cast(UTC_US)).cast(RADAR_SCHEMA).sort("track", "ts")


@dataclass(slots=True)
class Score:
    kind: str
    truths: int
    events: int
    true_positives: int
    found: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.events if self.events else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.truths if self.truths else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "planted": self.truths,
            "detected": self.events,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
        }


def _matches(event: Event, truth: Truth, end_of_data: datetime, slack: timedelta) -> bool:
    if event.kind != truth.kind:
        return False
    ids = {event.vessel, event.other} if event.kind == "encounter" else {event.vessel}
    wanted = {truth.vessel, truth.other} if truth.kind == "encounter" else {truth.vessel}
    if ids != wanted or (truth.kind == "geofence" and event.other != truth.other):
        return False
    end = event.end or end_of_data
    return event.start <= truth.end + slack and end >= truth.start - slack


def score(
    events: list[Event], truth: list[Truth], end_of_data: datetime, kinds: tuple[str, ...]
) -> list[Score]:
    """Precision and recall per kind: an event is right if it matches a planted one (who, overlapping when)."""
    slack = timedelta(minutes=20)
    result = []
    for kind in kinds:
        ev = [e for e in events if e.kind == kind]
        tr = [t for t in truth if t.kind == kind]
        tp = sum(1 for e in ev if any(_matches(e, t, end_of_data, slack) for t in tr))
        found = sum(1 for t in tr if any(_matches(e, t, end_of_data, slack) for e in ev))
        result.append(Score(kind, len(tr), len(ev), tp, found))
    return result
