"""UN/EDIFACT CUSCAR (customs cargo report, directories D95B and later) -> consignments.

One consignment per CNI group. What the message header says (transport, route, dates, carrier,
equipment, header parties) is inherited by every CNI group of the message, and the group's own data
overrides it. Envelope faults reject the message they concern; a fault inside one CNI group
rejects that consignment only. See docs/formats/cuscar.md for the mapping table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor.domain.consignment import (
    Consignment,
    DocumentType,
    FreightPayment,
    MessageFunction,
    PartyRole,
    Provenance,
    StopRole,
    TransportMode,
)
from corridor.ingest.base import (
    Parsed,
    ReadItem,
    ReadOptions,
    Rejection,
    excerpt_of,
    rejections_from_validation,
)
from corridor.ingest.cuscar_codes import (
    ARRIVAL_DATES,
    COUNTRY,
    COUNTRY_FIELDS,
    DELIVERY_PREFERENCE,
    DEPARTURE_DATES,
    DISCHARGE_PREFERENCE,
    DOCUMENT_BY_MODE,
    DOCUMENT_REFERENCES,
    EARLIEST_RELEASE,
    FREIGHT,
    FUNCTIONS,
    ID_AGENCIES,
    ID_LISTS,
    IMO,
    KG_PER_UNIT,
    LOADING_PREFERENCE,
    LOCODE,
    MASTER_REFERENCES,
    MESSAGE_PARTIES,
    MODES,
    PARTY_ROLES,
    ROUTE_ORDER,
    STOP_ROLES,
    TRANSIT_COUNTRY,
    join_chunks,
    parse_date,
    parse_number,
)
from corridor.ingest.edifact import EdifactSyntaxError, Message, Problem, Segment, Tokenizer, split_messages


class _Bad(Exception):
    """A fault that rejects the consignment being built."""

    def __init__(self, segment: Segment, field: str | None, reason: str, code: str = "invalid") -> None:
        super().__init__(reason)
        self.segment, self.field, self.reason, self.code = segment, field, reason, code


@dataclass(slots=True)
class _Stop:
    qualifier: str
    role: StopRole
    place: dict[str, str]
    order: int
    arrival: datetime | None = None
    departure: datetime | None = None

    @property
    def key(self) -> tuple[StopRole, str]:
        return self.role, self.place.get("locode") or self.place.get("name") or ""


@dataclass(slots=True)
class _Scope:
    """What the message header or one CNI group says."""

    document_number: str | None = None
    document_type: DocumentType | None = None
    master: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    mode: TransportMode | None = None
    conveyance: dict[str, Any] | None = None
    carrier: dict[str, Any] | None = None
    carrier_from_tdt: dict[str, Any] | None = None
    dates: dict[str, datetime] = field(default_factory=dict)
    stops: list[_Stop] = field(default_factory=list)
    office: str | None = None
    countries: dict[str, str] = field(default_factory=dict)
    transit: list[str] = field(default_factory=list)
    parties: list[dict[str, Any]] = field(default_factory=list)
    equipment: list[dict[str, Any]] = field(default_factory=list)
    goods: list[dict[str, Any]] = field(default_factory=list)
    freight: FreightPayment | None = None
    totals: dict[str, tuple[float, Segment]] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    start: Segment | None = None
    main_tdt: bool = False


class _MessageMapper:
    """Walks one CUSCAR message, segment by segment, keeping track of the group it is in."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.header = _Scope(start=message.header)
        self.groups: list[_Scope] = []
        self.scope = self.header
        self.function = MessageFunction.ORIGINAL
        # The last group-opening segment: tells DTM, MEA and SEL what they qualify.
        self.context = "header"
        self.stop: _Stop | None = None
        self.item: dict[str, Any] | None = None
        self.order = 0
        self.cni_count_declared: tuple[int, Segment] | None = None

    # ------------------------------------------------------------------ walking

    def run(self) -> None:
        handlers = {
            "BGM": self._bgm, "DTM": self._dtm, "RFF": self._rff, "NAD": self._nad, "TDT": self._tdt,
            "LOC": self._loc, "EQD": self._eqd, "SEL": self._sel, "MEA": self._mea, "CNI": self._cni,
            "GID": self._gid, "FTX": self._ftx, "PCI": self._pci, "SGP": self._sgp, "PIA": self._pia,
            "CST": self._cst, "DGS": self._dgs, "CNT": self._cnt, "TOD": self._tod, "CPI": self._cpi,
            "MOA": self._moa,
        }
        for seg in self.message.segments[1:-1] if self.message.trailer else self.message.segments[1:]:
            handler = handlers.get(seg.tag)
            if handler is not None:
                try:
                    handler(seg)
                except (IndexError, ValueError) as exc:
                    raise _Bad(seg, None, f"cannot read {seg.tag}: {exc}") from exc

    def _warn(self, code: str, field: str, message: str) -> None:
        self.scope.warnings.append((code, field, message))

    def _in_cni(self) -> bool:
        return self.scope is not self.header

    # ------------------------------------------------------------------ header segments

    def _bgm(self, seg: Segment) -> None:
        if seg.get(1):
            self.header.attributes["message_number"] = seg.get(1)
        if seg.get(0):
            self.header.attributes["document_name_code"] = seg.get(0)
        code = seg.get(2)
        if code:
            function = FUNCTIONS.get(code)
            if function is None:
                self._warn("unknown_function", "function", f"BGM message function {code!r} is not known; "
                           "read as original")
            self.function = function or MessageFunction.ORIGINAL
        self.context = "header"

    def _dtm(self, seg: Segment) -> None:
        qualifier, value, fmt = seg.get(0, 0), seg.get(0, 1), seg.get(0, 2)
        if self.context in ("eqd", "gid", "sgp", "rff", "nad"):
            return
        moment = parse_date(value, fmt)
        if moment is None:
            if value:
                self._warn("invalid_date", f"DTM {qualifier}", f"date {value!r} in format {fmt or '?'} "
                           f"cannot be read ({seg.where()})")
            return
        if self.context == "loc" and self.stop is not None:
            if qualifier in ARRIVAL_DATES:
                self.stop.arrival = self.stop.arrival or moment
            elif qualifier in DEPARTURE_DATES:
                self.stop.departure = self.stop.departure or moment
            return
        if qualifier == "137":
            self.scope.dates.setdefault("filed_at", moment)
        elif qualifier in ARRIVAL_DATES:
            self.scope.dates.setdefault(ARRIVAL_DATES[qualifier], moment)
        elif qualifier in DEPARTURE_DATES:
            self.scope.dates.setdefault(DEPARTURE_DATES[qualifier], moment)
        else:
            self.scope.attributes.setdefault(f"dtm_{qualifier}", moment.isoformat())

    def _rff(self, seg: Segment) -> None:
        qualifier, value = seg.get(0, 0).upper(), seg.get(0, 1)
        self.context = "rff" if self.item is None else "gid"
        if not value:
            return
        if self.item is not None:
            self.item.setdefault("_references", {}).setdefault(qualifier, value)
            return
        scope = self.scope
        if qualifier in MASTER_REFERENCES:
            scope.master = scope.master or value
        elif qualifier == "VON" and self.header.conveyance is not None:
            self.header.conveyance.setdefault("journey_number", value)
        scope.references.setdefault(qualifier, value)
        scope.attributes.setdefault(f"rff_{qualifier}", value)

    def _nad(self, seg: Segment) -> None:
        self.context = "nad" if self.item is None else "gid"
        qualifier = seg.get(0).upper()
        if qualifier in MESSAGE_PARTIES:
            name = seg.get(1) or join_chunks(seg.element(3), 35) or join_chunks(seg.element(2), 35) or ""
            if name:
                self.header.attributes[MESSAGE_PARTIES[qualifier]] = name
            return
        party = _party(seg)
        if party is None:
            self._warn("empty_party", f"NAD {qualifier}", f"NAD {qualifier} has neither a name nor an "
                       f"identifier ({seg.where()})")
            return
        if qualifier == "CA":
            party["role"] = PartyRole.CARRIER
            self.scope.carrier = party
            return
        role = PARTY_ROLES.get(qualifier)
        if role is None:
            role = PartyRole.OTHER
            self.scope.attributes.setdefault(f"nad_{qualifier}", party.get("name") or "")
        party["role"] = role
        self.scope.parties.append(party)

    def _tdt(self, seg: Segment) -> None:
        self.context = "tdt"
        self.stop = None
        stage = seg.get(0)
        conveyance: dict[str, Any] = {}
        mode = MODES.get(seg.get(2, 0))
        if mode is not None:
            conveyance["mode"] = mode
        journey = seg.get(1)
        if journey:
            conveyance["journey_number"] = journey
        ident, id_list, name, flag = seg.get(7, 0), seg.get(7, 1), seg.get(7, 3), seg.get(7, 4)
        if name:
            conveyance["name"] = name
        if flag:
            conveyance["flag"] = flag
        if ident:
            imo = IMO.match(ident.upper())
            if id_list == "146" or (imo and id_list != "103" and mode in (TransportMode.SEA, None)):
                if imo:
                    conveyance["imo"] = imo.group(1)
                else:
                    self._warn("invalid_imo", "conveyance.imo", f"means of transport id {ident!r} given as "
                               "IMO number is not seven digits; kept as call sign")
                    conveyance["call_sign"] = ident
            elif id_list == "103" or mode in (TransportMode.SEA, TransportMode.INLAND_WATER, None):
                conveyance["call_sign"] = ident
            else:
                conveyance["registration"] = ident
        carrier_id, carrier_name = seg.get(4, 0), seg.get(4, 3)
        carrier: dict[str, Any] | None = None
        if carrier_id or carrier_name:
            carrier = {"role": PartyRole.CARRIER, "name": carrier_name or None,
                       "identifiers": [_identifier(carrier_id, seg.get(4, 1), seg.get(4, 2))] if carrier_id else []}
        scope = self.scope
        # Main carriage (stage 20..) describes the vessel the report is about; other stages fill gaps only.
        main = stage.startswith("2") or not stage
        if scope.main_tdt or not (scope.conveyance is None or main):
            return
        scope.conveyance = conveyance
        scope.mode = mode or scope.mode
        if carrier is not None:
            scope.carrier_from_tdt = carrier
        scope.main_tdt = main

    def _loc(self, seg: Segment) -> None:
        qualifier = seg.get(0)
        code, code_list, agency, name = seg.get(1, 0).upper(), seg.get(1, 1), seg.get(1, 2), seg.get(1, 3)
        self.context = "loc" if self.item is None else "gid"
        self.stop = None
        if qualifier in COUNTRY_FIELDS or qualifier == TRANSIT_COUNTRY:
            country = code[:2] if LOCODE.match(code) or COUNTRY.match(code) else code
            if not country:
                return
            if self.item is not None and qualifier == "27":
                self.item["origin_country"] = country
            elif qualifier == TRANSIT_COUNTRY:
                if country not in self.scope.transit:
                    self.scope.transit.append(country)
            else:
                self.scope.countries[COUNTRY_FIELDS[qualifier]] = country
            return
        if qualifier in ("41", "22"):
            self.scope.office = self.scope.office or code or name or None
            return
        role = STOP_ROLES.get(qualifier)
        if role is None:
            if code or name:
                self.scope.attributes.setdefault(f"loc_{qualifier}", code or name)
            return
        place: dict[str, str] = {}
        if code and (LOCODE.match(code.replace(" ", "")) or code_list == "139" or agency == "6"):
            place["locode"] = code
        elif code:
            place["name"] = code
        if name:
            place["name"] = name
        if not place:
            return
        self.order += 1
        self.stop = _Stop(qualifier, role, place, self.order)
        self.scope.stops.append(self.stop)

    def _eqd(self, seg: Segment) -> None:
        self.context = "eqd"
        number = seg.get(1)
        if not number:
            self._warn("equipment_without_number", "equipment", f"EQD without an equipment number ({seg.where()})")
            self.context = "skip"
            return
        equipment: dict[str, Any] = {"number": number, "seals": []}
        if seg.get(2):
            equipment["size_type"] = seg.get(2)
        full = seg.get(5)
        if full in ("5", "7", "8"):
            equipment["full"] = True
        elif full == "4":
            equipment["full"] = False
        self.scope.equipment.append(equipment)
        self.item = None

    def _sel(self, seg: Segment) -> None:
        if self.context == "eqd" and self.scope.equipment and seg.get(0):
            self.scope.equipment[-1]["seals"].append(seg.get(0))

    def _mea(self, seg: Segment) -> None:
        purpose, prop, unit, value = seg.get(0), seg.get(1, 0).upper(), seg.get(2, 0).upper(), seg.get(2, 1)
        weight_kind = _weight_kind(purpose.upper(), prop)
        if weight_kind is None:
            return
        amount = parse_number(value)
        factor = KG_PER_UNIT.get(unit or "KGM")
        if amount is None or factor is None:
            self._warn("invalid_measure", "gross_kg", f"weight {value!r} {unit!r} cannot be read as kg "
                       f"({seg.where()})")
            return
        kg = round(amount * factor, 3)
        if self.context == "eqd" and self.scope.equipment:
            if weight_kind == "gross" or (weight_kind == "equipment_gross"
                                          and "gross_kg" not in self.scope.equipment[-1]):
                self.scope.equipment[-1]["gross_kg"] = kg
        elif self.context == "gid" and self.item is not None:
            if weight_kind == "gross":
                self.item["gross_kg"] = kg
            elif weight_kind == "net":
                self.item["net_kg"] = kg

    # ------------------------------------------------------------------ consignment segments

    def _cni(self, seg: Segment, *, implicit: bool = False) -> None:
        scope = _Scope(start=seg)
        self.groups.append(scope)
        self.scope = scope
        self.context = "cni"
        self.item = None
        self.stop = None
        number = "" if implicit else seg.get(1, 0)
        if number:
            scope.document_number = number

    def _gid(self, seg: Segment) -> None:
        if not self._in_cni():
            # A goods item before any CNI: some senders report one consignment without a CNI group.
            self._cni(seg, implicit=True)
        self.context = "gid"
        sequence = seg.get(0)
        item: dict[str, Any] = {"sequence": int(sequence) if sequence.isascii() and sequence.isdigit() else len(self.scope.goods) + 1,
                                "containers": []}
        packages, package_type = seg.get(1, 0), seg.get(1, 1)
        if packages:
            count = parse_number(packages)
            if count is None:
                self._warn("invalid_number", f"goods[{len(self.scope.goods)}].packages",
                           f"number of packages {packages!r} is not a number ({seg.where()})")
            else:
                item["packages"] = int(count)
        if package_type:
            item["package_type"] = package_type
        self.scope.goods.append(item)
        self.item = item

    def _ftx(self, seg: Segment) -> None:
        subject = seg.get(0).upper()
        text = seg.element(3)
        if not any(text):
            return
        if subject == "AAA" and self.item is not None:
            self.item.setdefault("_description", []).extend(text)
        elif subject == "AAA" and self._in_cni():
            self.scope.attributes["goods_description"] = " ".join(
                filter(None, [self.scope.attributes.get("goods_description"), join_chunks(text, 70)])
            )
        else:
            key = f"ftx_{subject or 'text'}"
            self.scope.attributes[key] = " ".join(
                filter(None, [self.scope.attributes.get(key), join_chunks(text, 70)])
            )

    def _pci(self, seg: Segment) -> None:
        marks = join_chunks(seg.element(1), 35)
        if marks and self.item is not None:
            self.item["marks"] = f"{self.item['marks']} {marks}" if self.item.get("marks") else marks

    def _sgp(self, seg: Segment) -> None:
        number = "".join(seg.get(0).split()).replace("-", "").upper()
        if self.item is None or not number:
            return
        # MEA after SGP weighs the goods in that one container, not the goods item.
        self.context = "sgp"
        if number not in self.item["containers"]:
            self.item["containers"].append(number)
        quantity = parse_number(seg.get(1))
        if quantity is not None:
            self.item.setdefault("_pieces", []).append(int(quantity))

    def _pia(self, seg: Segment) -> None:
        if self.item is None:
            return
        for comps in seg.elements[1:]:
            if len(comps) > 1 and comps[1].strip().upper() in ("HS", "CN", "HSN") and comps[0].strip():
                self.item.setdefault("hs_code", comps[0].strip())
                return

    def _cst(self, seg: Segment) -> None:
        if self.item is None:
            return
        for comps in seg.elements[1:]:
            code = comps[0].replace(".", "").strip() if comps else ""
            if code.isdigit() and 6 <= len(code) <= 14 and (len(comps) < 2 or comps[1] in ("", "122", "HS")):
                self.item.setdefault("hs_code", code)
                return

    def _dgs(self, seg: Segment) -> None:
        if self.item is not None and seg.get(2, 0):
            self.item["dangerous_goods_un"] = seg.get(2, 0)

    def _moa(self, seg: Segment) -> None:
        amount, currency = parse_number(seg.get(0, 1)), seg.get(0, 2).upper()
        if self.item is not None and amount is not None and re.match(r"^[A-Z]{3}$", currency):
            self.item.setdefault("value", {"amount": amount, "currency": currency})

    def _cnt(self, seg: Segment) -> None:
        qualifier, value, unit = seg.get(0, 0), seg.get(0, 1), seg.get(0, 2).upper()
        number = parse_number(value)
        if number is None:
            self._warn("invalid_number", f"CNT {qualifier}", f"control total {value!r} is not a number "
                       f"({seg.where()})")
            return
        if qualifier == "10":
            self.cni_count_declared = (int(number), seg)
            return
        if qualifier == "7":
            number *= KG_PER_UNIT.get(unit or "KGM", 1.0)
        self.scope.totals[qualifier] = (number, seg)

    def _tod(self, seg: Segment) -> None:
        code = seg.get(1).upper()
        if code in FREIGHT:
            self.scope.freight = FREIGHT[code]
        if seg.get(2):
            self.scope.attributes["incoterm"] = seg.get(2)

    def _cpi(self, seg: Segment) -> None:
        for code in (seg.get(1).upper(), seg.get(2).upper()):
            if code in FREIGHT:
                self.scope.freight = FREIGHT[code]
                return

    # ------------------------------------------------------------------ building

    def consignments(self) -> Iterator[tuple[Segment, dict[str, Any] | _Bad, list[tuple[str, str, str]]]]:
        """(CNI segment, consignment data or the fault that rejects it, warnings) per CNI group."""
        declared = self.cni_count_declared
        shared = list(self.header.warnings)
        if declared and declared[0] != len(self.groups):
            shared.append(("control_total", "message", f"CNT 10 says the message holds {declared[0]} "
                           f"consignments but it holds {len(self.groups)} ({declared[1].where()})"))
        for group in self.groups:
            assert group.start is not None
            try:
                data: dict[str, Any] | _Bad = self._build(group)
            except _Bad as bad:
                data = bad
            yield group.start, data, shared + group.warnings

    def _build(self, group: _Scope) -> dict[str, Any]:
        head = self.header
        assert group.start is not None
        number = group.document_number
        doc_type: DocumentType | None = None
        # With one consignment per message, a transport document reference in the header is its own.
        references = {**head.references, **group.references} if len(self.groups) == 1 else group.references
        for qualifier, value in references.items():
            if qualifier in DOCUMENT_REFERENCES and (number is None or value.upper() == number.upper()):
                number = number or value
                doc_type = DOCUMENT_REFERENCES[qualifier]
                if doc_type != DocumentType.OTHER:
                    break
        if not number:
            raise _Bad(group.start, "document_number", "CNI group has no transport document number (CNI C503 "
                       "or RFF BM/AWB/CMR...)", "missing_document_number")
        mode = group.mode or head.mode or TransportMode.UNKNOWN
        if doc_type is None or doc_type == DocumentType.OTHER:
            doc_type = DOCUMENT_BY_MODE.get(mode, doc_type or DocumentType.OTHER)

        conveyance = dict(group.conveyance or head.conveyance or {})
        # A TDT that only gives the mode says nothing about the conveyance itself.
        if set(conveyance) <= {"mode"}:
            conveyance = {}
        if conveyance and "mode" not in conveyance and mode != TransportMode.UNKNOWN:
            conveyance["mode"] = mode
        carrier = group.carrier or head.carrier or group.carrier_from_tdt or head.carrier_from_tdt

        dates = {**head.dates, **group.dates}
        stops = _route(head.stops + group.stops)
        by_qualifier: dict[str, dict[str, str]] = {}
        for stop in group.stops + head.stops:
            by_qualifier.setdefault(stop.qualifier, stop.place)
            # A date given on the place of arrival or loading is the consignment's when none was given directly.
            if stop.role == StopRole.DISCHARGE and stop.arrival:
                dates.setdefault("eta", stop.arrival)
            if stop.role == StopRole.LOADING and stop.departure:
                dates.setdefault("departure_at", stop.departure)

        equipment = self._equipment_for(group)
        goods = [_goods(item) for item in group.goods]
        attributes = {k: v for k, v in {**head.attributes, **group.attributes}.items() if not k.startswith("_")}
        if self.message.version and self.message.release:
            attributes["directory"] = f"{self.message.version}{self.message.release}"
        if self.message.interchange and self.message.interchange.reference:
            attributes["interchange_reference"] = self.message.interchange.reference
        parties = head.parties + group.parties

        data: dict[str, Any] = {
            "document_type": doc_type,
            "document_number": number,
            "master_document_number": group.master or head.master,
            "function": self.function,
            "mode": mode,
            "carrier": carrier,
            "conveyance": conveyance or None,
            "office": group.office or head.office,
            "filed_at": dates.get("filed_at"),
            "departure_at": dates.get("departure_at"),
            "eta": dates.get("eta"),
            "arrival_at": dates.get("arrival_at"),
            "place_of_loading": _first(by_qualifier, LOADING_PREFERENCE),
            "place_of_discharge": _first(by_qualifier, DISCHARGE_PREFERENCE),
            "place_of_delivery": _first(by_qualifier, DELIVERY_PREFERENCE),
            "itinerary": stops,
            **head.countries,
            **group.countries,
            "transit_countries": head.transit + [c for c in group.transit if c not in head.transit],
            "parties": parties,
            "goods": goods,
            "equipment": equipment,
            "freight_payment": group.freight or head.freight or FreightPayment.UNKNOWN,
            "attributes": attributes,
        }
        totals = {**head.totals, **group.totals}
        if "7" in totals:
            data["total_gross_kg"] = round(totals["7"][0], 3)
        if "11" in totals:
            data["total_packages"] = int(totals["11"][0])
        group.warnings.extend(_control_warnings(totals, group.goods, equipment))
        return data

    def _equipment_for(self, group: _Scope) -> list[dict[str, Any]]:
        own = list(group.equipment)
        linked = [c for item in group.goods for c in item["containers"]]
        header = {_norm(e["number"]): e for e in self.header.equipment}
        if not linked and not own and len(self.groups) == 1:
            own.extend(self.header.equipment)
        numbers = {_norm(e["number"]) for e in own}
        for number in linked:
            if number in numbers:
                continue
            numbers.add(number)
            own.append(header.get(number, {"number": number, "seals": []}))
        return [dict(e, seals=list(e["seals"])) for e in own]


