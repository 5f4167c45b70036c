"""A deterministic, streaming generator of realistic pre-arrival consignments for the Caspian corridors.

`generate(count, seed)` yields `Consignment`s one at a time from pools built once (companies,
carriers, conveyances, commodity mixes), so memory stays constant whatever the count. The same seed
and start date give the same stream. About one record in `PLANT_EVERY` is a planted high-risk
consignment whose ground truth is known (see `PLANTED_SCENARIOS` and docs/demo-data.md).

Historical records (ETA before the start date) arrive; a share of them carries the inspection
outcome that came with the source data (`SourceOutcome`), including revenue at stake for
discrepancies, so the risk model has labels to learn from.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from corridor.demo import catalogue as cat
from corridor.domain import iso6346
from corridor.domain.consignment import (
    Consignment,
    Conveyance,
    DocumentType,
    Equipment,
    FreightPayment,
    GoodsItem,
    Identifier,
    ItineraryStop,
    Money,
    Party,
    PartyRole,
    Place,
    SourceOutcome,
    StopRole,
    TransportMode,
)

PLANT_EVERY = 200
# Three quarters of the window lies before the start date (history with outcomes), one quarter after
# it (today's and upcoming arrivals for the targeting queue).
PAST_FRACTION = 0.75
# Share of arrived consignments whose source data carries an inspection outcome.
OUTCOME_SHARE = 0.25
LATE_FILING_SHARE = 0.04
WRONG_CHECK_DIGIT_SHARE = 0.003
# Import duty plus VAT on an understated value, roughly Azerbaijan's 0-15% duty and 18% VAT.
REVENUE_RATE = 0.33

PLANTED_SCENARIOS: dict[str, str] = {
    "opiates_in_produce": "heroin concealed in a fruit or vegetable truck from Afghanistan/Iran via Astara",
    "cigarettes_misdeclared": "cigarettes declared as paper products or heavily undervalued, China to Caspian",
    "precursor_acetic_anhydride": "acetic anhydride (Table I precursor) declared as acetic acid or chemicals",
    "dual_use_diversion": "CHPL electronics and radar/navigation/lasers routed via Azerbaijan to RU or IR",
    "firearms_parts": "pistol parts declared as motor vehicle spare parts",
    "vague_first_time": "first-time consignee, vague description, cash payment, undervaluation",
    "repeated_seal": "the same seal number on two containers of one consignment (resealed after tampering)",
    "container_check_digit": "a container number failing its ISO 6346 check digit, misdeclared goods inside",
}

T = TypeVar("T")

_HIGH_FRAUD = {
    "smartphones",
    "laptops",
    "computer_parts",
    "tvs",
    "cctv",
    "trousers_men",
    "trousers_women",
    "jerseys",
    "footwear",
    "footwear_leather",
    "cosmetics",
    "auto_parts",
    "brakes",
    "tyres",
    "cigarettes",
    "watches",
    "jewellery",
    "led_lamps",
    "toys",
    "inverters",
    "medicaments",
    "carpets_hand",
}
_LOW_FRAUD = {
    "wheat",
    "barley",
    "flour",
    "cement",
    "urea",
    "npk",
    "ammonium_nitrate",
    "rebar",
    "steel_plate",
    "pine",
    "spruce",
    "fuel_oil",
    "sulphuric_acid",
    "copper",
    "zinc",
    "ferrochrome",
    "sunoil_crude",
}
_BULK_PACKAGES = {"VR", "VL"}
_FRUIT_KEYS = (
    "oranges",
    "mandarins",
    "grapes",
    "apples",
    "tomatoes",
    "onions",
    "pomegranates",
    "melons",
    "raisins",
    "apricots",
)
_DUAL_USE_HUBS = {"HK": "HKHKG", "AE": "AEDXB", "TR": "TRIST", "CN": "CNPVG"}
_VAGUE = ("GENERAL CARGO", "FAK", "Personal effects", "Various goods", "STC consolidated goods", "Goods")
_MARKS = ("NO MARKS", "AS PER INVOICE", "N/M", "AS ADDRESSED")
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVXYZ"
_RU_PLATE_LETTERS = "ABEKMHOPCTYX"


def _pick(rng: random.Random, seq: Sequence[T]) -> T:
    # random.choice costs several calls per draw; one float draw is enough for these small pools.
    return seq[int(rng.random() * len(seq))]


def _int(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


class _Picker:
    """Weighted choice by bisection on cumulative weights: O(log n) per draw, no per-draw allocation."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self._items: list[Any] = list(items)
        self._cum = list(itertools.accumulate(weights))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self._items[bisect.bisect_right(self._cum, rng.random() * self._total)]


@dataclass(slots=True)
class _Trader:
    company: cat.Company
    risk: float


class _Pool:
    """Companies of one country, with Zipf-like activity: a few traders file most documents."""

    def __init__(self, companies: list[cat.Company], rng: random.Random) -> None:
        self.traders = [_Trader(c, 8.0 if rng.random() < 0.04 else 1.0) for c in companies]
        self.pick = _Picker(self.traders, [1.0 / (k + 1) ** 0.8 for k in range(len(self.traders))])


@dataclass(slots=True)
class _CorridorPools:
    corridor: cat.Corridor
    origin: _Picker
    destination: _Picker
    route: list[tuple[str, ...]]
    commodity: _Picker
    carriers: list[cat.Carrier]
    vessels: list[cat.Vessel]


