"""A realistic year of seizures along the Caspian corridors, deterministic by seed.

The scenarios follow what public UNODC, WCO and national reporting says moves through Azerbaijan:
opiates and methamphetamine north from Iran through Astara (in produce trucks, false compartments),
cigarettes and counterfeit goods west on the China route (Aktau/Kuryk ferries to Alat, rail through
Boyuk Kesik), acetic anhydride and other precursors east towards Afghanistan, firearm parts and
ammunition across the Georgian and Russian borders, dual-use electronics north to Russia, undeclared
cash at the airport, and sturgeon caviar. Quantities are log-normal around a typical seizure; months
carry seasonality (produce season for opiate concealment) and a trend (methamphetamine growing).
Names of people and companies are invented.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from corridor.reference import location
from corridor.seizures.schemas import PartyIn, ProfileHitIn, SeizureIn


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    weight: float
    types: tuple[tuple[str, float], ...]
    unit: str
    typical: float  # median quantity in `unit`
    spread: float  # sigma of the log-normal
    usd_per_unit: float
    places: tuple[tuple[str, str], ...]  # (office, locode of the place of seizure)
    routes: tuple[tuple[str, tuple[str, ...], str], ...]
    mode: str
    concealments: tuple[tuple[str, float], ...]
    detections: tuple[tuple[str, float], ...]
    profiles: tuple[str, ...]
    nationalities: tuple[str, ...]
    season: tuple[float, ...] = (1.0,) * 12  # relative weight by month (Jan..Dec)
    trend: float = 0.0  # relative growth across the year


ASTARA = (("AZ-ASTARA-BP", "AZAST"), ("AZ-ASTARA-BP", "AZLAN"), ("AZ-ASTARA-BP", "AZSHI"))
ALAT = (("AZ-ALAT-PCU", "AZALA"), ("AZ-ALAT-PCU", "AZSAN"), ("AZ-ALAT-PCU", "AZQDG"))
YALAMA = (("AZ-YALAMA-BP", "AZYAL"), ("AZ-YALAMA-BP", "AZKMZ"))
REDBRIDGE = (("AZ-REDBRIDGE-BP", "AZKAZ"), ("AZ-REDBRIDGE-BP", "AZTOV"))
BOYUKKESIK = (("AZ-BOYUKKESIK-RW", "AZAGS"), ("AZ-BOYUKKESIK-RW", "AZGAN"))
AIRPORT = (("AZ-BAKU-AIR", "AZGYD"),)
PRODUCE_SEASON = (0.7, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.4, 1.6, 1.6, 1.3, 0.9)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "opiates_astara",
        14,
        (("heroin", 0.7), ("opium", 0.3)),
        "kg",
        8.0,
        1.0,
        25_000,
        ASTARA,
        (("IR", (), "AZ"), ("IR", ("AZ",), "RU"), ("IR", ("AZ",), "GE"), ("AF", ("IR", "AZ"), "RU")),
        "road",
        (("false_compartment", 0.4), ("within_goods", 0.35), ("fuel_tank", 0.15), ("tyres", 0.1)),
        (("risk_profile", 0.45), ("canine", 0.25), ("xray", 0.2), ("intelligence", 0.1)),
        ("DRG-PRODUCE-IR", "DRG-NEW-TRADER"),
        ("IR", "AZ", "TR"),
        PRODUCE_SEASON,
    ),
    Scenario(
        "meth_astara",
        9,
        (("methamphetamine", 0.85), ("cannabis_resin", 0.15)),
        "kg",
        3.0,
        1.1,
        30_000,
        ASTARA + (("AZ-ALAT-PCU", "AZALA"),),
        (("IR", (), "AZ"), ("AF", ("IR",), "AZ"), ("IR", ("AZ",), "RU")),
        "road",
        (("false_compartment", 0.35), ("vehicle_body", 0.3), ("within_goods", 0.2), ("on_body", 0.15)),
        (("risk_profile", 0.35), ("canine", 0.3), ("intelligence", 0.2), ("random", 0.15)),
        ("DRG-PRODUCE-IR",),
        ("IR", "AZ"),
        trend=0.8,
    ),
    Scenario(
        "pills_air",
        6,
        (("tramadol", 0.6), ("captagon", 0.25), ("cocaine", 0.15)),
        "pcs",
        4_000,
        1.2,
        0.5,
        AIRPORT,
        (("IN", ("AE",), "AZ"), ("AE", (), "AZ"), ("TR", (), "AZ"), ("BR", ("TR",), "AZ")),
        "air",
        (("luggage", 0.6), ("postal_item", 0.25), ("internal_body", 0.15)),
        (("risk_profile", 0.4), ("xray", 0.35), ("canine", 0.15), ("partner_alert", 0.1)),
        ("DRG-AIR-COURIER",),
        ("IN", "AZ", "NG", "TR"),
    ),
    Scenario(
        "cigarettes_china_route",
        16,
        (("cigarettes", 0.9), ("water_pipe_tobacco", 0.1)),
        "sticks",
        400_000,
        1.0,
        0.03,
        ALAT + BOYUKKESIK,
        (
            ("CN", ("KZ",), "AZ"),
            ("CN", ("KZ", "AZ"), "GE"),
            ("CN", ("KZ", "AZ"), "TR"),
            ("AE", ("IR",), "AZ"),
        ),
        "sea",
        (("misdeclared", 0.45), ("container_structure", 0.3), ("within_goods", 0.25)),
        (("risk_profile", 0.55), ("xray", 0.35), ("random", 0.1)),
        ("TOB-PAPER-COVER", "TOB-CIG-CN-ROUTE"),
        ("AZ", "KZ", "CN", "GE"),
    ),
    Scenario(
        "precursors_east",
        5,
        (("acetic_anhydride", 0.75), ("ephedrine", 0.15), ("other_precursor", 0.1)),
        "l",
        2_000,
        1.0,
        3,
        ALAT + (("AZ-ASTARA-BP", "AZAST"),),
        (("CN", ("AZ",), "TM"), ("IN", ("AZ",), "AF"), ("TR", ("AZ",), "IR")),
        "sea",
        (("misdeclared", 0.6), ("in_cargo", 0.4)),
        (("risk_profile", 0.5), ("partner_alert", 0.3), ("intelligence", 0.2)),
        ("PRE-ACETIC-ANHYDRIDE",),
        ("AZ", "TR", "IN", "CN"),
    ),
    Scenario(
        "weapons_borders",
        5,
        (("firearm_parts", 0.45), ("firearms", 0.2), ("ammunition", 0.35)),
        "pcs",
        40,
        1.1,
        150,
        REDBRIDGE + YALAMA,
        (("GE", (), "AZ"), ("TR", ("GE",), "AZ"), ("RU", (), "AZ"), ("UA", ("RU",), "AZ")),
        "road",
        (("false_compartment", 0.4), ("vehicle_body", 0.3), ("luggage", 0.2), ("postal_item", 0.1)),
        (("xray", 0.4), ("risk_profile", 0.3), ("intelligence", 0.3)),
        ("WPN-PARTS-MISDECLARED",),
        ("GE", "AZ", "RU", "AM"),
    ),
    Scenario(
        "dual_use_north",
        6,
        (("dual_use_electronics", 0.8), ("dual_use_machinery", 0.2)),
        "pcs",
        300,
        1.3,
        80,
        YALAMA + ALAT,
        (("CN", ("KZ", "AZ"), "RU"), ("TR", ("GE", "AZ"), "RU"), ("AE", ("AZ",), "RU")),
        "road",
        (("misdeclared", 0.7), ("within_goods", 0.3)),
        (("risk_profile", 0.65), ("partner_alert", 0.2), ("intelligence", 0.15)),
        ("STR-CHPL-RU-DIVERSION", "STR-TRANSSHIP-HUB"),
        ("AZ", "RU", "TR", "AE"),
        trend=0.4,
    ),
    Scenario(
        "cash_airport",
        8,
        (("cash", 0.9), ("gold", 0.1)),
        "usd",
        60_000,
        0.9,
        1,
        AIRPORT + (("AZ-ASTARA-BP", "AZAST"),),
        (("AZ", (), "AE"), ("AZ", (), "TR"), ("RU", (), "AZ"), ("AZ", (), "IR")),
        "air",
        (("luggage", 0.55), ("on_body", 0.35), ("vehicle_body", 0.1)),
        (("random", 0.35), ("xray", 0.3), ("risk_profile", 0.2), ("canine", 0.15)),
        ("CUR-UNDECLARED-CASH",),
        ("AZ", "RU", "IR", "TR"),
    ),
    Scenario(
        "caviar",
        4,
        (("caviar", 0.85), ("sturgeon", 0.15)),
        "kg",
        6,
        1.0,
        1_500,
        YALAMA + AIRPORT + (("AZ-ASTARA-BP", "AZLAN"),),
        (("AZ", (), "RU"), ("AZ", (), "AE"), ("IR", ("AZ",), "RU")),
        "road",
        (("vehicle_body", 0.4), ("luggage", 0.4), ("within_goods", 0.2)),
        (("canine", 0.3), ("random", 0.3), ("intelligence", 0.4)),
        (),
        ("AZ", "RU", "IR"),
        (0.6, 0.6, 0.8, 1.0, 1.3, 1.4, 1.2, 1.0, 0.9, 0.9, 1.1, 1.6),
    ),
    Scenario(
        "counterfeit",
        8,
        (("apparel", 0.35), ("spare_parts", 0.3), ("cosmetics", 0.2), ("medicines", 0.15)),
        "pcs",
        3_000,
        1.2,
        4,
        ALAT + BOYUKKESIK + REDBRIDGE,
        (("CN", ("KZ",), "AZ"), ("TR", ("GE",), "AZ"), ("CN", ("KZ", "AZ"), "GE")),
        "rail",
        (("misdeclared", 0.5), ("within_goods", 0.5)),
        (("risk_profile", 0.5), ("random", 0.2), ("xray", 0.3)),
        ("IPR-BRAND-CN",),
        ("AZ", "CN", "TR"),
    ),
    Scenario(
        "alcohol_north",
        4,
        (("spirits", 0.7), ("ethanol", 0.3)),
        "l",
        800,
        1.0,
        4,
        YALAMA,
        (("RU", (), "AZ"), ("RU", ("AZ",), "GE")),
        "road",
        (("in_cargo", 0.5), ("misdeclared", 0.5)),
        (("risk_profile", 0.4), ("random", 0.3), ("xray", 0.3)),
        (),
        ("RU", "AZ"),
        (1.4, 1.0, 0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3, 1.8),
    ),
)

_FIRST = {
    "IR": ("Reza", "Hossein", "Mehdi", "Ali", "Saeed", "Majid"),
    "AZ": ("Elvin", "Rashad", "Tural", "Farid", "Orkhan", "Nijat"),
    "TR": ("Mehmet", "Emre", "Burak", "Serkan"),
    "RU": ("Sergey", "Dmitry", "Alexey", "Igor"),
    "GE": ("Giorgi", "Levan", "Davit"),
    "KZ": ("Nurlan", "Yerlan", "Aidos"),
}
_LAST = {
    "IR": ("Ahmadi", "Hosseini", "Karimi", "Rahimi", "Moradi", "Jafari"),
    "AZ": ("Aliyev", "Mammadov", "Huseynov", "Guliyev", "Hasanov", "Ismayilov"),
    "TR": ("Yilmaz", "Kaya", "Demir", "Celik"),
    "RU": ("Ivanov", "Smirnov", "Kuznetsov", "Popov"),
    "GE": ("Beridze", "Kapanadze", "Gelashvili"),
    "KZ": ("Nurpeisov", "Akhmetov", "Seitkali"),
}
_COMPANIES = (
    ("Golden Crescent Trading FZE", "AE"),
    ("Caspian Fresh Produce MMC", "AZ"),
    ("Tabriz Sabz Fruit Co.", "IR"),
    ("Khorgos Silk Logistics TOO", "KZ"),
    ("Anatolia Parts Ticaret Ltd", "TR"),
    ("Volga Components OOO", "RU"),
    ("Shirvan Chem Supply MMC", "AZ"),
    ("Kuryk Transit Service TOO", "KZ"),
    ("Blue Tulip General Trading LLC", "AE"),
    ("Tbilisi Auto Market LLC", "GE"),
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _person(rng: random.Random, nationalities: tuple[str, ...], role: str) -> PartyIn:
    nat = rng.choice(nationalities)
    first = rng.choice(_FIRST.get(nat, _FIRST["AZ"]))
    last = rng.choice(_LAST.get(nat, _LAST["AZ"]))
    passport = f"PASSPORT:{nat}{rng.randint(1_000_000, 9_999_999)}"
    return PartyIn(name=f"{first} {last}", role=role, kind="person", nationality=nat, identifier=passport)


def generate(seed: int = 1, *, end: date | None = None, count: int = 1200) -> list[SeizureIn]:
    """`count` seizures over the twelve months ending with `end`'s month (default: this month)."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC).date()
    first_month = date(end.year - 1 + (end.month // 12), end.month % 12 + 1, 1)
    months = [
        date(first_month.year + (first_month.month - 1 + i) // 12, (first_month.month - 1 + i) % 12 + 1, 1)
        for i in range(12)
    ]
    weights = [s.weight for s in SCENARIOS]
    out: list[SeizureIn] = []
    for sequence in range(1, count + 1):
        sc = rng.choices(SCENARIOS, weights)[0]
        month_weights = [sc.season[m.month - 1] * (1 + sc.trend * i / 11) for i, m in enumerate(months)]
        month = rng.choices(months, month_weights)[0]
        next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        day = month + timedelta(days=rng.randrange((next_month - month).days))
        seized_at = datetime(
            day.year, day.month, day.day, rng.randint(0, 23), rng.choice((0, 15, 30, 45)), tzinfo=UTC
        )
        office, locode = rng.choice(sc.places)
        loc = location(locode)
        lat = lon = None
        if loc is not None and loc.lat is not None and loc.lon is not None:
            # Mobile teams seize along the approach roads, not on the office's doorstep.
            jitter = 0.0 if locode in ("AZGYD", "AZALA") else 0.06
            lat = round(loc.lat + rng.uniform(-jitter, jitter), 5)
            lon = round(loc.lon + rng.uniform(-jitter, jitter), 5)
        kind = _pick(rng, sc.types)
        quantity = sc.typical * math.exp(rng.gauss(0, sc.spread))
        quantity = round(quantity, 1) if sc.unit in ("kg", "l") else float(max(1, round(quantity)))
        departure, transit, destination = rng.choice(sc.routes)
        detection = _pick(rng, sc.detections)
        hits = (
            [ProfileHitIn(rule_id=rng.choice(sc.profiles), source="profile")]
            if sc.profiles and detection == "risk_profile"
            else []
        )
        mode = sc.mode
        if office == "AZ-BOYUKKESIK-RW":
            mode = "rail"
        elif office == "AZ-BAKU-AIR":
            mode = "air"
        elif office == "AZ-ALAT-PCU" and mode != "sea":
            mode = "sea"
        elif office in ("AZ-ASTARA-BP", "AZ-YALAMA-BP", "AZ-REDBRIDGE-BP") and mode != "road":
            mode = "road"
        parties = [_person(rng, sc.nationalities, "driver" if mode in ("road", "rail") else "passenger")]
        if rng.random() < 0.55:
            # A small pool of companies recurs: networks are what the watch list is for.
            name, nat = _COMPANIES[min(int(rng.expovariate(0.45)), len(_COMPANIES) - 1)]
            parties.append(
                PartyIn(
                    name=name, role=rng.choice(("consignor", "consignee")), kind="company", nationality=nat
                )
            )
        out.append(
            SeizureIn(
                ref=f"DEMO-{seed}-{sequence:05d}",
                seized_at=seized_at,
                office=office,
                locode=locode,
                place=loc.name if loc is not None else None,
                lat=lat,
                lon=lon,
                commodity_type=kind,
                quantity=quantity,
                unit=sc.unit,
                value_usd=round(quantity * sc.usd_per_unit * rng.uniform(0.7, 1.3), -1),
                concealment=_pick(rng, sc.concealments),
                detection=detection,
                transport_mode=mode,
                conveyance=_conveyance(rng, mode),
                departure_country=departure,
                transit_countries=list(transit),
                destination_country=destination,
                profile_hits=hits,
                parties=parties,
            )
        )
    out.sort(key=lambda s: s.seized_at)
    return out


def _conveyance(rng: random.Random, mode: str) -> str:
    if mode == "air":
        return f"{rng.choice(('J2', 'TK', 'FZ', 'SU'))} {rng.randint(10, 999)}"
    if mode == "sea":
        return rng.choice(("BARDA", "NAKHCHIVAN", "AKADEMIK TOPCHUBASHOV", "BALAKAN", "PIRI REIS"))
    if mode == "rail":
        return f"WAGON {rng.randint(50_000_000, 59_999_999)}"
    letters = "ABCDEFGHKLMNPRSTUX"
    return f"{rng.randint(10, 99)}-{rng.choice(letters)}{rng.choice(letters)}-{rng.randint(100, 999)}"


def load(engine: Engine, seed: int = 1, count: int = 1200) -> str:
    """Record the demo year (idempotent: the refs are DEMO-<seed>-<n>); a one-line summary."""
    from corridor.db.engine import unit_of_work
    from corridor.seizures.service import record_many

    with unit_of_work(engine) as session:
        done = record_many(session, generate(seed, count=count), source="demo")
    return f"{len(done['created'])} new, {len(done['updated']) + len(done['unchanged'])} already loaded"