def _norm(number: str) -> str:
    return "".join(number.split()).replace("-", "").upper()


def _weight_kind(purpose: str, prop: str) -> str | None:
    if prop in ("G", "AAD", "AAB", "AAG") or (purpose in ("WT", "AAE") and prop in ("", "WT")):
        return "gross"
    if prop in ("N", "AAL", "AAC", "AAA"):
        return "net"
    if prop == "EGW":
        return "equipment_gross"
    return None


def _identifier(value: str, code_list: str, agency: str) -> dict[str, str]:
    scheme = ID_AGENCIES.get(agency) or ID_LISTS.get(code_list) or code_list or "EDI"
    return {"scheme": scheme, "value": value}


def _party(seg: Segment) -> dict[str, Any] | None:
    """NAD: coded id (C082), structured name (C080) and street (C059), or free text lines (C058)."""
    party: dict[str, Any] = {"identifiers": []}
    if seg.get(1, 0):
        party["identifiers"].append(_identifier(seg.get(1, 0), seg.get(1, 1), seg.get(1, 2)))
    name = join_chunks(seg.element(3), 35)
    street = join_chunks(seg.element(4), 35)
    lines = [line.strip() for line in seg.element(2) if line.strip()]
    address_lines: list[str] = [street] if street else []
    if name is None and lines:
        first = lines.pop(0)
        if not lines and ", " in first:
            # A single free-text line "NAME, STREET, TOWN": the name is what comes before the first comma.
            first, rest = first.split(", ", 1)
            lines = [rest]
        name = first
    if not address_lines and lines:
        address_lines = [", ".join(lines)]
    if name:
        party["name"] = name
    if address_lines:
        party["address"] = ", ".join(address_lines)
    for key, index in (("city", 5), ("postcode", 7), ("country", 8)):
        value = seg.get(index)
        if value:
            party[key] = value
    if not name and not party["identifiers"]:
        return None
    return party