def _pool_size(country: str) -> int:
    return {"AZ": 700, "CN": 220, "TR": 200, "RU": 180, "IR": 160, "KZ": 140, "GE": 90}.get(country, 50)


class _World:
    def __init__(self, seed: int) -> None:
        rng = random.Random(f"corridor-demo-world/{seed}")
        self.pools = {
            country: _Pool(cat.build_companies(country, _pool_size(country), rng), rng)
            for country in cat.COMPANY_COUNTRIES
        }
        self.corridor = _Picker(cat.CORRIDORS, [c.share for c in cat.CORRIDORS])
        self.by_id: dict[str, _CorridorPools] = {}
        for corridor in cat.CORRIDORS:
            carriers = [c for key in corridor.carriers for c in cat.CARRIERS[key]]
            codes = {c.code for c in carriers}
            self.by_id[corridor.id] = _CorridorPools(
                corridor=corridor,
                origin=_Picker(corridor.origins, [o.weight for o in corridor.origins]),
                destination=_Picker(corridor.destinations, [d.weight for d in corridor.destinations]),
                route=list(corridor.transit_routes),
                commodity=_Picker(
                    [cat.COMMODITIES[k] for k, _ in corridor.mix], [w for _, w in corridor.mix]
                ),
                carriers=carriers,
                vessels=[v for v in cat.VESSELS if v.carrier in codes] or list(cat.VESSELS),
            )
        self.container_type = _Picker(cat.CONTAINER_TYPES, [t[1] for t in cat.CONTAINER_TYPES])
        self.items = _Picker((1, 2, 3, 4, 5), (45, 25, 15, 10, 5))
        self.containers = _Picker((1, 2, 3, 4), (70, 20, 7, 3))
        self.carrier_by_code = {c.code: c for group in cat.CARRIERS.values() for c in group}
        # Road carriers run fixed fleets, so the same trucks and trailers come back week after week.
        self.fleets = {
            code: [(_plate(c.country, rng), _plate(c.country, rng)) for _ in range(80)]
            for code, c in self.carrier_by_code.items()
        }
        self.plates = {
            country: [_plate(country, rng) for _ in range(300)] for country in cat.COMPANY_COUNTRIES
        }


class _Counters:
    """Per-stream serial numbers, so document and seal numbers never repeat within one stream."""

    def __init__(self, rng: random.Random) -> None:
        self.document = rng.randrange(1_000_000, 2_000_000)
        self.seal = rng.randrange(10**7)
        self.new_company = 0