def _route(stops: list[_Stop]) -> list[dict[str, Any]]:
    merged: dict[tuple[StopRole, str], _Stop] = {}
    for stop in stops:
        known = merged.get(stop.key)
        if known is None:
            merged[stop.key] = _Stop(stop.qualifier, stop.role, stop.place, stop.order, stop.arrival, stop.departure)
        else:
            known.arrival = known.arrival or stop.arrival
            known.departure = known.departure or stop.departure
            known.place = {**stop.place, **known.place}
            # "Original port of loading" (76) precedes the port of loading on the route.
            if stop.qualifier == "76":
                known.qualifier = "76"
    ordered = sorted(merged.values(), key=lambda s: (ROUTE_ORDER.index(s.role), s.qualifier != "76", s.order))
    out: list[dict[str, Any]] = []
    for sequence, stop in enumerate(ordered):
        entry: dict[str, Any] = {"sequence": sequence, "role": stop.role, "place": stop.place}
        if stop.arrival:
            entry["arrival"] = stop.arrival
        if stop.departure:
            entry["departure"] = stop.departure
        out.append(entry)
    return out


def _first(places: dict[str, dict[str, str]], qualifiers: tuple[str, ...]) -> dict[str, str] | None:
    return next((places[q] for q in qualifiers if q in places), None)


def _goods(item: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if "_description" in item:
        out["description"] = join_chunks(item["_description"], 70)
    return out


def _control_warnings(
    totals: dict[str, tuple[float, Segment]], goods: list[dict[str, Any]], equipment: list[dict[str, Any]]
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    if "7" in totals:
        weights = [g["gross_kg"] for g in goods if "gross_kg" in g]
        declared, seg = totals["7"]
        if weights and abs(sum(weights) - declared) > max(0.5, declared * 0.001):
            out.append(("control_total", "total_gross_kg", f"CNT 7 says {declared:g} kg gross but the goods items "
                        f"add up to {sum(weights):g} kg ({seg.where()})"))
    if "11" in totals:
        packages = [g["packages"] for g in goods if "packages" in g]
        declared, seg = totals["11"]
        if packages and sum(packages) != int(declared):
            out.append(("control_total", "total_packages", f"CNT 11 says {int(declared)} packages but the goods "
                        f"items add up to {sum(packages)} ({seg.where()})"))
    if "8" in totals:
        pieces = [p for g in goods for p in g.get("_pieces", [])]
        declared, seg = totals["8"]
        if pieces and sum(pieces) != int(declared):
            out.append(("control_total", "goods", f"CNT 8 says {int(declared)} pieces but the goods in equipment "
                        f"(SGP) add up to {sum(pieces)} ({seg.where()})"))
    if "16" in totals:
        declared, seg = totals["16"]
        if int(declared) != len(equipment):
            out.append(("control_total", "equipment", f"CNT 16 says {int(declared)} pieces of equipment but "
                        f"{len(equipment)} were read ({seg.where()})"))
    return out


def _release_older_than_95b(release: str) -> bool:
    match = re.match(r"^(\d{2})([A-Z])$", release)
    if not match:
        return False
    year = int(match.group(1))
    # Two-digit years: 9x are the 1990s, 0x..8x the 2000s onwards.
    key = (year if year >= 90 else year + 100, match.group(2))
    return key < EARLIEST_RELEASE


class CuscarReader:
    format = "cuscar"

    def read(self, path: Path, display_name: str, options: ReadOptions) -> Iterator[ReadItem]:
        try:
            handle = path.open("rb")
        except OSError as exc:
            yield Rejection(display_name, "file", None, f"cannot open the file: {exc.strerror or exc}", "unreadable")
            return
        with handle:
            segments = iter(Tokenizer(handle, encoding=options.encoding))
            # Judge the file by its first segment, so a file in another format is one rejection, not one
            # per line.
            try:
                first = next(segments)
            except StopIteration:
                yield Rejection(display_name, "file", None, "the file holds no EDIFACT segment", "not_edifact")
                return
            except EdifactSyntaxError as exc:
                yield Rejection(display_name, "file", None, f"not a UN/EDIFACT interchange: {exc}", "not_edifact")
                return
            if first.tag not in ("UNB", "UNH", "UNG"):
                yield Rejection(display_name, "file", None, "not a UN/EDIFACT interchange: it does not start "
                                f"with UNA, UNB or UNH but with {excerpt_of(first.raw, 40)!r}", "not_edifact")
                return
            for item in split_messages(chain([first], segments)):
                if isinstance(item, Problem):
                    yield _problem_rejection(item, display_name)
                else:
                    yield from self._message(item, display_name, options)

    def _message(self, message: Message, file: str, options: ReadOptions) -> Iterator[ReadItem]:
        label = message.label()
        if message.type != "CUSCAR":
            yield Rejection(
                file, f"{label}, {message.header.where()}", "message_type",
                f"message type {message.type or '(none)'} is not supported: Corridor ingests CUSCAR cargo "
                "reports", "unsupported_message", excerpt_of(message.header.raw),
            )
            return
        warnings: list[tuple[str, str, str]] = []
        for problem in message.integrity_problems():
            where = f"{label}, {problem.segment.where()}" if problem.segment else label
            if options.lenient and problem.code in ("segment_count", "reference_mismatch"):
                warnings.append((problem.code, "message", problem.reason))
                continue
            yield Rejection(file, where, "message", problem.reason, problem.code,
                            excerpt_of(problem.segment.raw) if problem.segment else None)
            return
        if _release_older_than_95b(message.release):
            warnings.append(("directory_version", "message", f"CUSCAR directory {message.version}:"
                             f"{message.release} is older than D95B; read with the D95B mapping"))
        sender = message.interchange.sender if message.interchange else None
        mapper = _MessageMapper(message)
        try:
            mapper.run()
        except _Bad as bad:
            yield Rejection(file, f"{label}, {bad.segment.where()}", bad.field, bad.reason, bad.code,
                            excerpt_of(bad.segment.raw))
            return
        if not mapper.groups:
            yield Rejection(file, f"{label}, {message.header.where()}", "consignments",
                            "the message reports no consignment (no CNI group)", "no_consignment")
            return
        for start, data, group_warnings in mapper.consignments():
            if isinstance(data, _Bad):
                yield Rejection(file, f"{label}, {data.segment.where()}", data.field, data.reason, data.code,
                                excerpt_of(data.segment.raw))
                continue
            location = f"{label}, {start.where()}"
            data["provenance"] = Provenance(format="cuscar", file=file, location=location, sender=sender,
                                            message_id=message.reference or None)
            try:
                consignment = Consignment.model_validate(data)
            except ValidationError as exc:
                yield from rejections_from_validation(exc, file=file, location=location,
                                                      excerpt=excerpt_of(start.raw))
                continue
            for code, field_name, text in warnings + group_warnings:
                consignment.warn(code, field_name, text)
            yield Parsed(consignment, location)


def _problem_rejection(problem: Problem, file: str) -> Rejection:
    if problem.segment is not None:
        prefix = f"interchange {problem.interchange.reference}, " if problem.interchange and \
            problem.interchange.reference else ""
        location = f"{prefix}{problem.segment.where()}"
    else:
        location = "file"
    field_name = "interchange" if problem.code in ("interchange_count", "missing_unz", "reference_mismatch") \
        else None
    return Rejection(file, location, field_name, problem.reason, problem.code,
                     excerpt_of(problem.segment.raw) if problem.segment else None)