def _ts(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _loguniform(rng: random.Random, low: float, high: float) -> float:
    return float(low * (high / low) ** rng.random())


def _company_party(role: PartyRole, trader: cat.Company, *, full: bool = True) -> dict[str, Any]:
    party: dict[str, Any] = {"role": role, "name": trader.name, "country": trader.country}
    if full:
        scheme, _, value = trader.tin.partition(":")
        party["address"] = trader.address
        party["identifiers"] = [{"scheme": scheme, "value": value}]
    return party


def _plate(country: str, rng: random.Random) -> str:
    L = _PLATE_LETTERS
    if country == "AZ":
        return f"{_int(rng, 10, 99)}-{_pick(rng, L)}{_pick(rng, L)}-{_int(rng, 100, 999)}"
    if country == "IR":
        return f"{_int(rng, 10, 99)}{_pick(rng, 'BDEJSTVY')}{_int(rng, 100, 999)}-{_int(rng, 10, 99)}"
    if country == "TR":
        return f"{_int(rng, 1, 81):02d} {_pick(rng, L)}{_pick(rng, L)}{_pick(rng, L)} {_int(rng, 100, 999)}"
    if country == "RU":
        letters = _RU_PLATE_LETTERS
        return f"{_pick(rng, letters)}{_int(rng, 100, 999)}{_pick(rng, letters)}{_pick(rng, letters)}{_int(rng, 1, 199):02d}"
    if country == "KZ":
        return f"{_int(rng, 100, 999)}{_pick(rng, L)}{_pick(rng, L)}{_pick(rng, L)}{_int(rng, 1, 17):02d}"
    if country == "GE":
        return f"{_pick(rng, L)}{_pick(rng, L)}-{_int(rng, 100, 999)}-{_pick(rng, L)}{_pick(rng, L)}"
    if country == "AF":
        return f"{_pick(rng, ('KBL', 'HRT', 'BLK', 'KDR'))}-{_int(rng, 10000, 99999)}"
    if country == "PL":
        return f"W{_pick(rng, L)} {_int(rng, 10000, 99999)}"
    if country == "DE":
        return f"{_pick(rng, ('DU', 'HH', 'M', 'F'))}-{_pick(rng, L)}{_pick(rng, L)} {_int(rng, 100, 9999)}"
    return f"{_pick(rng, L)}{_pick(rng, L)} {_int(rng, 1000, 9999)}"


class _Builder:
    def __init__(self, seed: int, start: date, days: int) -> None:
        self.world = _World(seed)
        self.rng = random.Random(seed)
        self.counters = _Counters(random.Random(f"corridor-demo-serials/{seed}"))
        self.base = datetime(start.year, start.month, start.day, tzinfo=UTC)
        self.window_minutes = max(1, days) * 24 * 60
        self.past_minutes = int(self.window_minutes * PAST_FRACTION)

    # -- the ordinary consignment ------------------------------------------------------------------

    def build(
        self, index: int, corridor_id: str | None = None, *, containers: int | None = None
    ) -> dict[str, Any]:
        rng, world = self.rng, self.world
        pools = world.by_id[corridor_id] if corridor_id else world.by_id[world.corridor(rng).id]
        corridor = pools.corridor
        origin: cat.Origin = pools.origin(rng)
        destination: cat.Destination = pools.destination(rng)
        loading = _pick(rng, origin.loading)
        route = _pick(rng, pools.route)
        delivery = _pick(rng, destination.delivery)
        mode = corridor.mode

        eta = self.base + timedelta(minutes=int(rng.random() * self.window_minutes) - self.past_minutes)
        eta = _ts(eta)
        departure = _ts(eta - timedelta(hours=rng.uniform(*corridor.transit_hours)))
        if rng.random() < LATE_FILING_SHARE:
            filed = eta - timedelta(minutes=_int(rng, 15, 12 * 60))
        else:
            filed = eta - timedelta(minutes=_int(rng, 24 * 60, 5 * 24 * 60))
        filed = _ts(filed)
        arrived = eta < self.base
        record: dict[str, Any] = {
            "document_type": corridor.document_type,
            "mode": mode,
            "office": corridor.office,
            "filed_at": filed,
            "departure_at": departure,
            "eta": eta,
        }
        if arrived:
            record["arrival_at"] = _ts(eta + timedelta(minutes=int(rng.gauss(60, 240)) % (36 * 60)))

        carrier = _pick(rng, pools.carriers)
        record["document_number"] = self._document_number(corridor, carrier, loading)
        record["carrier"] = {
            "role": PartyRole.CARRIER,
            "name": carrier.name,
            "identifiers": [{"scheme": "CARRIER", "value": carrier.code}],
        }
        containerised = containers is not None or rng.random() < corridor.containerised
        record["conveyance"] = self._conveyance(corridor, pools, carrier, eta)

        # places and countries
        itinerary = [loading, *route, corridor.discharge, delivery]
        record["itinerary"] = [
            {"sequence": seq, "role": role, "place": {"locode": code, "country": code[:2]}}
            for seq, (role, code) in enumerate(
                zip(
                    [
                        StopRole.LOADING,
                        *[StopRole.TRANSIT] * len(route),
                        StopRole.DISCHARGE,
                        StopRole.DELIVERY,
                    ],
                    itinerary,
                    strict=True,
                )
            )
        ]
        record["place_of_loading"] = {"locode": loading, "country": loading[:2]}
        record["place_of_discharge"] = {"locode": corridor.discharge, "country": corridor.discharge[:2]}
        record["place_of_delivery"] = {"locode": delivery, "country": delivery[:2]}
        record["origin_country"] = origin.country
        record["departure_country"] = loading[:2]
        record["destination_country"] = destination.country
        transit: list[str] = []
        for country in (loading[:2], *corridor.transit_countries, *destination.via):
            if country not in (origin.country, destination.country) and country not in transit:
                transit.append(country)
        record["transit_countries"] = transit

        # parties
        consignor = world.pools[origin.country].pick(rng)
        consignee = world.pools[destination.country].pick(rng)
        parties = [
            _company_party(PartyRole.CONSIGNOR, consignor.company),
            _company_party(PartyRole.CONSIGNEE, consignee.company),
        ]
        notify_share = 0.5 if corridor.document_type == DocumentType.BILL_OF_LADING else 0.15
        if rng.random() < notify_share:
            notify = world.pools["AZ"].pick(rng).company
            parties.append(_company_party(PartyRole.NOTIFY, notify, full=False))
        declarant, declarant_id = _pick(rng, cat.DECLARANTS)
        scheme, _, value = declarant_id.partition(":")
        parties.append(
            {
                "role": PartyRole.DECLARANT,
                "name": declarant,
                "identifiers": [{"scheme": scheme, "value": value}],
            }
        )
        record["parties"] = parties

        # equipment and load
        equipment: list[dict[str, Any]] = []
        if containerised:
            for _ in range(containers or world.containers(rng)):
                size_type, _share, payload = world.container_type(rng)
                equipment.append(
                    {
                        "number": self._container_number(),
                        "size_type": size_type,
                        "seals": [self._seal(carrier.country)],
                        "_payload": payload * rng.uniform(0.35, 0.95),
                    }
                )
            load = sum(e.pop("_payload") for e in equipment)
        else:
            load = rng.uniform(*corridor.load_kg)
            if mode == TransportMode.AIR and rng.random() < 0.3:
                equipment.append(
                    {"number": f"AKE{_int(rng, 10000, 99999)}{carrier.code[:2]}", "size_type": "ULD"}
                )
        record["equipment"] = equipment

        # goods
        currency = self._currency(origin.country)
        russian = rng.random() < cat.RUSSIAN_WRITING.get(origin.country, 0.0)
        count = world.items(rng)
        shares = [rng.random() + 0.2 for _ in range(count)]
        total_share = sum(shares)
        risk = consignee.risk * consignor.risk
        goods: list[dict[str, Any]] = []
        fraud_revenue = 0.0
        first: cat.Commodity | None = None
        for seq, share in enumerate(shares, start=1):
            commodity: cat.Commodity = pools.commodity(rng)
            first = first or commodity
            item, understated = self._goods_item(
                seq, commodity, load * share / total_share, currency, russian, origin.country, risk
            )
            fraud_revenue += understated
            if equipment and equipment[0].get("size_type") != "ULD":
                item["containers"] = (
                    [e["number"] for e in equipment]
                    if count == 1
                    else [equipment[(seq - 1) % len(equipment)]["number"]]
                )
            if mode == TransportMode.SEA and not containerised and rng.random() < 0.6:
                item["marks"] = f"TRUCK {_pick(rng, world.plates[origin.country])}"
            goods.append(item)
        record["goods"] = goods
        record["total_packages"] = sum(g["packages"] for g in goods)
        record["total_gross_kg"] = round(sum(g["gross_kg"] for g in goods), 1)
        record["freight_payment"] = self._freight(mode)
        record["attributes"] = {"payment_method": self._payment_method()}

        if arrived:
            outcome = self._outcome(fraud_revenue)
            if outcome is not None:
                record["outcome"] = outcome
        return record

    def _document_number(self, corridor: cat.Corridor, carrier: cat.Carrier, loading: str) -> str:
        self.counters.document += 1
        serial = self.counters.document
        doc = corridor.document_type
        if doc == DocumentType.AIR_WAYBILL:
            prefix = cat.AIRCRAFT[carrier.code][0][1]
            number = serial % 10**7
            # Air waybill serials end with a modulus-7 check digit.
            return f"{prefix:03d}-{number:07d}{number % 7}"
        if doc == DocumentType.BILL_OF_LADING:
            return f"{carrier.code[:4]}{loading[2:]}{serial:08d}"
        if doc == DocumentType.RAIL_WAYBILL:
            return f"{'CIM' if loading[:2] in ('GE', 'DE', 'IT') else 'SMGS'}{serial:08d}"
        return f"{loading[:2]}{serial:08d}"

    def _conveyance(
        self, corridor: cat.Corridor, pools: _CorridorPools, carrier: cat.Carrier, eta: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        kind = corridor.conveyance
        week = eta.isocalendar().week
        if kind == "vessel":
            vessel = _pick(rng, pools.vessels)
            return {
                "mode": TransportMode.SEA,
                "name": vessel.name,
                "imo": vessel.imo,
                "mmsi": vessel.mmsi,
                "flag": vessel.flag,
                "journey_number": f"{eta.year % 100:02d}{week:02d}{_pick(rng, 'EW')}",
            }
        if kind == "aircraft":
            registration, _prefix = cat.AIRCRAFT[carrier.code][0]
            return {
                "mode": TransportMode.AIR,
                "registration": f"{registration}{_int(rng, 10, 99)}",
                "journey_number": f"{carrier.code}{_int(rng, 100, 9899)}",
            }
        if kind == "train":
            return {
                "mode": TransportMode.RAIL,
                "registration": f"{_pick(rng, '59')}{_int(rng, 1000000, 9999999)}",
                "journey_number": f"{_int(rng, 1000, 9999)}",
            }
        plate, trailer = _pick(rng, self.world.fleets[carrier.code])
        return {
            "mode": TransportMode.ROAD,
            "flag": carrier.country,
            "registration": plate,
            "trailer_registration": trailer,
        }

    def _container_number(self, *, wrong: bool | None = None) -> str:
        rng = self.rng
        first_ten = f"{_pick(rng, cat.CONTAINER_OWNERS)}{int(rng.random() * 1e6):06d}"
        digit = iso6346.check_digit(first_ten)
        if wrong if wrong is not None else rng.random() < WRONG_CHECK_DIGIT_SHARE:
            digit = (digit + _int(rng, 1, 9)) % 10
        return f"{first_ten}{digit}"

    def _seal(self, country: str) -> str:
        self.counters.seal += 1
        # Stepping by a prime coprime with 10^7 visits every 7-digit number once before repeating.
        return f"{country}{(self.counters.seal * 7919) % 10**7:07d}"

    def _currency(self, country: str) -> str:
        options = cat.CURRENCIES.get(country)
        if not options:
            return "USD"
        roll, acc = self.rng.random(), 0.0
        for code, share in options:
            acc += share
            if roll < acc:
                return code
        return options[-1][0]

    def _goods_item(
        self,
        seq: int,
        commodity: cat.Commodity,
        target_kg: float,
        currency: str,
        russian: bool,
        origin: str,
        risk: float,
    ) -> tuple[dict[str, Any], float]:
        rng = self.rng
        net = target_kg / 1.05
        if commodity.max_kg is not None:
            net = min(net, commodity.max_kg * rng.uniform(0.05, 1.0))
        if commodity.package in _BULK_PACKAGES:
            packages = 1
        else:
            packages = max(1, round(net / rng.uniform(*commodity.kg_per_package)))
        net = round(max(net, 0.5), 1)
        gross = round(net * rng.uniform(1.01, 1.08), 1)
        unit = _loguniform(rng, *commodity.usd_per_kg)
        true_usd = net * unit
        declared_usd = true_usd
        understated = 0.0
        rate = 2.0 if commodity.key in _HIGH_FRAUD else 0.3 if commodity.key in _LOW_FRAUD else 1.0
        if rng.random() < min(0.6, 0.03 * rate * risk):
            declared_usd = true_usd * rng.uniform(0.25, 0.6)
            understated = (true_usd - declared_usd) * REVENUE_RATE
        description = commodity.ru if russian and commodity.ru else commodity.en
        hs = commodity.hs + "0000" if rng.random() < 0.35 else commodity.hs
        item: dict[str, Any] = {
            "sequence": seq,
            "hs_code": hs,
            "description": description,
            "packages": packages,
            "package_type": commodity.package,
            "gross_kg": gross,
            "net_kg": net,
            "value": {"amount": round(declared_usd * cat.USD_RATES[currency], 2), "currency": currency},
            "origin_country": origin,
            "marks": _pick(rng, _MARKS),
        }
        if commodity.un:
            item["dangerous_goods_un"] = commodity.un
        return item, understated

    def _freight(self, mode: TransportMode) -> FreightPayment:
        roll = self.rng.random()
        prepaid = {TransportMode.AIR: 0.85, TransportMode.ROAD: 0.7}.get(mode, 0.6)
        if roll < prepaid:
            return FreightPayment.PREPAID
        return FreightPayment.THIRD_PARTY if roll > 0.96 else FreightPayment.COLLECT

    def _payment_method(self) -> str:
        roll = self.rng.random()
        if roll < 0.78:
            return "bank_transfer"
        if roll < 0.9:
            return "letter_of_credit"
        if roll < 0.97:
            return "open_account"
        return "cash"

    def _outcome(self, understated: float) -> dict[str, Any] | None:
        rng = self.rng
        fraud = understated > 0
        # Inspections were targeted, not random: fraudulent consignments were likelier to be examined.
        if rng.random() >= (0.6 if fraud else OUTCOME_SHARE):
            return None
        if fraud and rng.random() < 0.9:
            return {
                "inspected": True,
                "fraud": True,
                "critical": False,
                "result": "discrepancy",
                "revenue_at_stake": {"amount": round(understated, 2), "currency": "USD"},
            }
        if rng.random() < 0.015:
            # Clerical discrepancies (weights, package counts) with little revenue and no fraud.
            return {
                "inspected": True,
                "fraud": False,
                "critical": False,
                "result": "discrepancy",
                "revenue_at_stake": {"amount": round(rng.uniform(20, 400), 2), "currency": "USD"},
            }
        return {"inspected": True, "fraud": False, "critical": False, "result": "nothing_found"}

    # -- planted scenarios -------------------------------------------------------------------------

    def new_company(self, country: str) -> cat.Company:
        rng = self.rng
        self.counters.new_company += 1
        first, second = cat.NEW_COMPANY_WORDS
        suffix = {"AZ": "MMC", "RU": "LLC", "KZ": "LLP", "AF": "Co.", "IR": "Co.", "GE": "LLC"}.get(
            country, "Ltd."
        )
        name = f"{_pick(rng, first)} {_pick(rng, second)} {self.counters.new_company:03d} {suffix}"
        template = self.world.pools[country].traders[0].company.address
        return cat.Company(name, template, country, f"TIN:{rng.randrange(10**9, 10**10)}")

    def plant(self, index: int, scenario: str) -> dict[str, Any]:
        planter = getattr(self, f"_plant_{scenario}")
        record: dict[str, Any] = planter(index)
        attributes = record.setdefault("attributes", {})
        attributes["planted"] = scenario
        truth = record.pop("_truth")
        attributes.update({f"planted_{k}": str(v) for k, v in truth.items()})
        if "arrival_at" in record:
            revenue = truth.get("revenue_usd")
            record["outcome"] = {
                "inspected": True,
                "fraud": True,
                "critical": truth["critical"] == "true",
                "result": truth["result"],
                "revenue_at_stake": {"amount": float(revenue), "currency": "USD"} if revenue else None,
            }
        else:
            record.pop("outcome", None)
        return record

    def _set_consignee(self, record: dict[str, Any], company: cat.Company) -> None:
        parties = record["parties"]
        for i, party in enumerate(parties):
            if party["role"] == "consignee":
                parties[i] = _company_party(PartyRole.CONSIGNEE, company)

    def _plant_opiates_in_produce(self, index: int) -> dict[str, Any]:
        rng = self.rng
        corridor = "af-ir-astara-road" if rng.random() < 0.6 else "ir-astara-road"
        record = self.build(index, corridor)
        for item in record["goods"]:
            fruit = cat.COMMODITIES[_pick(rng, _FRUIT_KEYS)]
            item.update({"hs_code": fruit.hs, "description": fruit.en, "package_type": fruit.package})
        record["goods"] = record["goods"][:2]
        record["total_packages"] = sum(g["packages"] for g in record["goods"])
        record["total_gross_kg"] = round(sum(g["gross_kg"] for g in record["goods"]), 1)
        record["freight_payment"] = FreightPayment.COLLECT
        if rng.random() < 0.6:
            self._set_consignee(record, self.new_company(record["destination_country"]))
        hs, what = cat.HIDDEN_GOODS["heroin"]
        record["_truth"] = {
            "hs": hs,
            "goods": what,
            "concealment": _pick(
                rng,
                (
                    "false floor of the trailer",
                    "inside the produce cartons",
                    "refrigeration unit",
                    "spare tyre",
                ),
            ),
            "seized_kg": round(rng.uniform(15, 120), 1),
            "result": "seizure",
            "critical": "true",
        }
        return record

    def _plant_cigarettes_misdeclared(self, index: int) -> dict[str, Any]:
        rng = self.rng
        record = self.build(
            index, _pick(rng, ("cn-titr-rail", "cn-titr-sea")), containers=_pick(rng, (1, 1, 2))
        )
        boxes = len(record["equipment"])
        kg = round(rng.uniform(6500, 9500) * boxes, 1)
        as_paper = rng.random() < 0.6
        if as_paper:
            hs, description = _pick(rng, (("4823900000", "Paper products"), ("481830", "Paper napkins")))
            unit, pkg = rng.uniform(0.9, 1.4), "CT"
            result = "seizure"
        else:
            hs, description, unit, pkg = "240220", "Cigarettes", rng.uniform(1.5, 4.0), "CS"
            result = "discrepancy"
        value = round(kg * unit, 2)
        record["goods"] = [
            {
                "sequence": 1,
                "hs_code": hs,
                "description": description,
                "packages": int(kg // 11),
                "package_type": pkg,
                "gross_kg": kg,
                "net_kg": round(kg * 0.93, 1),
                "value": {"amount": value, "currency": "USD"},
                "origin_country": "CN",
                "marks": "NO MARKS",
                "containers": [e["number"] for e in record["equipment"]],
            }
        ]
        record["total_packages"] = int(kg // 11)
        record["total_gross_kg"] = kg
        hs_true, what = cat.HIDDEN_GOODS["cigarettes"]
        record["_truth"] = {
            "hs": hs_true,
            "goods": what,
            "variant": "declared_as_paper" if as_paper else "undervalued",
            "sticks": int(kg * 0.93 / 0.0012),
            "revenue_usd": round(kg * rng.uniform(25, 40), 2),
            "result": result,
            "critical": "false",
        }
        return record

    def _plant_precursor_acetic_anhydride(self, index: int) -> dict[str, Any]:
        rng = self.rng
        corridor = _pick(rng, ("cn-titr-rail", "tr-eu-georgia-road", "ru-yalama-road"))
        record = self.build(index, corridor, containers=1 if corridor == "cn-titr-rail" else None)
        to_af = rng.random() < 0.6
        destination, delivery = ("AF", _pick(rng, ("AFKBL", "AFHEA"))) if to_af else ("IR", "IRTHR")
        record["destination_country"] = destination
        record["place_of_delivery"] = {"locode": delivery, "country": delivery[:2]}
        record["itinerary"][-1]["place"] = {"locode": delivery, "country": delivery[:2]}
        transit = [c for c in record["transit_countries"] if c != destination]
        for country in ("AZ", "IR"):
            if country not in transit and country != destination and country != record["origin_country"]:
                transit.append(country)
        record["transit_countries"] = transit
        self._set_consignee(record, self.new_company(destination))
        drums = _int(rng, 40, 80)
        kg = round(drums * rng.uniform(215, 235), 1)
        as_acid = rng.random() < 0.6
        item: dict[str, Any] = {
            "sequence": 1,
            "hs_code": "291521" if as_acid else "382499",
            "description": "Acetic acid, glacial"
            if as_acid
            else _pick(rng, ("Industrial chemicals", "Chemicals")),
            "packages": drums,
            "package_type": "DR",
            "gross_kg": kg,
            "net_kg": round(kg * 0.92, 1),
            "value": {"amount": round(kg * 0.92 * rng.uniform(0.5, 0.8), 2), "currency": "USD"},
            "origin_country": record["origin_country"],
            "marks": "NO MARKS",
        }
        if as_acid:
            item["dangerous_goods_un"] = "2789"
        if record["equipment"]:
            item["containers"] = [e["number"] for e in record["equipment"]]
        record["goods"] = [item]
        record["total_packages"] = drums
        record["total_gross_kg"] = kg
        hs, what = cat.HIDDEN_GOODS["acetic_anhydride"]
        record["_truth"] = {"hs": hs, "goods": what, "un": "1715", "result": "seizure", "critical": "true"}
        return record

    def _plant_dual_use_diversion(self, index: int) -> dict[str, Any]:
        rng = self.rng
        corridor = _pick(rng, ("air-gyd", "air-gyd", "cn-titr-rail", "tr-eu-georgia-road"))
        record = self.build(index, corridor)
        # Intermediaries in Hong Kong, the UAE and Turkey ship from their own hubs; the goods'
        # true origin is elsewhere (see the goods item's origin country).
        shipper_country = _pick(
            rng,
            {"air-gyd": ("HK", "AE", "TR", "CN"), "cn-titr-rail": ("CN", "HK")}.get(corridor, ("TR", "AE")),
        )
        if corridor == "air-gyd":
            loading = _DUAL_USE_HUBS[shipper_country]
            record["place_of_loading"] = {"locode": loading, "country": loading[:2]}
            record["itinerary"][0]["place"] = {"locode": loading, "country": loading[:2]}
            record["departure_country"] = loading[:2]
        shipper = self.world.pools[shipper_country].pick(rng).company
        record["parties"][0] = _company_party(PartyRole.CONSIGNOR, shipper)
        record["origin_country"] = shipper_country
        self._set_consignee(record, self.new_company("AZ"))
        end_user_country = "RU" if rng.random() < 0.7 else "IR"
        end_user = self.world.pools[end_user_country].pick(rng).company
        parties = [p for p in record["parties"] if p["role"] != "notify"]
        parties.insert(2, _company_party(PartyRole.NOTIFY, end_user, full=False))
        record["parties"] = parties
        delivery = _pick(rng, ("RUMOW", "RUMCX")) if end_user_country == "RU" else "IRTHR"
        record["destination_country"] = end_user_country
        record["place_of_delivery"] = {"locode": delivery, "country": delivery[:2]}
        record["itinerary"][-1]["place"] = {"locode": delivery, "country": delivery[:2]}
        if "AZ" not in record["transit_countries"]:
            record["transit_countries"].append("AZ")
        record["transit_countries"] = [
            c for c in record["transit_countries"] if c not in (end_user_country, shipper_country)
        ]
        key = _pick(rng, ("processors", "memories", "radio_navigation", "radar", "lasers"))
        true_hs, what = cat.HIDDEN_GOODS[key]
        honest = rng.random() < 0.6
        kg = round(rng.uniform(8, 180), 1)
        record["goods"] = [
            {
                "sequence": 1,
                "hs_code": true_hs if honest else "847330",
                "description": "Electronic components" if honest else "Computer parts",
                "packages": max(1, int(kg // 6)),
                "package_type": "CT",
                "gross_kg": kg,
                "net_kg": round(kg * 0.85, 1),
                "value": {"amount": round(kg * rng.uniform(150, 900), 2), "currency": "USD"},
                "origin_country": _pick(rng, ("US", "TW", "KR", "JP", "DE", "NL")),
                "marks": "AS PER INVOICE",
            }
        ]
        if record["equipment"] and record["equipment"][0].get("size_type") != "ULD":
            record["goods"][0]["containers"] = [record["equipment"][0]["number"]]
        record["total_packages"] = record["goods"][0]["packages"]
        record["total_gross_kg"] = kg
        record["_truth"] = {
            "hs": true_hs,
            "goods": what,
            "end_user_country": end_user_country,
            "result": "seizure",
            "critical": "true",
        }
        return record

    def _plant_firearms_parts(self, index: int) -> dict[str, Any]:
        rng = self.rng
        record = self.build(index, "tr-eu-georgia-road" if rng.random() < 0.7 else "air-gyd")
        shipper = self.world.pools["TR"].pick(rng).company
        record["parties"][0] = _company_party(PartyRole.CONSIGNOR, shipper)
        record["origin_country"] = "TR"
        if rng.random() < 0.5:
            self._set_consignee(record, self.new_company("AZ"))
        kg = round(rng.uniform(60, 600), 1)
        goods = record["goods"][:3]
        goods.append(
            {
                "sequence": len(goods) + 1,
                "hs_code": "870899",
                "description": _pick(rng, ("Spare parts", "Auto spare parts", "Metal parts")),
                "packages": max(1, int(kg // 18)),
                "package_type": "CT",
                "gross_kg": kg,
                "net_kg": round(kg * 0.9, 1),
                "value": {"amount": round(kg * rng.uniform(4, 9), 2), "currency": "USD"},
                "origin_country": "TR",
                "marks": "NO MARKS",
            }
        )
        for seq, item in enumerate(goods, start=1):
            item["sequence"] = seq
            item["origin_country"] = "TR"
        record["goods"] = goods
        record["total_packages"] = sum(g["packages"] for g in goods)
        record["total_gross_kg"] = round(sum(g["gross_kg"] for g in goods), 1)
        hs, what = cat.HIDDEN_GOODS["pistol_parts"]
        record["_truth"] = {
            "hs": hs,
            "goods": what,
            "item": str(len(goods)),
            "result": "seizure",
            "critical": "true",
        }
        return record

    def _plant_vague_first_time(self, index: int) -> dict[str, Any]:
        rng = self.rng
        record = self.build(
            index, _pick(rng, ("air-gyd", "cn-titr-sea", "tr-eu-georgia-road", "kz-aktau-alat-ferry"))
        )
        shipper_country = _pick(rng, ("AE", "CN", "TR"))
        record["parties"][0] = _company_party(
            PartyRole.CONSIGNOR, self.world.pools[shipper_country].pick(rng).company
        )
        record["origin_country"] = shipper_country
        self._set_consignee(record, self.new_company("AZ"))
        record["destination_country"] = "AZ"
        record["place_of_delivery"] = {"locode": "AZBAK", "country": "AZ"}
        record["itinerary"][-1]["place"] = {"locode": "AZBAK", "country": "AZ"}
        record["transit_countries"] = [
            c for c in record["transit_countries"] if c not in ("AZ", shipper_country)
        ]
        kg = round(sum(g["gross_kg"] for g in record["goods"]), 1)
        if record["mode"] == TransportMode.AIR:
            kg = round(rng.uniform(200, 1500), 1)
        declared = round(kg * rng.uniform(0.1, 0.4), 2)
        true_value = kg * rng.uniform(20, 60)
        item: dict[str, Any] = {
            "sequence": 1,
            "description": _pick(rng, _VAGUE),
            "packages": max(1, int(kg // rng.uniform(15, 40))),
            "package_type": "PK",
            "gross_kg": kg,
            "value": {"amount": declared, "currency": "USD"},
            "marks": "NO MARKS",
        }
        if record["equipment"] and record["equipment"][0].get("size_type") != "ULD":
            item["containers"] = [e["number"] for e in record["equipment"]]
        record["goods"] = [item]
        record["total_packages"] = item["packages"]
        record["total_gross_kg"] = kg
        record["freight_payment"] = FreightPayment.COLLECT
        record["attributes"] = {"payment_method": "cash"}
        hs, what = cat.HIDDEN_GOODS["smartphones"]
        record["_truth"] = {
            "hs": hs,
            "goods": f"{what} and consumer electronics",
            "revenue_usd": round((true_value - declared) * REVENUE_RATE, 2),
            "result": "discrepancy",
            "critical": "false",
        }
        return record

    def _plant_repeated_seal(self, index: int) -> dict[str, Any]:
        rng = self.rng
        record = self.build(
            index, _pick(rng, ("cn-titr-rail", "cn-titr-sea")), containers=_pick(rng, (2, 2, 3))
        )
        equipment = record["equipment"]
        equipment[1]["seals"] = list(equipment[0]["seals"])
        value = sum(g["value"]["amount"] / cat.USD_RATES[g["value"]["currency"]] for g in record["goods"])
        record["_truth"] = {
            "goods": "undeclared consumer electronics added after the seals were broken and reapplied",
            "seal": equipment[0]["seals"][0],
            "revenue_usd": round(max(value, 10000.0) * rng.uniform(0.2, 0.6) * REVENUE_RATE, 2),
            "result": "discrepancy",
            "critical": "false",
        }
        return record

    def _plant_container_check_digit(self, index: int) -> dict[str, Any]:
        rng = self.rng
        record = self.build(
            index, _pick(rng, ("cn-titr-rail", "cn-titr-sea", "kz-aktau-alat-ferry")), containers=1
        )
        old = record["equipment"][0]["number"]
        new = self._container_number(wrong=True)
        record["equipment"][0]["number"] = new
        for item in record["goods"]:
            item["containers"] = [new if c == old else c for c in item.get("containers", [])]
        value = sum(g["value"]["amount"] / cat.USD_RATES[g["value"]["currency"]] for g in record["goods"])
        record["_truth"] = {
            "goods": "goods of a higher tariff heading than declared, in a container with an altered number",
            "container": new,
            "revenue_usd": round(max(value, 5000.0) * rng.uniform(0.3, 0.8) * REVENUE_RATE, 2),
            "result": "discrepancy",
            "critical": "false",
        }
        return record


def generate(
    count: int, seed: int, *, start: date | None = None, days: int = 30, planted: bool = True
) -> Iterator[Consignment]:
    """Yield `count` consignments, the same ones for the same seed, start date and window.

    ETAs fall in a window of `days` days: three quarters before `start` (default: today, UTC) and one
    quarter from it on. With `planted`, one consignment in every block of `PLANT_EVERY` is a planted
    high-risk scenario; the scenarios take turns in a seed-dependent order.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    builder = _Builder(seed, start or datetime.now(UTC).date(), days)
    plan = random.Random(f"corridor-demo-plan/{seed}")
    order = sorted(PLANTED_SCENARIOS)
    plan.shuffle(order)
    planted_at = -1
    for index in range(count):
        block, offset = divmod(index, PLANT_EVERY)
        if offset == 0:
            planted_at = index + plan.randrange(PLANT_EVERY)
        if planted and index == planted_at:
            record = builder.plant(index, order[block % len(order)])
        else:
            record = builder.build(index)
        yield _materialise(record)


# -- fast construction -----------------------------------------------------------------------------
#
# The builder only produces values that are already in the models' normal form (upper-case codes,
# UTC datetimes, enums, floats for float fields), so running every field validator again would cost
# half the generation time for nothing. Objects are assembled the way `BaseModel.model_construct`
# does it, with defaults taken from the models themselves; the unit tests check that re-validating
# a generated consignment gives an equal one.

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__
_SPECS: dict[type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, Any], ...]]] = {}


def _spec(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Any]] = []
    for name, field in cls.model_fields.items():
        if field.default_factory is not None:
            factories.append((name, field.default_factory))
        elif not field.is_required():
            defaults[name] = field.default
    spec = (defaults, tuple(factories))
    _SPECS[cls] = spec
    return spec


def _new(cls: type[M], values: dict[str, Any]) -> M:
    defaults, factories = _SPECS.get(cls) or _spec(cls)
    data = defaults.copy()
    for name, factory in factories:
        if name not in values:
            data[name] = factory()
    data.update(values)
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _party(values: dict[str, Any]) -> Party:
    identifiers = values.get("identifiers")
    if identifiers:
        values["identifiers"] = [_new(Identifier, i) for i in identifiers]
    return _new(Party, values)


def _item(values: dict[str, Any]) -> GoodsItem:
    value = values.get("value")
    if value is not None:
        values["value"] = _new(Money, value)
    return _new(GoodsItem, values)


def _materialise(record: dict[str, Any]) -> Consignment:
    record["carrier"] = _party(record["carrier"])
    record["conveyance"] = _new(Conveyance, record["conveyance"])
    for key in ("place_of_loading", "place_of_discharge", "place_of_delivery"):
        record[key] = _new(Place, record[key])
    for stop in record["itinerary"]:
        stop["place"] = _new(Place, stop["place"])
    record["itinerary"] = [_new(ItineraryStop, stop) for stop in record["itinerary"]]
    record["parties"] = [_party(p) for p in record["parties"]]
    record["goods"] = [_item(g) for g in record["goods"]]
    record["equipment"] = [_new(Equipment, e) for e in record["equipment"]]
    outcome = record.get("outcome")
    if outcome is not None:
        revenue = outcome.get("revenue_at_stake")
        if revenue is not None:
            outcome["revenue_at_stake"] = _new(Money, revenue)
        record["outcome"] = _new(SourceOutcome, outcome)
    return _new(Consignment, record)
